// ListPartitionReassignments (key 46), version 0, flexible (KIP-455): the replica moves in progress.
// Any broker answers from its copy of the metadata store. A partition that does not exist, or is not
// being moved, is left out of the answer (as Kafka does). The header's tagged fields are part of these
// codecs (flexible.ts).
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
import { compactArray, compactNullableArray, compactNullableString, compactString, tagged, withHeaderTags } from '../flexible.js';

export const ListPartitionReassignmentsRequest = withHeaderTags(tagged({
  timeoutMs: int32,
  topics: compactNullableArray(tagged({ name: compactString, partitionIndexes: compactArray(int32) })),
}));
export type ListPartitionReassignmentsRequest = Infer<typeof ListPartitionReassignmentsRequest>;

export const ListPartitionReassignmentsResponse = withHeaderTags(tagged({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: compactNullableString,
  topics: compactArray(tagged({
    name: compactString,
    partitions: compactArray(tagged({
      partitionIndex: int32,
      replicas: compactArray(int32),
      addingReplicas: compactArray(int32),
      removingReplicas: compactArray(int32),
    })),
  })),
}));
export type ListPartitionReassignmentsResponse = Infer<typeof ListPartitionReassignmentsResponse>;
