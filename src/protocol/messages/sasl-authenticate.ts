// SaslAuthenticate (key 36), versions 0-1: one SASL token each way (PLAIN takes one round trip, SCRAM
// two). v1 adds the session lifetime: how long the authenticated connection may be used before the
// client must authenticate again (connections.max.reauth.ms; 0 = no limit).
//
//   SaslAuthenticateRequest v0-v1:
//     AuthBytes           BYTES
//
//   SaslAuthenticateResponse v0-v1:
//     ErrorCode           INT16                  58 SASL_AUTHENTICATION_FAILED, 34 ILLEGAL_SASL_STATE
//     ErrorMessage        NULLABLE_STRING
//     AuthBytes           BYTES
//     SessionLifetimeMs   INT64                  (v1+)
import { bytes, int16, int64, nullableString, since, struct, type Infer } from '../codec.js';

export const SaslAuthenticateRequest = struct({
  authBytes: bytes,
});
export type SaslAuthenticateRequest = Infer<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = struct({
  errorCode: int16,
  errorMessage: nullableString,
  authBytes: bytes,
  sessionLifetimeMs: since(1, int64, 0n),
});
export type SaslAuthenticateResponse = Infer<typeof SaslAuthenticateResponse>;
