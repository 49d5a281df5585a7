// SyncGroup: followers are parked until the leader's assignment arrives.
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/sync-group.js';
import type { Handler } from '../request-context.js';

export const handleSyncGroup: Handler<SyncGroupRequest, SyncGroupResponse> = (req, ctx) => ctx.broker.groups.syncGroup(req);
