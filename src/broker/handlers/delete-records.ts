// DeleteRecords: moves each partition's log start offset forward (-1 = to the high watermark) and
// deletes the segments below it, on the leader (followers follow its log start on their next fetch).
// Errors per partition: OFFSET_OUT_OF_RANGE past the high watermark, UNKNOWN_TOPIC_OR_PARTITION,
// NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR.
import { errorFromCode } from '../../protocol/error-codes.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/delete-records.js';
import { MqError } from '../../util/mq-error.js';
import { errorCodeFor } from '../error-code-of.js';
import type { BrokerState, Handler } from '../request-context.js';

export const handleDeleteRecords: Handler<DeleteRecordsRequest, DeleteRecordsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const topics = await Promise.all(req.topics.map(async (t) => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(async (p) => {
      try {
        const low = await deleteRecordsBefore(b, t.name, p.partitionIndex, Number(p.offset));
        return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(low), errorCode: 0 };
      } catch (err) {
        const errorCode = errorCodeFor(err, b.logger, { op: 'delete-records', topic: t.name, partition: p.partitionIndex });
        return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode };
      }
    })),
  })));
  return { throttleTimeMs: 0, topics };
};

/** Records below `offset` (-1: the high watermark) go; resolves to the new log start offset. */
async function deleteRecordsBefore(b: BrokerState, topic: string, index: number, offset: number): Promise<number> {
  const p = b.authority.leaderPartition(topic, index);
  if (typeof p === 'number') throw errorFromCode(p, `delete records of ${topic}-${index} on broker ${b.nodeId}`);
  const hwm = p.highWatermark;
  if (offset > hwm) throw new MqError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: the high watermark of ${topic}-${index} is ${hwm}`);
  const low = await p.log.deleteRecordsBefore(offset === -1 ? hwm : offset);
  b.logger.info('records deleted', { topic, partition: index, logStartOffset: low });
  return low;
}
