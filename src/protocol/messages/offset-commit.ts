// OffsetCommit (key 8), versions 2-5. v3 adds ThrottleTimeMs, v4 is v3, v5 drops RetentionTimeMs.
//
//   OffsetCommitRequest v2-v5:
//     GroupId             STRING
//     GenerationId        INT32                  -1 for standalone (non-group) commits
//     MemberId            STRING                 "" for standalone commits
//     RetentionTimeMs     INT64     {v2-4}       -1 = broker default
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         CommittedOffset INT64                  the next offset to consume
//         CommittedMetadata NULLABLE_STRING
//
//   OffsetCommitResponse v2-v5:
//     ThrottleTimeMs      INT32     {v3+}
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         ErrorCode       INT16
import { array, int16, int32, int64, nullableString, since, string, struct, versions, type Infer } from '../codec.js';

export const OffsetCommitRequest = struct({
  groupId: string,
  generationId: int32,
  memberId: string,
  retentionTimeMs: versions(2, 4, int64, -1n),
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      committedOffset: int64,
      committedMetadata: nullableString,
    })),
  })),
});
export type OffsetCommitRequest = Infer<typeof OffsetCommitRequest>;

export const OffsetCommitResponse = struct({
  throttleTimeMs: since(3, int32, 0),
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      errorCode: int16,
    })),
  })),
});
export type OffsetCommitResponse = Infer<typeof OffsetCommitResponse>;
