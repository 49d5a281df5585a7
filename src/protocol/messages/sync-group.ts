// SyncGroup (key 14), versions 0-3 (v2 is v1 on the wire; v3 adds GroupInstanceId).
//
//   SyncGroupRequest v0-v3:
//     GroupId             STRING
//     GenerationId        INT32
//     MemberId            STRING
//     GroupInstanceId     NULLABLE_STRING {v3+}
//     Assignments         ARRAY                  only the leader fills it, one entry per member
//       MemberId          STRING
//       Assignment        BYTES                  opaque (ConsumerProtocolAssignment)
//
//   SyncGroupResponse v0-v3:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16
//     Assignment          BYTES                  this member's assignment (may be empty)
import { array, bytes, int16, int32, nullableString, since, string, struct, type Infer } from '../codec.js';

export const SyncGroupRequest = struct({
  groupId: string,
  generationId: int32,
  memberId: string,
  groupInstanceId: since(3, nullableString, null),
  assignments: array(struct({
    memberId: string,
    assignment: bytes,
  })),
});
export type SyncGroupRequest = Infer<typeof SyncGroupRequest>;

export const SyncGroupResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
  assignment: bytes,
});
export type SyncGroupResponse = Infer<typeof SyncGroupResponse>;
