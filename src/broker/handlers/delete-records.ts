// DeleteRecords: moves each partition's log start offset forward (-1 = to the high watermark) and
// deletes the segments below it (in cluster mode on the leader; followers follow its log start). Errors per partition: OFFSET_OUT_OF_RANGE past the high watermark,
// UNKNOWN_TOPIC_OR_PARTITION, KAFKA_STORAGE_ERROR.
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleDeleteRecords: Handler<DeleteRecordsRequest, DeleteRecordsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const topics = await Promise.all(req.topics.map(async (t) => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(async (p) => {
      try {
        const low = b.cluster
          ? await b.cluster.deleteRecords(t.name, p.partitionIndex, Number(p.offset))
          : await b.topics.deleteRecords(t.name, p.partitionIndex, Number(p.offset));
        return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(low), errorCode: 0 };
      } catch (err) {
        const errorCode = errorCodeFor(err, b.logger, { op: 'delete-records', topic: t.name, partition: p.partitionIndex });
        return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode };
      }
    })),
  })));
  return { throttleTimeMs: 0, topics };
};
