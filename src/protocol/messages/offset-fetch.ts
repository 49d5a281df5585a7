// OffsetFetch (key 9), versions 1-4. v2 allows a null Topics array and adds the top-level ErrorCode,
// v3 adds ThrottleTimeMs, v4 is v3.
//
//   OffsetFetchRequest v1-v4:
//     GroupId             STRING
//     Topics              ARRAY (nullable {v2+})  null = every partition the group has committed
//       Name              STRING
//       PartitionIndexes  ARRAY of INT32
//
//   OffsetFetchResponse v1-v4:
//     ThrottleTimeMs      INT32     {v3+}
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         CommittedOffset INT64                  -1 if nothing is committed
//         Metadata        NULLABLE_STRING        "" if nothing is committed
//         ErrorCode       INT16                  0 even when nothing is committed
//     ErrorCode           INT16     {v2+}        group-level error, the LAST field
//
// v1 has no null array on the wire; the codec accepts -1 there anyway (lenient decode).
import { array, int16, int32, int64, nullableArray, nullableString, since, string, struct, type Infer } from '../codec.js';

export const OffsetFetchRequest = struct({
  groupId: string,
  topics: nullableArray(struct({
    name: string,
    partitionIndexes: array(int32),
  })),
});
export type OffsetFetchRequest = Infer<typeof OffsetFetchRequest>;

export const OffsetFetchResponse = struct({
  throttleTimeMs: since(3, int32, 0),
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      committedOffset: int64,
      metadata: nullableString,
      errorCode: int16,
    })),
  })),
  errorCode: since(2, int16, 0),
});
export type OffsetFetchResponse = Infer<typeof OffsetFetchResponse>;
