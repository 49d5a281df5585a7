// IncrementalAlterConfigs (key 44), versions 0-1 (v1 is v0 made flexible: compact strings and arrays,
// tagged fields; Kafka's Java admin client sends v1): change some config keys of a resource and leave
// the others alone. mq serves it for topics (the keys given are merged
// into the topic's overrides) and for brokers (the reassignment throttle, replication/throttle-config.ts).
//
//   IncrementalAlterConfigsRequest v0-v1:
//     Resources           ARRAY
//       ResourceType      INT8      (2 = topic, 4 = broker)
//       ResourceName      STRING    (a topic; a broker id, or "" for the cluster-wide broker default)
//       Configs           ARRAY
//         Name            STRING
//         ConfigOperation INT8      (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)
//         Value           NULLABLE_STRING
//     ValidateOnly        BOOLEAN
//
//   IncrementalAlterConfigsResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Responses           ARRAY
//       ErrorCode         INT16
//       ErrorMessage      NULLABLE_STRING
//       ResourceType      INT8
//       ResourceName      STRING
import { boolean, int8, int16, int32, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version. */
export const INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM = 1;
const f = flexible(INCREMENTAL_ALTER_CONFIGS_FLEXIBLE_FROM);

export const CONFIG_OP_SET = 0;
export const CONFIG_OP_DELETE = 1;
export const CONFIG_OP_APPEND = 2;
export const CONFIG_OP_SUBTRACT = 3;

export const IncrementalAlterConfigsRequest = f.struct({
  resources: f.array(f.struct({
    resourceType: int8,
    resourceName: f.string,
    configs: f.array(f.struct({ name: f.string, configOperation: int8, value: f.nullableString })),
  })),
  validateOnly: boolean,
});
export type IncrementalAlterConfigsRequest = Infer<typeof IncrementalAlterConfigsRequest>;

export const IncrementalAlterConfigsResponse = f.struct({
  throttleTimeMs: int32,
  responses: f.array(f.struct({ errorCode: int16, errorMessage: f.nullableString, resourceType: int8, resourceName: f.string })),
});
export type IncrementalAlterConfigsResponse = Infer<typeof IncrementalAlterConfigsResponse>;
