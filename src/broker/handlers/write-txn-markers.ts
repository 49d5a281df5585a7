// WriteTxnMarkers (from another broker's transaction coordinator): appends each marker to the partitions
// this broker leads, acknowledged as acks=all (txn-markers.ts); per partition codes.
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/write-txn-markers.js';
import type { Handler } from '../request-context.js';
import { writeLocalMarker } from '../txn-markers.js';

export const handleWriteTxnMarkers: Handler<WriteTxnMarkersRequest, WriteTxnMarkersResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const markers = await Promise.all(req.markers.map(async (m) => {
    const markers = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, partitions: [] };
    return {
      producerId: m.producerId,
      topics: await Promise.all(m.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitionIndexes.map(async (partitionIndex) => ({
          partitionIndex, errorCode: await writeLocalMarker(b, t.name, partitionIndex, markers),
        }))),
      }))),
    };
  }));
  return { markers };
};
