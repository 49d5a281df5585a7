// ListGroups: the groups this broker coordinates (clients ask every broker and concatenate).
import type { ListGroupsRequest, ListGroupsResponse } from '../../protocol/messages/list-groups.js';
import type { Handler } from '../request-context.js';

export const handleListGroups: Handler<ListGroupsRequest, ListGroupsResponse> = async (_req, ctx) => ctx.broker.groups.listGroups();
