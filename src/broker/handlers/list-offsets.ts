// ListOffsets: -1 latest (high watermark; the last stable offset for IsolationLevel 1, read_committed),
// -2 earliest (log start), T >= 0 the first record whose
// timestamp is >= T. The time index finds the batch; the records of that one batch are decoded to
// land on the exact record, as Kafka does.
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import { decodeRecordBatches } from '../../protocol/record-batch.js';
import { baseOffsetAt, maxTimestampAt } from '../../protocol/batch-header.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Partition } from '../../replication/partition.js';
import type { Handler } from '../request-context.js';

const LATEST = -1n;
const EARLIEST = -2n;
const READ_COMMITTED = 1;

export const handleListOffsets: Handler<ListOffsetsRequest, ListOffsetsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const topics = await Promise.all(req.topics.map(async (t) => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(async (p) => {
      const partition = b.authority.leaderPartition(t.name, p.partitionIndex);
      if (typeof partition === 'number') return { partitionIndex: p.partitionIndex, errorCode: partition, timestamp: -1n, offset: -1n };
      try {
        const { offset, timestamp } = await lookup(partition, p.timestamp, req.isolationLevel === READ_COMMITTED);
        return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: BigInt(timestamp), offset: BigInt(offset) };
      } catch (err) {
        const errorCode = errorCodeFor(err, b.logger, { op: 'list-offsets', topic: t.name, partition: p.partitionIndex });
        return { partitionIndex: p.partitionIndex, errorCode, timestamp: -1n, offset: -1n };
      }
    })),
  })));
  return { throttleTimeMs: 0, topics };
};

async function lookup(p: Partition, timestamp: bigint, readCommitted: boolean): Promise<{ offset: number; timestamp: number }> {
  if (timestamp === LATEST) return { offset: readCommitted ? p.lastStableOffset : p.highWatermark, timestamp: -1 };
  if (timestamp === EARLIEST) return { offset: p.logStartOffset, timestamp: -1 };
  const target = Number(timestamp);
  const batch = await p.log.batchForTimestamp(target);
  if (!batch) return { offset: -1, timestamp: -1 };
  try {
    for (const decoded of decodeRecordBatches(batch)) {
      for (const r of decoded.records) {
        // A batch may straddle the log start (DeleteRecords inside it): never answer a deleted offset.
        if (r.timestamp >= target && r.offset >= p.logStartOffset) return { offset: r.offset, timestamp: r.timestamp };
      }
    }
  } catch {
    // A codec we cannot decode (zstd) or a damaged batch: the batch is the best we can say.
  }
  return { offset: Math.max(baseOffsetAt(batch), p.logStartOffset), timestamp: maxTimestampAt(batch) };
}
