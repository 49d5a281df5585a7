// AlterUserScramCredentials (key 51), version 0, flexible: create, replace or delete users' SCRAM
// credentials. The client sends the salted password (PBKDF2 of the password with its salt and
// iterations), never the password; the broker derives StoredKey and ServerKey from it and keeps only
// those. Mechanism codes: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. One result per user named.
//
//   AlterUserScramCredentialsRequest v0:
//     Deletions           COMPACT_ARRAY
//       Name              COMPACT_STRING
//       Mechanism         INT8
//       TAGGED_FIELDS
//     Upsertions          COMPACT_ARRAY
//       Name              COMPACT_STRING
//       Mechanism         INT8
//       Iterations        INT32
//       Salt              COMPACT_BYTES
//       SaltedPassword    COMPACT_BYTES
//       TAGGED_FIELDS
//     TAGGED_FIELDS
//
//   AlterUserScramCredentialsResponse v0:
//     ThrottleTimeMs      INT32
//     Results             COMPACT_ARRAY
//       User              COMPACT_STRING
//       ErrorCode         INT16                  93 UNACCEPTABLE_CREDENTIAL, 33 UNSUPPORTED_SASL_MECHANISM, 92 DUPLICATE_RESOURCE, 91 RESOURCE_NOT_FOUND
//       ErrorMessage      COMPACT_NULLABLE_STRING
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, int8, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(0);

export const AlterUserScramCredentialsRequest = f.struct({
  deletions: f.array(f.struct({ name: f.string, mechanism: int8 })),
  upsertions: f.array(f.struct({ name: f.string, mechanism: int8, iterations: int32, salt: f.bytes, saltedPassword: f.bytes })),
});
export type AlterUserScramCredentialsRequest = Infer<typeof AlterUserScramCredentialsRequest>;

export const AlterUserScramCredentialsResponse = f.struct({
  throttleTimeMs: int32,
  results: f.array(f.struct({ user: f.string, errorCode: int16, errorMessage: f.nullableString })),
});
export type AlterUserScramCredentialsResponse = Infer<typeof AlterUserScramCredentialsResponse>;
