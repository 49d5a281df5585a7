// DescribeUserScramCredentials (key 50), version 0, flexible: which SCRAM mechanisms (and iterations)
// each user has a credential for; never the credential itself. Mechanism codes: 1 SCRAM-SHA-256,
// 2 SCRAM-SHA-512.
//
//   DescribeUserScramCredentialsRequest v0:
//     Users               COMPACT_NULLABLE_ARRAY (null = every user)
//       Name              COMPACT_STRING
//       TAGGED_FIELDS
//     TAGGED_FIELDS
//
//   DescribeUserScramCredentialsResponse v0:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     ErrorMessage        COMPACT_NULLABLE_STRING
//     Results             COMPACT_ARRAY
//       User              COMPACT_STRING
//       ErrorCode         INT16                  91 RESOURCE_NOT_FOUND for a named user with none
//       ErrorMessage      COMPACT_NULLABLE_STRING
//       CredentialInfos   COMPACT_ARRAY
//         Mechanism       INT8
//         Iterations      INT32
//         TAGGED_FIELDS
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, int8, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(0);

export const DescribeUserScramCredentialsRequest = f.struct({
  users: f.nullableArray(f.struct({ name: f.string })),
});
export type DescribeUserScramCredentialsRequest = Infer<typeof DescribeUserScramCredentialsRequest>;

export const DescribeUserScramCredentialsResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
  errorMessage: f.nullableString,
  results: f.array(f.struct({
    user: f.string,
    errorCode: int16,
    errorMessage: f.nullableString,
    credentialInfos: f.array(f.struct({ mechanism: int8, iterations: int32 })),
  })),
});
export type DescribeUserScramCredentialsResponse = Infer<typeof DescribeUserScramCredentialsResponse>;
