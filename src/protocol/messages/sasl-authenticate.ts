// SaslAuthenticate (key 36), versions 0-2: one SASL token each way (PLAIN takes one round trip, SCRAM
// two). v1 adds the session lifetime: how long the authenticated connection may be used before the
// client must authenticate again (connections.max.reauth.ms; 0 = no limit). v2 is v1, flexible.
//
//   SaslAuthenticateRequest v0-v2:
//     AuthBytes           BYTES                  (COMPACT_BYTES from v2)
//
//   SaslAuthenticateResponse v0-v2:
//     ErrorCode           INT16                  58 SASL_AUTHENTICATION_FAILED, 34 ILLEGAL_SASL_STATE
//     ErrorMessage        NULLABLE_STRING
//     AuthBytes           BYTES
//     SessionLifetimeMs   INT64                  (v1+)
import { int16, int64, since, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

export const SASL_AUTHENTICATE_FLEXIBLE_FROM = 2;
const f = flexible(SASL_AUTHENTICATE_FLEXIBLE_FROM);

export const SaslAuthenticateRequest = f.struct({
  authBytes: f.bytes,
});
export type SaslAuthenticateRequest = Infer<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = f.struct({
  errorCode: int16,
  errorMessage: f.nullableString,
  authBytes: f.bytes,
  sessionLifetimeMs: since(1, int64, 0n),
});
export type SaslAuthenticateResponse = Infer<typeof SaslAuthenticateResponse>;
