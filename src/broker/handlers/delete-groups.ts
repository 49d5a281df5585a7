// DeleteGroups: removes empty groups and their committed offsets.
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../protocol/messages/delete-groups.js';
import type { Handler } from '../request-context.js';

export const handleDeleteGroups: Handler<DeleteGroupsRequest, DeleteGroupsResponse> = (req, ctx) =>
  ctx.broker.groups.deleteGroups(req.groupsNames);
