// CreateAcls (key 30), versions 0-1: add ACL bindings; one result per creation, in order. v1 adds the
// pattern type (v0 means literal). Codes as in describe-acls.ts.
//
//   CreateAclsRequest v0-v1:
//     Creations           ARRAY
//       ResourceType      INT8
//       ResourceName      STRING
//       ResourcePatternType INT8                 (v1+)
//       Principal         STRING
//       Host              STRING
//       Operation         INT8
//       PermissionType    INT8
//
//   CreateAclsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Results             ARRAY
//       ErrorCode         INT16                  42 INVALID_REQUEST, 31 CLUSTER_AUTHORIZATION_FAILED
//       ErrorMessage      NULLABLE_STRING
import { array, int16, int32, int8, nullableString, since, string, struct, type Infer } from '../codec.js';

export const CreateAclsRequest = struct({
  creations: array(struct({
    resourceType: int8,
    resourceName: string,
    resourcePatternType: since(1, int8, 3),
    principal: string,
    host: string,
    operation: int8,
    permissionType: int8,
  })),
});
export type CreateAclsRequest = Infer<typeof CreateAclsRequest>;

export const CreateAclsResponse = struct({
  throttleTimeMs: int32,
  results: array(struct({
    errorCode: int16,
    errorMessage: nullableString,
  })),
});
export type CreateAclsResponse = Infer<typeof CreateAclsResponse>;
