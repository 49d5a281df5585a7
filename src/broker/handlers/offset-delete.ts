// OffsetDelete: deletes a group's committed offsets of some partitions through the group coordinator
// (refused per partition while live members subscribe to the topic).
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../protocol/messages/offset-delete.js';
import type { Handler } from '../request-context.js';

export const handleOffsetDelete: Handler<OffsetDeleteRequest, OffsetDeleteResponse> = (req, ctx) =>
  ctx.broker.groups.deleteOffsets(req);
