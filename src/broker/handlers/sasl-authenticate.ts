// SaslAuthenticate: one token of the exchange each way. Success sets the connection's principal and,
// from v1, announces the session lifetime (connections.max.reauth.ms). A failure is answered with
// SASL_AUTHENTICATION_FAILED (or ILLEGAL_SASL_STATE) and its reason, and the connection closed after it;
// unknown users and wrong passwords get the same answer.
import { ErrorCode } from '../../protocol/error-codes.js';
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../protocol/messages/sasl-authenticate.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

const EMPTY = Buffer.alloc(0);

export const handleSaslAuthenticate: Handler<SaslAuthenticateRequest, SaslAuthenticateResponse> = async (req, ctx) => {
  const auth = ctx.auth;
  if (!auth) {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: `listener ${ctx.session.listener} does not use SASL`, authBytes: EMPTY, sessionLifetimeMs: 0n };
  }
  try {
    const { reply, sessionLifetimeMs } = await auth.authenticate(req.authBytes, Date.now());
    return { errorCode: 0, errorMessage: null, authBytes: reply, sessionLifetimeMs: BigInt(sessionLifetimeMs) };
  } catch (err) {
    return {
      errorCode: errorCodeFor(err, ctx.broker.logger, { op: 'sasl-authenticate', peer: ctx.peer }),
      errorMessage: errorMessageFor(err), authBytes: EMPTY, sessionLifetimeMs: 0n,
    };
  }
};
