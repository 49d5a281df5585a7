// DescribeAcls (key 29), versions 0-1: the ACL bindings a filter selects, grouped by resource. v1 adds
// the pattern type (v0 means literal). Codes are Kafka's (src/security/acl.ts): resource type 1 any,
// 2 topic, 3 group, 4 cluster, 5 transactional id; pattern 1 any, 2 match, 3 literal, 4 prefixed;
// operation 1 any, 2 all, 3 read, 4 write, ...; permission 1 any, 2 deny, 3 allow.
//
//   DescribeAclsRequest v0-v1:
//     ResourceTypeFilter  INT8
//     ResourceNameFilter  NULLABLE_STRING        null = any name
//     PatternTypeFilter   INT8                   (v1+; v0: literal)
//     PrincipalFilter     NULLABLE_STRING
//     HostFilter          NULLABLE_STRING
//     Operation           INT8
//     PermissionType      INT8
//
//   DescribeAclsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16                  31 CLUSTER_AUTHORIZATION_FAILED, 54 SECURITY_DISABLED
//     ErrorMessage        NULLABLE_STRING
//     Resources           ARRAY
//       Type              INT8
//       Name              STRING
//       PatternType       INT8                   (v1+)
//       Acls              ARRAY
//         Principal       STRING
//         Host            STRING
//         Operation       INT8
//         PermissionType  INT8
import { array, int16, int32, int8, nullableString, since, string, struct, type Infer } from '../codec.js';

/** PatternType literal, what v0 means. */
const LITERAL = 3;

/** The filter DescribeAcls carries, and each of DeleteAcls' filters (delete-acls.ts): the same fields. */
export const DescribeAclsRequest = struct({
  resourceTypeFilter: int8,
  resourceNameFilter: nullableString,
  patternTypeFilter: since(1, int8, LITERAL),
  principalFilter: nullableString,
  hostFilter: nullableString,
  operation: int8,
  permissionType: int8,
});
export type DescribeAclsRequest = Infer<typeof DescribeAclsRequest>;

export const DescribeAclsResponse = struct({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: nullableString,
  resources: array(struct({
    type: int8,
    name: string,
    patternType: since(1, int8, LITERAL),
    acls: array(struct({
      principal: string,
      host: string,
      operation: int8,
      permissionType: int8,
    })),
  })),
});
export type DescribeAclsResponse = Infer<typeof DescribeAclsResponse>;
