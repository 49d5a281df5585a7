// JoinGroup: parked by the group coordinator until the rebalance completes.
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/join-group.js';
import type { Handler } from '../request-context.js';
import { originOf } from './request-origin.js';

export const handleJoinGroup: Handler<JoinGroupRequest, JoinGroupResponse> = (req, ctx) =>
  ctx.broker.groups.joinGroup(req, ctx.header.apiVersion, originOf(ctx));
