// DeleteGroups (key 42), versions 0-1 (v1 is v0 on the wire).
//
//   DeleteGroupsRequest v0-v1:
//     GroupsNames         ARRAY of STRING
//
//   DeleteGroupsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Results             ARRAY
//       GroupId           STRING
//       ErrorCode         INT16                  68 NON_EMPTY_GROUP, 69 GROUP_ID_NOT_FOUND
import { array, int16, int32, string, struct, type Infer } from '../codec.js';

export const DeleteGroupsRequest = struct({
  groupsNames: array(string),
});
export type DeleteGroupsRequest = Infer<typeof DeleteGroupsRequest>;

export const DeleteGroupsResponse = struct({
  throttleTimeMs: int32,
  results: array(struct({
    groupId: string,
    errorCode: int16,
  })),
});
export type DeleteGroupsResponse = Infer<typeof DeleteGroupsResponse>;
