// OffsetCommit: stores committed offsets through the group coordinator (durable before the answer).
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../protocol/messages/offset-commit.js';
import type { Handler } from '../request-context.js';

export const handleOffsetCommit: Handler<OffsetCommitRequest, OffsetCommitResponse> = (req, ctx) =>
  ctx.broker.groups.commitOffsets(req);
