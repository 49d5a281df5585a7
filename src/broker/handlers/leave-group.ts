// LeaveGroup: removes the member at once, so the others rebalance without waiting for its session timeout.
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/leave-group.js';
import type { Handler } from '../request-context.js';

export const handleLeaveGroup: Handler<LeaveGroupRequest, LeaveGroupResponse> = async (req, ctx) =>
  ({ throttleTimeMs: 0, errorCode: ctx.broker.groups.leaveGroup(req) });
