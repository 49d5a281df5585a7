// OffsetDelete (key 47), versions 0-1 (v1 is v0 on the wire; no flexible version). Sent to the group's
// coordinator; deletes the group's committed offsets of the given partitions.
//
//   OffsetDeleteRequest v0-v1:
//     GroupId             STRING
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//
//   OffsetDeleteResponse v0-v1:
//     ErrorCode           INT16                  group-level: 69 GROUP_ID_NOT_FOUND, 68 NON_EMPTY_GROUP,
//                                                16 NOT_COORDINATOR, 24 INVALID_GROUP_ID (Topics then empty)
//     ThrottleTimeMs      INT32
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         ErrorCode       INT16                  86 GROUP_SUBSCRIBED_TO_TOPIC, 3 UNKNOWN_TOPIC_OR_PARTITION
import { array, int16, int32, string, struct, type Infer } from '../codec.js';

export const OffsetDeleteRequest = struct({
  groupId: string,
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
    })),
  })),
});
export type OffsetDeleteRequest = Infer<typeof OffsetDeleteRequest>;

export const OffsetDeleteResponse = struct({
  errorCode: int16,
  throttleTimeMs: int32,
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      errorCode: int16,
    })),
  })),
});
export type OffsetDeleteResponse = Infer<typeof OffsetDeleteResponse>;
