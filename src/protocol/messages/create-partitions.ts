// CreatePartitions (key 37), versions 0-1 (v1 is v0 on the wire).
//
//   CreatePartitionsRequest v0-v1:
//     Topics              ARRAY
//       Name              STRING
//       Count             INT32                  the new TOTAL partition count
//       Assignments       ARRAY (nullable)       null = automatic placement
//         BrokerIds       ARRAY of INT32         replicas of one new partition
//     TimeoutMs           INT32
//     ValidateOnly        BOOLEAN
//
//   CreatePartitionsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Results             ARRAY
//       Name              STRING
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING
import { array, boolean, int16, int32, nullableArray, nullableString, string, struct, type Infer } from '../codec.js';

export const CreatePartitionsRequest = struct({
  topics: array(struct({
    name: string,
    count: int32,
    assignments: nullableArray(struct({ brokerIds: array(int32) })),
  })),
  timeoutMs: int32,
  validateOnly: boolean,
});
export type CreatePartitionsRequest = Infer<typeof CreatePartitionsRequest>;

export const CreatePartitionsResponse = struct({
  throttleTimeMs: int32,
  results: array(struct({
    name: string,
    errorCode: int16,
    errorMessage: nullableString,
  })),
});
export type CreatePartitionsResponse = Infer<typeof CreatePartitionsResponse>;
