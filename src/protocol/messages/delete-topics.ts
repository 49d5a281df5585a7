// DeleteTopics (key 20), versions 0-1.
//
//   DeleteTopicsRequest v0-v1:
//     TopicNames          ARRAY of STRING
//     TimeoutMs           INT32
//
//   DeleteTopicsResponse v0-v1:
//     ThrottleTimeMs      INT32     {v1+}
//     Responses           ARRAY
//       Name              STRING
//       ErrorCode         INT16
import { array, int16, int32, since, string, struct, type Infer } from '../codec.js';

export const DeleteTopicsRequest = struct({
  topicNames: array(string),
  timeoutMs: int32,
});
export type DeleteTopicsRequest = Infer<typeof DeleteTopicsRequest>;

export const DeleteTopicsResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  responses: array(struct({
    name: string,
    errorCode: int16,
  })),
});
export type DeleteTopicsResponse = Infer<typeof DeleteTopicsResponse>;
