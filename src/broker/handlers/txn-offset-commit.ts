// TxnOffsetCommit (to the group's coordinator): checked against the producer's stored transaction
// (Ongoing, the group added by AddOffsetsToTxn, the producer's id and epoch), then staged until the
// transaction ends (group/txn-offsets.ts).
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../protocol/messages/txn-offset-commit.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleTxnOffsetCommit: Handler<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const answer = (errorCode: number): TxnOffsetCommitResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  });
  try {
    const code = await b.transactions.checkOffsetCommit({
      transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, apiVersion: ctx.header.apiVersion, groupId: req.groupId,
    });
    if (code !== 0) return answer(code);
  } catch (err) {
    return answer(errorCodeFor(err, b.logger, { op: 'TxnOffsetCommit', transactionalId: req.transactionalId }));
  }
  return b.groups.stageTransactionalOffsets(req);
};
