// Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import type { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/heartbeat.js';
import type { Handler } from '../request-context.js';

export const handleHeartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = async (req, ctx) =>
  ({ throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req) });
