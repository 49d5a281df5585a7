// DescribeGroups (key 15), versions 0-2 (v2 is v1 on the wire).
//
//   DescribeGroupsRequest v0-v2:
//     Groups              ARRAY of STRING
//
//   DescribeGroupsResponse v0-v2:
//     ThrottleTimeMs      INT32     {v1+}
//     Groups              ARRAY
//       ErrorCode         INT16
//       GroupId           STRING
//       GroupState        STRING                 Empty | PreparingRebalance | CompletingRebalance | Stable | Dead
//       ProtocolType      STRING
//       ProtocolData      STRING                 chosen protocol name
//       Members           ARRAY
//         MemberId        STRING
//         ClientId        STRING
//         ClientHost      STRING                 e.g. "/127.0.0.1"
//         MemberMetadata  BYTES
//         MemberAssignment BYTES
import { array, bytes, int16, int32, since, string, struct, type Infer } from '../codec.js';

export const DescribeGroupsRequest = struct({
  groups: array(string),
});
export type DescribeGroupsRequest = Infer<typeof DescribeGroupsRequest>;

export const DescribeGroupsResponse = struct({
  throttleTimeMs: since(1, int32, 0),
  groups: array(struct({
    errorCode: int16,
    groupId: string,
    groupState: string,
    protocolType: string,
    protocolData: string,
    members: array(struct({
      memberId: string,
      clientId: string,
      clientHost: string,
      memberMetadata: bytes,
      memberAssignment: bytes,
    })),
  })),
});
export type DescribeGroupsResponse = Infer<typeof DescribeGroupsResponse>;
