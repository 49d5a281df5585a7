// Produce: validate each partition's single RecordBatch (size, magic, counts, CRC), then append the
// bytes unchanged but for BaseOffset/PartitionLeaderEpoch. Errors are per partition; acks=0 gets no
// response at all.
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, OFF_ATTRIBUTES, OFF_MAGIC, batchSizeAt, validateBatch,
} from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import { topicNameProblem } from '../../cluster/topic-name.js';
import { errorCodeFor } from '../error-code-of.js';
import { lookupPartition } from '../lookup-partition.js';
import type { BrokerState, Handler, RequestContext } from '../request-context.js';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];
const ZSTD = 4;

export const handleProduce: Handler<ProduceRequest, ProduceResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const responses = await Promise.all(req.topicData.map(async (t) => ({
    name: t.name,
    partitionResponses: await Promise.all(t.partitionData.map((p) => (validAcks
      ? appendOne(b, ctx, t.name, p.index, p.records as Buffer)
      : Promise.resolve(failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS))))),
  })));
  if (req.acks === 0) return null;
  return { responses, throttleTimeMs: 0 };
};

function failed(index: number, errorCode: number): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

async function appendOne(b: BrokerState, ctx: RequestContext, topic: string, index: number, records: Buffer): Promise<PartitionResponse> {
  if (topicNameProblem(topic)) return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const partition = lookupPartition(b, topic, index);
  if (typeof partition === 'number') return failed(index, partition);
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

  try {
    const { baseOffset, logAppendTimeMs } = await partition.append(records);
    b.metrics?.recordAppend(topic, index, records);
    return {
      index,
      errorCode: 0,
      baseOffset: BigInt(baseOffset),
      logAppendTimeMs: BigInt(logAppendTimeMs),
      logStartOffset: BigInt(partition.logStartOffset),
    };
  } catch (err) {
    return failed(index, errorCodeFor(err, b.logger, { op: 'append', topic, partition: index }));
  }
}
