// EndTxn: commits or aborts the producer's transaction; answered once the coordinator has written the
// markers to every partition, completed the group offsets and stored the outcome.
import type { EndTxnRequest, EndTxnResponse } from '../../protocol/messages/end-txn.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleEndTxn: Handler<EndTxnRequest, EndTxnResponse> = async (req, ctx) => {
  const b = ctx.broker;
  try {
    const errorCode = await b.transactions.endTxn({
      transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, apiVersion: ctx.header.apiVersion, commit: req.committed,
    });
    return { throttleTimeMs: 0, errorCode };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(err, b.logger, { op: 'EndTxn', transactionalId: req.transactionalId }) };
  }
};
