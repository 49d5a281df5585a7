// FindCoordinator: the broker coordinating a group (rendezvous hash over the live brokers, see
// group/coordinator-choice.ts). Transaction coordinators (KeyType 1) do not exist yet.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../protocol/messages/find-coordinator.js';
import { clientAddress } from '../client-address.js';
import type { Handler } from '../request-context.js';

const KEY_TYPE_GROUP = 0;

export const handleFindCoordinator: Handler<FindCoordinatorRequest, FindCoordinatorResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const unavailable = (errorCode: number, errorMessage: string): FindCoordinatorResponse =>
    ({ throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 });
  if (req.keyType !== KEY_TYPE_GROUP) return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not supported yet');
  if (req.key === '') return unavailable(ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
  const nodeId = b.groups.coordinatorId(req.key);
  const coordinator = b.authority.liveBrokers().find((x) => x.nodeId === nodeId);
  if (!coordinator) return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no live coordinator for the group');
  const at = clientAddress(coordinator, ctx.session.listener);
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId, host: at.host, port: at.port };
};
