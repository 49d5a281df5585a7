// CreateTopics: one result per topic, with an error message a person can act on.
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/create-topics.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import { CreateCaps } from '../create-caps.js';
import type { Handler } from '../request-context.js';

export const handleCreateTopics: Handler<CreateTopicsRequest, CreateTopicsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const topics: CreateTopicsResponse['topics'] = [];
  const caps = new CreateCaps(b.config);
  for (const t of req.topics) {
    try {
      const asked = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? b.config.numPartitions : t.numPartitions;
      caps.take(asked, asked);
      const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? '']).filter(([, v]) => v !== ''));
      await b.authority.createTopic({
        name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, configs, validateOnly: req.validateOnly,
        assignments: [...t.assignments].sort((x, y) => x.partitionIndex - y.partitionIndex).map((a) => a.brokerIds),
      });
      topics.push({ name: t.name, errorCode: 0, errorMessage: null });
    } catch (err) {
      topics.push({ name: t.name, errorCode: errorCodeFor(err, b.logger, { op: 'create-topic', topic: t.name }), errorMessage: errorMessageFor(err) });
    }
  }
  return { throttleTimeMs: 0, topics };
};
