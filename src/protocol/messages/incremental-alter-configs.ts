// IncrementalAlterConfigs (key 44), version 0 (v1 is the first flexible version): change some config
// keys of a resource and leave the others alone. mq serves it for topics (the keys given are merged
// into the topic's overrides) and for brokers (the reassignment throttle, replication/throttle-config.ts).
//
//   IncrementalAlterConfigsRequest v0:
//     Resources           ARRAY
//       ResourceType      INT8      (2 = topic, 4 = broker)
//       ResourceName      STRING    (a topic; a broker id, or "" for the cluster-wide broker default)
//       Configs           ARRAY
//         Name            STRING
//         ConfigOperation INT8      (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)
//         Value           NULLABLE_STRING
//     ValidateOnly        BOOLEAN
//
//   IncrementalAlterConfigsResponse v0:
//     ThrottleTimeMs      INT32
//     Responses           ARRAY
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING
//       ResourceType      INT8
//       ResourceName      STRING
import { array, boolean, int8, int16, int32, nullableString, string, struct, type Infer } from '../codec.js';

export const CONFIG_OP_SET = 0;
export const CONFIG_OP_DELETE = 1;
export const CONFIG_OP_APPEND = 2;
export const CONFIG_OP_SUBTRACT = 3;

export const IncrementalAlterConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8,
    resourceName: string,
    configs: array(struct({ name: string, configOperation: int8, value: nullableString })),
  })),
  validateOnly: boolean,
});
export type IncrementalAlterConfigsRequest = Infer<typeof IncrementalAlterConfigsRequest>;

export const IncrementalAlterConfigsResponse = struct({
  throttleTimeMs: int32,
  responses: array(struct({ errorCode: int16, errorMessage: nullableString, resourceType: int8, resourceName: string })),
});
export type IncrementalAlterConfigsResponse = Infer<typeof IncrementalAlterConfigsResponse>;
