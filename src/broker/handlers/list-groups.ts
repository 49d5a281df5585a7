// ListGroups: the groups this broker coordinates, with their states (clients ask every broker and
// concatenate); v4's states filter keeps only the groups in those states.
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/list-groups.js';
import type { Handler } from '../request-context.js';

export const handleListGroups: Handler<ListGroupsRequest, ListGroupsResponse> = async (req, ctx) =>
  ctx.broker.groups.listGroups(req.statesFilter);
