// Heartbeat (key 12), versions 0-3 (v2 is v1 on the wire; v3 adds GroupInstanceId).
//
//   HeartbeatRequest v0-v3:
//     GroupId             STRING
//     GenerationId        INT32
//     MemberId            STRING
//     GroupInstanceId     NULLABLE_STRING {v3+}
//
//   HeartbeatResponse v0-v3:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16                  27 REBALANCE_IN_PROGRESS tells the member to rejoin
import { int16, int32, nullableString, since, string, struct, type Infer } from '../codec.js';

export const HeartbeatRequest = struct({
  groupId: string,
  generationId: int32,
  memberId: string,
  groupInstanceId: since(3, nullableString, null),
});
export type HeartbeatRequest = Infer<typeof HeartbeatRequest>;

export const HeartbeatResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
});
export type HeartbeatResponse = Infer<typeof HeartbeatResponse>;
