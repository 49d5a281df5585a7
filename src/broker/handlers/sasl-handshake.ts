// SaslHandshake: the client names its mechanism; the answer lists the listener's. On a listener without
// SASL there is nothing to hand shake: ILLEGAL_SASL_STATE with no mechanisms. A refused mechanism is
// answered and the connection then closed (src/broker/connection-auth.ts).
import { ErrorCode } from '../../protocol/error-codes.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../../protocol/messages/sasl-handshake.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleSaslHandshake: Handler<SaslHandshakeRequest, SaslHandshakeResponse> = async (req, ctx) => {
  const auth = ctx.auth;
  if (!auth) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  try {
    auth.handshake(req.mechanism, ctx.header.apiVersion);
    return { errorCode: 0, mechanisms: [...auth.mechanisms] };
  } catch (err) {
    return { errorCode: errorCodeFor(err, ctx.broker.logger, { op: 'sasl-handshake', peer: ctx.peer }), mechanisms: [...auth.mechanisms] };
  }
};
