// JoinGroup (key 11), versions 0-5. v1 adds RebalanceTimeoutMs, v2 adds ThrottleTimeMs, v3 is v2,
// v4 is v3 on the wire with "member id required" semantics, v5 adds GroupInstanceId.
//
//   JoinGroupRequest v0-v5:
//     GroupId             STRING
//     SessionTimeoutMs    INT32
//     RebalanceTimeoutMs  INT32     {v1+}        v0: the session timeout is the rebalance timeout
//     MemberId            STRING                 "" on the first join
//     GroupInstanceId     NULLABLE_STRING {v5+}  static membership
//     ProtocolType        STRING                 "consumer"
//     Protocols           ARRAY
//       Name              STRING                 assignor name, e.g. "range"
//       Metadata          BYTES                  opaque (ConsumerProtocolSubscription)
//
//   JoinGroupResponse v0-v5:
//     ThrottleTimeMs      INT32     {v2+}
//     ErrorCode           INT16
//     GenerationId        INT32
//     ProtocolName        STRING                 protocol chosen for the generation
//     Leader              STRING                 member id of the leader
//     MemberId            STRING                 the caller's member id
//     Members             ARRAY                  every member for the leader, empty for the others
//       MemberId          STRING
//       GroupInstanceId   NULLABLE_STRING {v5+}
//       Metadata          BYTES
import { array, bytes, int16, int32, nullableString, since, string, struct, type Infer } from '../codec.js';

export const JoinGroupRequest = struct({
  groupId: string,
  sessionTimeoutMs: int32,
  rebalanceTimeoutMs: since(1, int32, -1),
  memberId: string,
  groupInstanceId: since(5, nullableString, null),
  protocolType: string,
  protocols: array(struct({
    name: string,
    metadata: bytes,
  })),
});
export type JoinGroupRequest = Infer<typeof JoinGroupRequest>;

export const JoinGroupResponse = struct({
  throttleTimeMs: since(2, int32, 0),
  errorCode: int16,
  generationId: int32,
  protocolName: string,
  leader: string,
  memberId: string,
  members: array(struct({
    memberId: string,
    groupInstanceId: since(5, nullableString, null),
    metadata: bytes,
  })),
});
export type JoinGroupResponse = Infer<typeof JoinGroupResponse>;
