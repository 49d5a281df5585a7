// DescribeConfigs (key 32), versions 0-2 (v2 ≡ v1 on the wire).
//
//   DescribeConfigsRequest v0-v2:
//     Resources             ARRAY
//       ResourceType        INT8      (2 = TOPIC, 4 = BROKER)
//       ResourceName        STRING
//       ConfigurationKeys   NULLABLE ARRAY of STRING (null = all)
//     IncludeSynonyms       BOOLEAN   {v1+}
//
//   DescribeConfigsResponse v0-v2:
//     ThrottleTimeMs        INT32
//     Results               ARRAY
//       ErrorCode           INT16
//       ErrorMessage        NULLABLE_STRING
//       ResourceType        INT8
//       ResourceName        STRING
//       Configs             ARRAY
//         Name              STRING
//         Value             NULLABLE_STRING
//         ReadOnly          BOOLEAN
//         IsDefault         BOOLEAN   {v0 only}
//         ConfigSource      INT8      {v1+} (1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG)
//         IsSensitive       BOOLEAN
//         Synonyms          ARRAY {v1+}
//           Name            STRING
//           Value           NULLABLE_STRING
//           Source          INT8
import { array, boolean, int8, int16, int32, nullableArray, nullableString, since, string, struct, until, type Infer } from '../codec.js';

export const RESOURCE_TYPE_TOPIC = 2;
export const RESOURCE_TYPE_BROKER = 4;
export const CONFIG_SOURCE_DYNAMIC_TOPIC = 1;
export const CONFIG_SOURCE_STATIC_BROKER = 4;
export const CONFIG_SOURCE_DEFAULT = 5;

export const DescribeConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8,
    resourceName: string,
    configurationKeys: nullableArray(string),
  })),
  includeSynonyms: since(1, boolean, false),
});
export type DescribeConfigsRequest = Infer<typeof DescribeConfigsRequest>;

export const DescribeConfigsResponse = struct({
  throttleTimeMs: int32,
  results: array(struct({
    errorCode: int16,
    errorMessage: nullableString,
    resourceType: int8,
    resourceName: string,
    configs: array(struct({
      name: string,
      value: nullableString,
      readOnly: boolean,
      isDefault: until(0, boolean, false),
      configSource: since(1, int8, -1),
      isSensitive: boolean,
      synonyms: since(1, array(struct({ name: string, value: nullableString, source: int8 })), []),
    })),
  })),
});
export type DescribeConfigsResponse = Infer<typeof DescribeConfigsResponse>;
