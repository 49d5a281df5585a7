// InitProducerId: an idempotent producer (TransactionalId null) gets a fresh producer id with epoch 0
// from this broker's block (cluster/producer-ids.ts); any broker answers, in both modes. Transactional
// producers need a transaction coordinator, which mq does not have yet: COORDINATOR_NOT_AVAILABLE, as
// FindCoordinator answers for key type 1.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleInitProducerId: Handler<InitProducerIdRequest, InitProducerIdResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const failed = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
  if (req.transactionalId !== null) {
    b.logger.warn('InitProducerId refused', { peer: ctx.peer, transactionalId: req.transactionalId, reason: 'transactions are not supported yet' });
    return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
  try {
    return { throttleTimeMs: 0, errorCode: 0, producerId: await b.producerIds.allocate(), producerEpoch: 0 };
  } catch (err) {
    return failed(errorCodeFor(err, b.logger, { op: 'InitProducerId' }));
  }
};
