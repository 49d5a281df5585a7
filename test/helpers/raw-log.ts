// Reads a whole partition over the wire with raw Fetch requests and checks every batch as a consumer
// with check.crcs would: whole, CRC-32C sound, offsets contiguous. No import-time side effects.
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { WireSocket } from './wire.js';

export interface RawPartition {
  logStartOffset: number;
  highWatermark: number;
  /** Record values as UTF-8, in offset order from the log start. */
  values: string[];
}

/** Fetches everything from the log start to the high watermark; throws on a corrupt or non-contiguous batch. */
export async function readPartitionRaw(port: number, topic: string, partition = 0): Promise<RawPartition> {
  const ws = await WireSocket.connect(port);
  try {
    const fetchAt = async (offset: number) => {
      const res = await ws.request(ApiKey.Fetch, 5, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 8 << 20, isolationLevel: 0,
        topics: [{ topic, partitions: [{ partition, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 4 << 20 }] }],
      });
      return res.responses[0].partitions[0];
    };
    let p = await fetchAt(0);
    let offset = 0;
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      offset = Number(p.logStartOffset);
      p = await fetchAt(offset);
    }
    if (p.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
    const logStartOffset = Number(p.logStartOffset);
    const highWatermark = Number(p.highWatermark);
    const values: string[] = [];
    let expected = -1;
    for (;;) {
      const bytes = Buffer.concat(Array.isArray(p.records) ? p.records : [p.records ?? Buffer.alloc(0)]);
      const batches = decodeRecordBatches(bytes); // throws CORRUPT_MESSAGE on a bad CRC
      for (const b of batches) {
        for (const r of b.records) {
          if (r.offset < offset) continue;
          if (expected >= 0 && r.offset !== expected) throw new Error(`offset ${r.offset} follows ${expected - 1}`);
          expected = r.offset + 1;
          values.push(r.value?.toString() ?? '');
        }
      }
      const next = expected >= 0 ? expected : offset;
      if (next >= highWatermark || batches.length === 0) break;
      offset = next;
      p = await fetchAt(offset);
      if (p.errorCode !== 0) throw new Error(`fetch of ${topic}-${partition} at ${offset}: error ${p.errorCode}`);
    }
    return { logStartOffset, highWatermark, values };
  } finally {
    ws.close();
  }
}
