// AddOffsetsToTxn: the group's offsets (TxnOffsetCommit) are committed or dropped with the producer's
// transaction.
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../protocol/messages/add-offsets-to-txn.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleAddOffsetsToTxn: Handler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = async (req, ctx) => {
  const b = ctx.broker;
  try {
    const errorCode = await b.transactions.addOffsets({
      transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, apiVersion: ctx.header.apiVersion, groupId: req.groupId,
    });
    return { throttleTimeMs: 0, errorCode };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(err, b.logger, { op: 'AddOffsetsToTxn', transactionalId: req.transactionalId }) };
  }
};
