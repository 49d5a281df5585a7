// ListPartitionReassignments (key 46), version 0, flexible (KIP-455): the replica moves in progress.
// Any broker answers from its copy of the metadata store. A partition that does not exist, or is not
// being moved, is left out of the answer (as Kafka does). Flexible: request header v2 and response
// header v1 (ApiSpec.flexibleFrom in api.ts).
//
//   ListPartitionReassignmentsRequest v0:
//     TimeoutMs           INT32
//     Topics              COMPACT_NULLABLE_ARRAY   (null = every reassignment in progress)
//       Name              COMPACT_STRING
//       PartitionIndexes  COMPACT_ARRAY of INT32
//       TAGGED_FIELDS
//     TAGGED_FIELDS
//
//   ListPartitionReassignmentsResponse v0:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     ErrorMessage        COMPACT_NULLABLE_STRING
//     Topics              COMPACT_ARRAY
//       Name              COMPACT_STRING
//       Partitions        COMPACT_ARRAY
//         PartitionIndex  INT32
//         Replicas        COMPACT_ARRAY of INT32   (the current replica list, adding replicas included)
//         AddingReplicas  COMPACT_ARRAY of INT32
//         RemovingReplicas COMPACT_ARRAY of INT32
//         TAGGED_FIELDS
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** Every version is flexible. */
const f = flexible(0);

export const ListPartitionReassignmentsRequest = f.struct({
  timeoutMs: int32,
  topics: f.nullableArray(f.struct({ name: f.string, partitionIndexes: f.array(int32) })),
});
export type ListPartitionReassignmentsRequest = Infer<typeof ListPartitionReassignmentsRequest>;

export const ListPartitionReassignmentsResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: f.nullableString,
  topics: f.array(f.struct({
    name: f.string,
    partitions: f.array(f.struct({
      partitionIndex: int32,
      replicas: f.array(int32),
      addingReplicas: f.array(int32),
      removingReplicas: f.array(int32),
    })),
  })),
});
export type ListPartitionReassignmentsResponse = Infer<typeof ListPartitionReassignmentsResponse>;
