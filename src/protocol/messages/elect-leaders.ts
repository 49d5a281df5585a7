// ElectLeaders (key 43), versions 0-1 (v2 is the first flexible version). Sent to the controller; `mq
// rebalance leaders` uses it to move leadership back to each partition's preferred replica.
//
//   ElectLeadersRequest v0-v1:
//     ElectionType        INT8      (v1+; 0 = preferred replica, 1 = unclean; v0 always means preferred)
//     TopicPartitions     ARRAY (nullable)       null = every partition of every topic
//       Topic             STRING
//       Partitions        ARRAY of INT32
//     TimeoutMs           INT32
//
//   ElectLeadersResponse v0-v1:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16     (v1+; a request-wide error such as NOT_CONTROLLER)
//     ReplicaElectionResults ARRAY
//       Topic             STRING
//       PartitionResult   ARRAY
//         PartitionId     INT32
//         ErrorCode       INT16     (0 = elected; ELECTION_NOT_NEEDED; PREFERRED_LEADER_NOT_AVAILABLE; ...)
//         ErrorMessage    NULLABLE_STRING
import { array, int8, int16, int32, nullableArray, nullableString, since, string, struct, type Infer } from '../codec.js';

/** ElectionType: elect each partition's preferred replica (replicas[0]). */
export const ELECTION_TYPE_PREFERRED = 0;
/** ElectionType: elect any live replica when no ISR member is live (mq refuses it). */
export const ELECTION_TYPE_UNCLEAN = 1;

export const ElectLeadersRequest = struct({
  electionType: since(1, int8, ELECTION_TYPE_PREFERRED),
  topicPartitions: nullableArray(struct({ topic: string, partitions: array(int32) })),
  timeoutMs: int32,
});
export type ElectLeadersRequest = Infer<typeof ElectLeadersRequest>;

export const ElectLeadersResponse = struct({
  throttleTimeMs: int32,
  errorCode: since(1, int16, 0),
  replicaElectionResults: array(struct({
    topic: string,
    partitionResult: array(struct({ partitionId: int32, errorCode: int16, errorMessage: nullableString })),
  })),
});
export type ElectLeadersResponse = Infer<typeof ElectLeadersResponse>;
