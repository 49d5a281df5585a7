// DescribeClientQuotas (key 48), versions 0-1 (v1 flexible): the quotas of the entities a filter selects.
// Entity types "user" and "client-id"; a null name is the default entity. Match types: 0 exact name,
// 1 the default, 2 any specified name. Strict: only entities with no other component.
//
//   DescribeClientQuotasRequest v0-v1:
//     Components          ARRAY
//       EntityType        STRING
//       MatchType         INT8
//       Match             NULLABLE_STRING
//     Strict              BOOLEAN
//
//   DescribeClientQuotasResponse v0-v1:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     ErrorMessage        NULLABLE_STRING
//     Entries             NULLABLE_ARRAY
//       Entity            ARRAY
//         EntityType      STRING
//         EntityName      NULLABLE_STRING
//       Values            ARRAY
//         Key             STRING                 producer_byte_rate, consumer_byte_rate, request_percentage
//         Value           FLOAT64
import { boolean, float64, int16, int32, int8, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(1);

export const DescribeClientQuotasRequest = f.struct({
  components: f.array(f.struct({ entityType: f.string, matchType: int8, match: f.nullableString })),
  strict: boolean,
});
export type DescribeClientQuotasRequest = Infer<typeof DescribeClientQuotasRequest>;

export const DescribeClientQuotasResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: f.nullableString,
  entries: f.nullableArray(f.struct({
    entity: f.array(f.struct({ entityType: f.string, entityName: f.nullableString })),
    values: f.array(f.struct({ key: f.string, value: float64 })),
  })),
});
export type DescribeClientQuotasResponse = Infer<typeof DescribeClientQuotasResponse>;
