// ListGroups (key 16), versions 0-2 (v2 is v1 on the wire). Each broker lists only the groups it
// coordinates: clients ask every broker and concatenate.
//
//   ListGroupsRequest v0-v2:   (empty body)
//
//   ListGroupsResponse v0-v2:
//     ThrottleTimeMs      INT32     {v1+}
//     ErrorCode           INT16
//     Groups              ARRAY
//       GroupId           STRING
//       ProtocolType      STRING                 "consumer", or "" for offsets-only groups
import { array, int16, int32, since, string, struct, type Infer } from '../codec.js';

export const ListGroupsRequest = struct({});
export type ListGroupsRequest = Infer<typeof ListGroupsRequest>;

export const ListGroupsResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  errorCode: int16,
  groups: array(struct({
    groupId: string,
    protocolType: string,
  })),
});
export type ListGroupsResponse = Infer<typeof ListGroupsResponse>;
