// AlterPartitionReassignments (key 45), version 0, flexible (KIP-455): start or cancel replica moves.
// Any broker answers (it hands the request to the controller through the metadata store); mq's CLI and
// kafkajs' admin both send it. Flexible: header v2/v1 (api.ts).
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
import { flexible } from '../flexible.js';

/** Every version is flexible. */
const f = flexible(0);

export const AlterPartitionReassignmentsRequest = f.struct({
  timeoutMs: int32,
  topics: f.array(f.struct({
    name: f.string,
    partitions: f.array(f.struct({ partitionIndex: int32, replicas: f.nullableArray(int32) })),
  })),
});
export type AlterPartitionReassignmentsRequest = Infer<typeof AlterPartitionReassignmentsRequest>;

export const AlterPartitionReassignmentsResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: f.nullableString,
  responses: f.array(f.struct({
    name: f.string,
    partitions: f.array(f.struct({ partitionIndex: int32, errorCode: int16, errorMessage: f.nullableString })),
  })),
});
export type AlterPartitionReassignmentsResponse = Infer<typeof AlterPartitionReassignmentsResponse>;
