// AddPartitionsToTxn: the transaction coordinator adds the partitions to the producer's transaction. A
// partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED (as
// Kafka answers); otherwise every partition gets the coordinator's one code.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/messages/add-partitions-to-txn.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleAddPartitionsToTxn: Handler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const answer = (code: (topic: string, partition: number) => number): AddPartitionsToTxnResponse => ({
    throttleTimeMs: 0,
    resultsByTopic: req.topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })) })),
  });
  const missing = (topic: string, p: number): boolean => !b.authority.partitionExists(topic, p);
  if (req.topics.some((t) => t.partitions.some((p) => missing(t.name, p)))) {
    return answer((topic, p) => (missing(topic, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
  }
  let code: number;
  try {
    code = await b.transactions.addPartitions({
      transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, apiVersion: ctx.header.apiVersion,
      partitions: req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
    });
  } catch (err) {
    code = errorCodeFor(err, b.logger, { op: 'AddPartitionsToTxn', transactionalId: req.transactionalId });
  }
  return answer(() => code);
};
