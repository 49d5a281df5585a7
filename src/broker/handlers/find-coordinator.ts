// FindCoordinator: the broker coordinating a group (KeyType 0) or a transactional id (KeyType 1), each a
// rendezvous hash over the live brokers (group/coordinator-choice.ts, transaction/transaction-coordinator-choice.ts).
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import { transactionCoordinatorFor } from '../../transaction/transaction-coordinator-choice.js';
import { clientAddress } from '../client-address.js';
import type { Handler } from '../request-context.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

export const handleFindCoordinator: Handler<FindCoordinatorRequest, FindCoordinatorResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const unavailable = (errorCode: number, errorMessage: string): FindCoordinatorResponse =>
    ({ throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
  if (req.keyType !== KEY_TYPE_GROUP && req.keyType !== KEY_TYPE_TRANSACTION) return unavailable(ErrorCode.INVALID_REQUEST, `unknown key type ${req.keyType}`);
  const what = req.keyType === KEY_TYPE_GROUP ? 'group' : 'transactional id';
  if (req.key === '') return unavailable(req.keyType === KEY_TYPE_GROUP ? ErrorCode.INVALID_GROUP_ID : ErrorCode.INVALID_REQUEST, `the ${what} is empty`);
  const nodeId = req.keyType === KEY_TYPE_GROUP ? b.groups.coordinatorId(req.key) : transactionCoordinatorFor(req.key, b.authority.liveBrokerIds());
  const coordinator = b.authority.liveBrokers().find((x) => x.nodeId === nodeId);
  if (!coordinator) return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, `no live coordinator for the ${what}`);
  const at = clientAddress(coordinator, ctx.session.listener);
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId, host: at.host, port: at.port };
};
