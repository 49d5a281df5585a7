// InitProducerId: an idempotent producer (TransactionalId null) gets a fresh producer id with epoch 0
// from this broker's block (cluster/producer-ids.ts); any broker answers, in both modes. A transactional
// producer asks its transaction coordinator (FindCoordinator key type 1), which gives a new id the next
// producer id, and a known one the next epoch, fencing the producer before it and ending what it left
// open (src/transaction/transaction-coordinator.ts).
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleInitProducerId: Handler<InitProducerIdRequest, InitProducerIdResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const failed = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
  try {
    if (req.transactionalId === null) return { throttleTimeMs: 0, errorCode: 0, producerId: await b.producerIds.allocate(), producerEpoch: 0 };
    const got = await b.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs);
    return { throttleTimeMs: 0, ...got };
  } catch (err) {
    return failed(errorCodeFor(err, b.logger, { op: 'InitProducerId', transactionalId: req.transactionalId ?? '' }));
  }
};
