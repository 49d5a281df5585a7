// AlterClientQuotas (key 49), versions 0-1 (v1 flexible): set or remove quota values per entity. One
// result per entry, naming its entity.
//
//   AlterClientQuotasRequest v0-v1:
//     Entries             ARRAY
//       Entity            ARRAY
//         EntityType      STRING                 "user" | "client-id"
//         EntityName      NULLABLE_STRING        null = the default entity
//       Ops               ARRAY
//         Key             STRING
//         Value           FLOAT64
//         Remove          BOOLEAN
//     ValidateOnly        BOOLEAN
//
//   AlterClientQuotasResponse v0-v1:
//     ThrottleTimeMs      INT32
//     Entries             ARRAY
//       ErrorCode         INT16                  42 INVALID_REQUEST, 40 INVALID_CONFIG
//       ErrorMessage      NULLABLE_STRING
//       Entity            ARRAY
//         EntityType      STRING
//         EntityName      NULLABLE_STRING
import { boolean, float64, int16, int32, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(1);

const entity = f.array(f.struct({ entityType: f.string, entityName: f.nullableString }));

export const AlterClientQuotasRequest = f.struct({
  entries: f.array(f.struct({
    entity,
    ops: f.array(f.struct({ key: f.string, value: float64, remove: boolean })),
  })),
  validateOnly: boolean,
});
export type AlterClientQuotasRequest = Infer<typeof AlterClientQuotasRequest>;

export const AlterClientQuotasResponse = f.struct({
  throttleTimeMs: int32,
  entries: f.array(f.struct({ errorCode: int16, errorMessage: f.nullableString, entity })),
});
export type AlterClientQuotasResponse = Infer<typeof AlterClientQuotasResponse>;
