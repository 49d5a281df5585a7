// CreateTopics (key 19), versions 0-4 (v3 is v2 on the wire; v4 also allows -1 = broker default).
//
//   CreateTopicsRequest v0-v4:
//     Topics              ARRAY
//       Name              STRING
//       NumPartitions     INT32      -1 = broker default (v4+) or when Assignments are given
//       ReplicationFactor INT16      -1 = broker default (v4+) or when Assignments are given
//       Assignments       ARRAY      manual placement; empty = automatic
//         PartitionIndex  INT32
//         BrokerIds       ARRAY of INT32
//       Configs           ARRAY
//         Name            STRING
//         Value           NULLABLE_STRING
//     TimeoutMs           INT32
//     ValidateOnly        BOOLEAN   {v1+}
//
//   CreateTopicsResponse v0-v4:
//     ThrottleTimeMs      INT32     {v2+}
//     Topics              ARRAY
//       Name              STRING
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING {v1+}
import { array, boolean, int16, int32, nullableString, since, string, struct, type Infer } from '../codec.js';

export const CreateTopicsRequest = struct({
  topics: array(struct({
    name: string,
    numPartitions: int32,
    replicationFactor: int16,
    assignments: array(struct({
      partitionIndex: int32,
      brokerIds: array(int32),
    })),
    configs: array(struct({
      name: string,
      value: nullableString,
    })),
  })),
  timeoutMs: int32,
  validateOnly: since(1, boolean, false),
});
export type CreateTopicsRequest = Infer<typeof CreateTopicsRequest>;

export const CreateTopicsResponse = struct({
  throttleTimeMs: since(2, int32, 0),
  topics: array(struct({
    name: string,
    errorCode: int16,
    errorMessage: since(1, nullableString, null),
  })),
});
export type CreateTopicsResponse = Infer<typeof CreateTopicsResponse>;
