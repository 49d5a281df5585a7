// LeaveGroup (key 13), versions 0-2 (v2 is v1 on the wire; v3 would batch members, so we stop at 2).
//
//   LeaveGroupRequest v0-v2:
//     GroupId             STRING
//     MemberId            STRING
//
//   LeaveGroupResponse v0-v2:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16
import { int16, int32, since, string, struct, type Infer } from '../codec.js';

export const LeaveGroupRequest = struct({
  groupId: string,
  memberId: string,
});
export type LeaveGroupRequest = Infer<typeof LeaveGroupRequest>;

export const LeaveGroupResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
});
export type LeaveGroupResponse = Infer<typeof LeaveGroupResponse>;
