// DeleteRecords (key 21), versions 0-1 (v1 ≡ v0 on the wire). Sent to each partition's leader.
//
//   DeleteRecordsRequest v0-v1:
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         Offset          INT64     (the new log start offset; -1 = the high watermark)
//     TimeoutMs           INT32
//
//   DeleteRecordsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         LowWatermark    INT64     (the log start offset after the deletion)
//         ErrorCode       INT16
import { array, int16, int32, int64, string, struct, type Infer } from '../codec.js';

export const DeleteRecordsRequest = struct({
  topics: array(struct({
    name: string,
    partitions: array(struct({ partitionIndex: int32, offset: int64 })),
  })),
  timeoutMs: int32,
});
export type DeleteRecordsRequest = Infer<typeof DeleteRecordsRequest>;

export const DeleteRecordsResponse = struct({
  throttleTimeMs: int32,
  topics: array(struct({
    name: string,
    partitions: array(struct({ partitionIndex: int32, lowWatermark: int64, errorCode: int16 })),
  })),
});
export type DeleteRecordsResponse = Infer<typeof DeleteRecordsResponse>;
