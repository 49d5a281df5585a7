// SaslHandshake (key 17), versions 0-1: the client names the SASL mechanism it will use. With v0 the
// tokens then travel as bare size-prefixed frames with no Kafka header; with v1 they travel inside
// SaslAuthenticate requests (every client mq serves uses v1 when it is offered).
//
//   SaslHandshakeRequest v0-v1:
//     Mechanism           STRING                 "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"
//
//   SaslHandshakeResponse v0-v1:
//     ErrorCode           INT16                  33 UNSUPPORTED_SASL_MECHANISM, 34 ILLEGAL_SASL_STATE
//     Mechanisms          ARRAY of STRING        the mechanisms enabled on this listener
import { array, int16, string, struct, type Infer } from '../codec.js';

export const SaslHandshakeRequest = struct({
  mechanism: string,
});
export type SaslHandshakeRequest = Infer<typeof SaslHandshakeRequest>;

export const SaslHandshakeResponse = struct({
  errorCode: int16,
  mechanisms: array(string),
});
export type SaslHandshakeResponse = Infer<typeof SaslHandshakeResponse>;
