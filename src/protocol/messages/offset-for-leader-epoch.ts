// OffsetForLeaderEpoch (key 23), versions 0-3 (v4 is the first flexible version). A follower that starts
// following a new leader asks it where each of its own leader epochs ends on the leader, and truncates its
// log there before fetching (Kafka's KIP-101/KIP-279 truncation by leader epoch, never by high watermark).
//
//   OffsetForLeaderEpochRequest v0-v3:
//     ReplicaId            INT32     {v3+}       the follower's broker id, -1 for a consumer; absent before
//                                                 v3, where it decodes as -2 (Kafka's "debug" replica id,
//                                                 which old followers and tools used)
//     Topics               ARRAY
//       Topic              STRING
//       Partitions         ARRAY
//         Partition        INT32
//         CurrentLeaderEpoch INT32   {v2+}       the leader epoch the sender believes current, -1 = unknown;
//                                                 older than the broker's → FENCED_LEADER_EPOCH (74), newer →
//                                                 UNKNOWN_LEADER_EPOCH (75)
//         LeaderEpoch      INT32                 the epoch to find the end offset of
//
//   OffsetForLeaderEpochResponse v0-v3 (v3 is v2 on the wire):
//     ThrottleTimeMs       INT32     {v2+}
//     Topics               ARRAY
//       Topic              STRING
//       Partitions         ARRAY
//         ErrorCode        INT16
//         Partition        INT32
//         LeaderEpoch      INT32     {v1+}       the largest epoch <= the requested one the leader has, or -1
//         EndOffset        INT64                 where that epoch ends on the leader (the first offset of
//                                                 the next epoch, or the log end offset for the latest one);
//                                                 -1 when the leader knows no such epoch
import { array, int16, int32, int64, since, string, struct, type Infer } from '../codec.js';

export const OffsetForLeaderEpochRequest = struct({
  replicaId: since(3, int32, -2),
  topics: array(struct({
    topic: string,
    partitions: array(struct({
      partition: int32,
      currentLeaderEpoch: since(2, int32, -1),
      leaderEpoch: int32,
    })),
  })),
});
export type OffsetForLeaderEpochRequest = Infer<typeof OffsetForLeaderEpochRequest>;

export const OffsetForLeaderEpochResponse = struct({
  throttleTimeMs: since(2, int32, 0),
  topics: array(struct({
    topic: string,
    partitions: array(struct({
      errorCode: int16,
      partition: int32,
      leaderEpoch: since(1, int32, -1),
      endOffset: int64,
    })),
  })),
});
export type OffsetForLeaderEpochResponse = Infer<typeof OffsetForLeaderEpochResponse>;
