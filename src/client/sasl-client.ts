// The client's half of SASL on one connection, after ApiVersions (Kafka's order): SaslHandshake v1 names
// the mechanism, then SaslAuthenticate v1 carries the tokens — one round trip for PLAIN, two for SCRAM,
// whose last answer the client checks (the broker proves it holds the credential). A refusal becomes an
// MqError naming the broker and what to change; the session lifetime the broker grants is returned so the
// caller can re-authenticate (or reconnect) before it ends.
import { ApiKey } from '../protocol/api.js';
import { errorInfo } from '../protocol/error-codes.js';
import type { SaslAuthenticateResponse } from '../protocol/messages/sasl-authenticate.js';
import type { SaslHandshakeResponse } from '../protocol/messages/sasl-handshake.js';
import type { SaslMechanism } from '../security/sasl-authenticator.js';
import { ScramClient } from '../security/scram.js';
import { MqError } from '../util/mq-error.js';

export interface ClientSasl {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** A connection's request function (Connection.request). */
export type SaslRequest = <Res>(apiKey: number, version: number, body: unknown) => Promise<Res>;

/** Authenticates the connection; resolves with the session lifetime in ms (0: no limit). */
export async function authenticateSasl(request: SaslRequest, sasl: ClientSasl, address: string): Promise<number> {
  const hs = await request<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (hs.errorCode !== 0) {
    const name = errorInfo(hs.errorCode).name;
    if (name === 'UNSUPPORTED_SASL_MECHANISM') {
      throw new MqError(name, `the broker at ${address} does not enable SASL mechanism ${sasl.mechanism} (it enables: ${hs.mechanisms.join(', ') || 'none'})`, {
        hint: `Set sasl.mechanism to one of ${hs.mechanisms.join(', ') || 'the listener\'s mechanisms'}.`,
      });
    }
    if (name === 'ILLEGAL_SASL_STATE') {
      throw new MqError(name, `the broker at ${address} does not expect SASL on this listener: is security.protocol right for this listener?`, {
        hint: 'Use security.protocol=plaintext or ssl for a listener without SASL.',
      });
    }
    throw new MqError(name, `SASL handshake with ${address} failed: ${errorInfo(hs.errorCode).message} (${name})`);
  }
  const exchange = async (token: Buffer): Promise<SaslAuthenticateResponse> => {
    const res = await request<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, 1, { authBytes: token });
    if (res.errorCode !== 0) {
      const name = errorInfo(res.errorCode).name;
      if (name === 'SASL_AUTHENTICATION_FAILED') {
        // The broker's message is not repeated: it may say which of user or password was wrong, which Kafka hides.
        throw new MqError(name, `authentication failed for user ${sasl.username} (${sasl.mechanism}) at ${address}: check sasl.username / sasl.password`, {
          hint: 'The user must exist on the broker (mq users list) with a credential for this mechanism.',
        });
      }
      throw new MqError(name, `SASL authentication of ${sasl.username} (${sasl.mechanism}) at ${address} failed: ${res.errorMessage ?? errorInfo(res.errorCode).message} (${name})`);
    }
    return res;
  };
  if (sasl.mechanism === 'PLAIN') {
    const res = await exchange(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return Number(res.sessionLifetimeMs);
  }
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
  const serverFirst = await exchange(scram.first());
  const serverFinal = await exchange(await scram.final(serverFirst.authBytes));
  scram.verify(serverFinal.authBytes);
  return Number(serverFinal.sessionLifetimeMs);
}
