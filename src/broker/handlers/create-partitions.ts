// CreatePartitions: grows a topic to a new total count (never shrinks).
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../protocol/messages/create-partitions.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import { CreateCaps } from '../create-caps.js';
import type { Handler } from '../request-context.js';

export const handleCreatePartitions: Handler<CreatePartitionsRequest, CreatePartitionsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const results: CreatePartitionsResponse['results'] = [];
  const caps = new CreateCaps(b.config);
  for (const t of req.topics) {
    try {
      const current = b.authority.topic(t.name)?.replicas.length ?? 0;
      caps.take(t.count, t.count - current);
      await b.authority.addPartitions(t.name, t.count, t.assignments?.map((a) => a.brokerIds) ?? null, req.validateOnly);
      results.push({ name: t.name, errorCode: 0, errorMessage: null });
    } catch (err) {
      results.push({ name: t.name, errorCode: errorCodeFor(err, b.logger, { op: 'create-partitions', topic: t.name }), errorMessage: errorMessageFor(err) });
    }
  }
  return { throttleTimeMs: 0, results };
};
