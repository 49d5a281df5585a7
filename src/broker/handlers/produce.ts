// Produce: validate each partition's single RecordBatch (size, magic, counts, CRC, then its records:
// record-validator.ts), then append the bytes unchanged but for BaseOffset/PartitionLeaderEpoch. Errors
// are per partition; acks=0 gets no response at all. acks=-1 on a replicated partition (several replicas) is
// refused up front with NOT_ENOUGH_REPLICAS while the ISR is smaller than min.insync.replicas; otherwise
// the appended batch waits in the partition's purgatory until the high watermark passes it (then NONE,
// or NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile), the
// request's TimeoutMs passes (REQUEST_TIMED_OUT) or this broker stops leading (NOT_LEADER_OR_FOLLOWER).
// Idempotent producers (ProducerId >= 0): the log checks epoch and sequence (storage/producer-state.ts);
// a retried batch is answered with the offsets it first got, after the same acks wait, and the refusals
// are INVALID_PRODUCER_EPOCH and OUT_OF_ORDER_SEQUENCE_NUMBER.
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, OFF_ATTRIBUTES, OFF_MAGIC, batchSizeAt, validateBatch,
} from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { decompressedLimit, validateRecords } from '../../protocol/record-validator.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { topicNameProblem } from '../../protocol/topic-name.js';
import { MqError } from '../../util/mq-error.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Partition } from '../../replication/partition.js';
import type { BrokerState, Handler, RequestContext } from '../request-context.js';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
const ZSTD = 4;

export const handleProduce: Handler<ProduceRequest, ProduceResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const responses = await Promise.all(req.topicData.map(async (t) => ({
    name: t.name,
    partitionResponses: await Promise.all(t.partitionData.map((p) => (validAcks
      ? appendOne(b, ctx, t.name, p.index, p.records as Buffer, req.acks, req.timeoutMs)
      : Promise.resolve(failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS))))),
  })));
  if (req.acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
};

function failed(index: number, errorCode: number): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

async function appendOne(
  b: BrokerState, ctx: RequestContext, topic: string, index: number, records: Buffer, acks: number, timeoutMs: number,
): Promise<PartitionResponse> {
  if (topicNameProblem(topic)) return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const partition = b.authority.leaderPartition(topic, index);
  if (typeof partition === 'number') return failed(index, partition);
  // A decommissioned partition takes no new records from clients (followers replicate by Fetch, not
  // Produce). POLICY_VIOLATION (44), not INVALID_REQUEST (42): the request is well formed, the topic's
  // state forbids it, it is not retriable, and kcat ("Broker: Policy violation") and kafkajs ("Request
  // parameters do not satisfy the configured policy") show it as a refusal. mq's producer re-routes
  // partitioner-chosen records and names the partition for the others.
  if (partition.decommissioned) return failed(index, ErrorCode.POLICY_VIOLATION);
  const refuse = (code: number, why: string): PartitionResponse => {
    b.logger.warn('produce refused', { peer: ctx.peer, topic, partition: index, reason: why });
    return failed(index, code);
  };

  if (records.length > partition.config['max.message.bytes']) {
    return refuse(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${records.length} bytes exceeds max.message.bytes ${partition.config['max.message.bytes']}`);
  }
  if (records.length <= OFF_MAGIC) return refuse(ErrorCode.INVALID_RECORD, 'no complete record batch');
  const size = batchSizeAt(records, 0);
  if (size < records.length) return refuse(ErrorCode.INVALID_RECORD, 'more than one record batch for one partition');
  if (size > records.length) return refuse(ErrorCode.INVALID_RECORD, `truncated record batch: ${records.length} of ${size} bytes`);
  const problem = validateBatch(records, 0, size);
  if (problem) return refuse(ErrorCode[problem.code], problem.message);
  const attributes = records.readInt16BE(OFF_ATTRIBUTES);
  if (attributes & ATTR_CONTROL) return refuse(ErrorCode.INVALID_RECORD, 'clients may not send control batches');
  if ((attributes & ATTR_COMPRESSION_MASK) === ZSTD && ctx.header.apiVersion < 7) {
    return refuse(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd needs Produce v7');
  }
  if ((attributes & ATTR_COMPRESSION_MASK) > ZSTD) return refuse(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${attributes & ATTR_COMPRESSION_MASK}`);
  // The records themselves (record-validator.ts): what a consumer will read must be records, and
  // RecordsCount must be what the log end offset moves by. Nothing is appended otherwise.
  const invalid = validateRecords(records, size, decompressedLimit(partition.config['max.message.bytes']));
  if (invalid) return refuse(ErrorCode[invalid.code], invalid.message);

  const waitForIsr = acks === -1 && partition.leaderState !== null;
  // Not logged per request (it lasts as long as the ISR is short; the ISR change itself is logged).
  if (waitForIsr && partition.leaderState!.isr.length < partition.config['min.insync.replicas']) return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS);

  try {
    const { baseOffset, lastOffset, logAppendTimeMs, duplicate } = await partition.append(records);
    if (!duplicate) b.metrics?.recordAppend(topic, index, records);
    if (waitForIsr) {
      const errorCode = await waitForAck(b, partition, lastOffset + 1, timeoutMs);
      if (errorCode !== 0) return failed(index, errorCode);
    }
    return {
      index,
      errorCode: 0,
      baseOffset: BigInt(baseOffset),
      logAppendTimeMs: BigInt(logAppendTimeMs),
      logStartOffset: BigInt(partition.logStartOffset),
    };
  } catch (err) {
    if (err instanceof MqError && (err.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || err.code === 'INVALID_PRODUCER_EPOCH')) return refuse(ErrorCode[err.code], err.message);
    return failed(index, errorCodeFor(err, b.logger, { op: 'append', topic, partition: index }));
  }
}

/** Parks an acks=all append until the ISR has it; the error code to answer (0 when acknowledged). */
async function waitForAck(b: BrokerState, partition: Partition, requiredOffset: number, timeoutMs: number): Promise<number> {
  if (b.metrics) b.metrics.producePurgatory++;
  let outcome;
  try {
    outcome = await partition.waitForAck(requiredOffset, timeoutMs, b.shutdown);
  } finally {
    if (b.metrics) b.metrics.producePurgatory--;
  }
  if (outcome === 'timeout') return ErrorCode.REQUEST_TIMED_OUT;
  if (outcome === 'not-leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  const s = partition.leaderState;
  return s !== null && s.isr.length < partition.config['min.insync.replicas'] ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0;
}
