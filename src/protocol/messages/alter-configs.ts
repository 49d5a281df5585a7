// AlterConfigs (key 33), versions 0-1 (v1 ≡ v0 on the wire). Replaces the whole set of dynamic configs
// of each resource: keys not listed go back to the broker's value.
//
//   AlterConfigsRequest v0-v1:
//     Resources           ARRAY
//       ResourceType      INT8      (2 = TOPIC)
//       ResourceName      STRING
//       Configs           ARRAY
//         Name            STRING
//         Value           NULLABLE_STRING
//     ValidateOnly        BOOLEAN
//
//   AlterConfigsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Responses           ARRAY
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING
//       ResourceType      INT8
//       ResourceName      STRING
import { array, boolean, int8, int16, int32, nullableString, string, struct, type Infer } from '../codec.js';

export const AlterConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8,
    resourceName: string,
    configs: array(struct({ name: string, value: nullableString })),
  })),
  validateOnly: boolean,
});
export type AlterConfigsRequest = Infer<typeof AlterConfigsRequest>;

export const AlterConfigsResponse = struct({
  throttleTimeMs: int32,
  responses: array(struct({
    errorCode: int16,
    errorMessage: nullableString,
    resourceType: int8,
    resourceName: string,
  })),
});
export type AlterConfigsResponse = Infer<typeof AlterConfigsResponse>;
