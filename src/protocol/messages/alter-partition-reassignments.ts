// AlterPartitionReassignments (key 45), version 0, flexible (KIP-455): start or cancel replica moves.
// Any broker answers (it hands the request to the controller through the metadata store); mq's CLI and
// kafkajs' admin both send it. The header's tagged fields are part of these codecs (flexible.ts).
//
//   AlterPartitionReassignmentsRequest v0:
//     TimeoutMs           INT32
//     Topics              COMPACT_ARRAY
//       Name              COMPACT_STRING
//       Partitions        COMPACT_ARRAY
//         PartitionIndex  INT32
//         Replicas        COMPACT_NULLABLE_ARRAY of INT32   (null = cancel the partition's reassignment)
//         TAGGED_FIELDS
//       TAGGED_FIELDS
//     TAGGED_FIELDS
//
//   AlterPartitionReassignmentsResponse v0:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16      (request-wide, e.g. NOT_CONTROLLER; 0 otherwise)
//     ErrorMessage        COMPACT_NULLABLE_STRING
//     Responses           COMPACT_ARRAY
//       Name              COMPACT_STRING
//       Partitions        COMPACT_ARRAY
//         PartitionIndex  INT32
//         ErrorCode       INT16      (NO_REASSIGNMENT_IN_PROGRESS, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT, ...)
//         ErrorMessage    COMPACT_NULLABLE_STRING
//         TAGGED_FIELDS
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, type Infer } from '../codec.js';
import { compactArray, compactNullableArray, compactNullableString, compactString, tagged, withHeaderTags } from '../flexible.js';

export const AlterPartitionReassignmentsRequest = withHeaderTags(tagged({
  timeoutMs: int32,
  topics: compactArray(tagged({
    name: compactString,
    partitions: compactArray(tagged({ partitionIndex: int32, replicas: compactNullableArray(int32) })),
  })),
}));
export type AlterPartitionReassignmentsRequest = Infer<typeof AlterPartitionReassignmentsRequest>;

export const AlterPartitionReassignmentsResponse = withHeaderTags(tagged({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: compactNullableString,
  responses: compactArray(tagged({
    name: compactString,
    partitions: compactArray(tagged({ partitionIndex: int32, errorCode: int16, errorMessage: compactNullableString })),
  })),
}));
export type AlterPartitionReassignmentsResponse = Infer<typeof AlterPartitionReassignmentsResponse>;
