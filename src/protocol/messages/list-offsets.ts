// ListOffsets (key 2), versions 1-3 (v3 is v2 on the wire).
//
//   ListOffsetsRequest v1-v3:
//     ReplicaId           INT32                  -1 for consumers
//     IsolationLevel      INT8      {v2+}        0 READ_UNCOMMITTED, 1 READ_COMMITTED
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         Timestamp       INT64                  -1 = latest, -2 = earliest, else a time in ms
//
//   ListOffsetsResponse v1-v3:
//     ThrottleTimeMs      INT32     {v2+}
//     Topics              ARRAY
//       Name              STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         ErrorCode       INT16
//         Timestamp       INT64                  -1 for the -1/-2 queries
//         Offset          INT64                  -1 when no record matches
import { array, int16, int32, int64, int8, since, string, struct, type Infer } from '../codec.js';

export const ListOffsetsRequest = struct({
  replicaId: int32,
  isolationLevel: since(2, int8, 0),
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      timestamp: int64,
    })),
  })),
});
export type ListOffsetsRequest = Infer<typeof ListOffsetsRequest>;

export const ListOffsetsResponse = struct({
  throttleTimeMs: since(2, int32, 0),
  topics: array(struct({
    name: string,
    partitions: array(struct({
      partitionIndex: int32,
      errorCode: int16,
      timestamp: int64,
      offset: int64,
    })),
  })),
});
export type ListOffsetsResponse = Infer<typeof ListOffsetsResponse>;
