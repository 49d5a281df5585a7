// Fetch (key 1), versions 4-11.
//
//   FetchRequest v4-v11:
//     ReplicaId           INT32                  -1 for consumers; the follower's broker id for replication
//     MaxWaitMs           INT32
//     MinBytes            INT32
//     MaxBytes            INT32                  response-wide soft limit
//     IsolationLevel      INT8                   0 READ_UNCOMMITTED, 1 READ_COMMITTED
//     SessionId           INT32     {v7+}        0 = no session
//     SessionEpoch        INT32     {v7+}        -1 = full fetch, no session
//     Topics              ARRAY
//       Topic             STRING
//       Partitions        ARRAY
//         Partition       INT32
//         CurrentLeaderEpoch INT32  {v9+}        -1 = don't check
//         FetchOffset     INT64
//         LogStartOffset  INT64     {v5+}        followers only; consumers send -1
//         PartitionMaxBytes INT32
//     ForgottenTopicsData ARRAY     {v7+}
//       Topic             STRING
//       Partitions        ARRAY of INT32
//     RackId              STRING    {v11+}
//
//   FetchResponse v4-v11:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16     {v7+}        top-level (session errors)
//     SessionId           INT32     {v7+}
//     Responses           ARRAY
//       Topic             STRING
//       Partitions        ARRAY
//         PartitionIndex  INT32
//         ErrorCode       INT16
//         HighWatermark   INT64
//         LastStableOffset INT64
//         LogStartOffset  INT64     {v5+}
//         AbortedTransactions ARRAY (nullable)
//           ProducerId    INT64
//           FirstOffset   INT64
//         PreferredReadReplica INT32 {v11+}      always -1 from us
//         Records         RECORDS                never null: size 0 when empty
//
// Records encode from a Buffer or a list of file slices (Buffer[]) without joining them, and decode to a
// view of the response buffer.
import {
  array, int16, int32, int64, int8, nullableArray, records, since, string, struct, type Infer,
} from '../codec.js';

const noForgottenTopics = Object.freeze([]) as never[];

export const FetchRequest = struct({
  replicaId: int32,
  maxWaitMs: int32,
  minBytes: int32,
  maxBytes: int32,
  isolationLevel: int8,
  sessionId: since(7, int32, 0),
  sessionEpoch: since(7, int32, -1),
  topics: array(struct({
    topic: string,
    partitions: array(struct({
      partition: int32,
      currentLeaderEpoch: since(9, int32, -1),
      fetchOffset: int64,
      logStartOffset: since(5, int64, -1n),
      partitionMaxBytes: int32,
    })),
  })),
  forgottenTopicsData: since(7, array(struct({ topic: string, partitions: array(int32) })), noForgottenTopics),
  rackId: since(11, string, ''),
});
export type FetchRequest = Infer<typeof FetchRequest>;

export const FetchResponse = struct({
  throttleTimeMs: int32,
  errorCode: since(7, int16, 0),
  sessionId: since(7, int32, 0),
  responses: array(struct({
    topic: string,
    partitions: array(struct({
      partitionIndex: int32,
      errorCode: int16,
      highWatermark: int64,
      lastStableOffset: int64,
      logStartOffset: since(5, int64, -1n),
      abortedTransactions: nullableArray(struct({ producerId: int64, firstOffset: int64 })),
      preferredReadReplica: since(11, int32, -1),
      records,
    })),
  })),
});
export type FetchResponse = Infer<typeof FetchResponse>;
