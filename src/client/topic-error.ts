// Topic-level wire errors (Metadata, CreateTopics, DeleteTopics, CreatePartitions) as MqErrors whose
// message names the topic the way a person would say it. The code and `retriable` still come from
// errorFromCode, the one table of codes.
import { errorFromCode } from '../protocol/error-codes.js';
import { MqError } from '../util/mq-error.js';

/** The MqError for `code` on `topic`; `brokerMessage` (CreateTopics/CreatePartitions ErrorMessage) is appended when given. */
export function topicError(code: number, topic: string, brokerMessage?: string | null): MqError {
  const base = errorFromCode(code, `topic '${topic}'`);
  const detail = brokerMessage ? `: ${brokerMessage}` : '';
  let message: string;
  let hint: string | undefined;
  switch (base.code) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      message = `topic '${topic}' does not exist`;
      hint = `Create it with \`mq topics create ${topic}\`, or list topics with \`mq topics list\`.`;
      break;
    case 'TOPIC_ALREADY_EXISTS':
      message = `topic '${topic}' already exists`;
      break;
    case 'INVALID_TOPIC_EXCEPTION':
      message = `'${topic}' is not a valid topic name${detail}`;
      hint = 'Topic names are 1-249 characters from [a-zA-Z0-9._-], and not "." or "..".';
      break;
    case 'LEADER_NOT_AVAILABLE':
      message = `topic '${topic}' has no leader yet`;
      break;
    default:
      message = brokerMessage ? `${base.message}${detail}` : base.message;
  }
  return new MqError(base.code, message, { retriable: base.retriable, hint });
}
