// DeleteAcls (key 31), versions 0-1: remove the bindings each filter selects; one result per filter
// listing what it removed. v1 adds the pattern type (v0 means literal). Codes as in describe-acls.ts.
//
//   DeleteAclsRequest v0-v1:
//     Filters             ARRAY
//       ResourceTypeFilter INT8
//       ResourceNameFilter NULLABLE_STRING
//       PatternTypeFilter INT8                   (v1+)
//       PrincipalFilter   NULLABLE_STRING
//       HostFilter        NULLABLE_STRING
//       Operation         INT8
//       PermissionType    INT8
//
//   DeleteAclsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     FilterResults       ARRAY
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING
//       MatchingAcls      ARRAY
//         ErrorCode       INT16
//         ErrorMessage    NULLABLE_STRING
//         ResourceType    INT8
//         ResourceName    STRING
//         PatternType     INT8                   (v1+)
//         Principal       STRING
//         Host            STRING
//         Operation       INT8
//         PermissionType  INT8
import { array, int16, int32, int8, nullableString, since, string, struct, type Infer } from '../codec.js';
import { DescribeAclsRequest } from './describe-acls.js';

export const DeleteAclsRequest = struct({
  // Each filter has DescribeAcls' fields exactly.
  filters: array(DescribeAclsRequest),
});
export type DeleteAclsRequest = Infer<typeof DeleteAclsRequest>;

export const DeleteAclsResponse = struct({
  throttleTimeMs: int32,
  filterResults: array(struct({
    errorCode: int16,
    errorMessage: nullableString,
    matchingAcls: array(struct({
      errorCode: int16,
      errorMessage: nullableString,
      resourceType: int8,
      resourceName: string,
      patternType: since(1, int8, 3),
      principal: string,
      host: string,
      operation: int8,
      permissionType: int8,
    })),
  })),
});
export type DeleteAclsResponse = Infer<typeof DeleteAclsResponse>;
