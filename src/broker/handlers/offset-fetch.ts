// OffsetFetch: a group's committed offsets (-1 where nothing is committed; null topics = all of them).
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/messages/offset-fetch.js';
import type { Handler } from '../request-context.js';

export const handleOffsetFetch: Handler<OffsetFetchRequest, OffsetFetchResponse> = async (req, ctx) =>
  ctx.broker.groups.fetchOffsets(req);
