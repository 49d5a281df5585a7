// DeleteTopics: removes the metadata and the partition folders.
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../protocol/messages/delete-topics.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleDeleteTopics: Handler<DeleteTopicsRequest, DeleteTopicsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const responses: DeleteTopicsResponse['responses'] = [];
  for (const name of req.topicNames) {
    try {
      await b.authority.deleteTopic(name);
      await b.groups.deleteTopicOffsets(name);
      responses.push({ name, errorCode: 0 });
    } catch (err) {
      responses.push({ name, errorCode: errorCodeFor(err, b.logger, { op: 'delete-topic', topic: name }) });
    }
  }
  return { throttleTimeMs: 0, responses };
};
