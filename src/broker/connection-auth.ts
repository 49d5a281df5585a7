// One connection's SASL life on a SASL listener: the handshake, the exchange (src/security/
// sasl-authenticator.ts), the principal it yields, and the session's end (connections.max.reauth.ms).
//
//   - Until the first exchange succeeds, only ApiVersions, SaslHandshake and SaslAuthenticate are served
//     (the server closes the connection on anything else, as Kafka does).
//   - With connections.max.reauth.ms set, SaslAuthenticate v1+ tells the client how long its session
//     lasts; the client re-authenticates on the same connection (KIP-368: a new SaslHandshake and
//     exchange, for the same principal) before then, or the connection is closed at its next request.
//   - A failed exchange is answered (so the client can say why) and the connection closed after it.
//   - SaslHandshake v0 clients send the tokens as bare frames with no request header; `rawTokens` says
//     the next frame is one.
import { randomBytes } from 'node:crypto';
import type { SecurityStore } from '../cluster/security-store.js';
import { SaslAuthenticator, type SaslMechanism } from '../security/sasl-authenticator.js';
import { MqError } from '../util/mq-error.js';
import type { Session } from './request-context.js';

/** A broker-wide secret for the fake salts of unknown users (see ScramServer): one per broker process. */
const FAKE_SALT_KEY = randomBytes(32);

export interface ConnectionAuthOptions {
  mechanisms: readonly SaslMechanism[];
  users: SecurityStore;
  /** connections.max.reauth.ms; 0: sessions do not end. */
  maxReauthMs: number;
  /** Called once per failed exchange (the audit log line). */
  onFailure(info: { mechanism: string | null; reason: string }): void;
}

export class ConnectionAuth {
  private authenticator: SaslAuthenticator | null = null;
  private mechanism: SaslMechanism | null = null;
  private expiresAtMs = Infinity;
  private authenticatedOnce = false;
  /** Set by a failed exchange: answer it, then close. */
  failed = false;
  /** After a SaslHandshake v0: the next frame is a bare token, not a request. */
  rawTokens = false;

  constructor(private readonly session: Session, private readonly opts: ConnectionAuthOptions) {}

  get mechanisms(): readonly SaslMechanism[] {
    return this.opts.mechanisms;
  }

  /** Why a non-SASL request cannot be served now, or null when it can. */
  refusal(nowMs: number): string | null {
    if (!this.authenticatedOnce) return 'before SASL authentication';
    if (this.authenticator !== null) return 'in the middle of SASL re-authentication';
    if (nowMs > this.expiresAtMs) return `after the SASL session ended (connections.max.reauth.ms=${this.opts.maxReauthMs}) without re-authentication`;
    return null;
  }

  /** SaslHandshake: throws UNSUPPORTED_SASL_MECHANISM or ILLEGAL_SASL_STATE (with the reason); the connection closes after the answer. */
  handshake(mechanism: string, version: number): void {
    try {
      this.startExchange(mechanism, version);
    } catch (err) {
      this.fail((err as Error).message);
      throw err;
    }
  }

  private startExchange(mechanism: string, version: number): void {
    if (this.authenticator !== null) {
      throw new MqError('ILLEGAL_SASL_STATE', 'SaslHandshake in the middle of an authentication exchange');
    }
    if (this.authenticatedOnce && version === 0) {
      throw new MqError('ILLEGAL_SASL_STATE', 're-authentication needs SaslHandshake v1 or later');
    }
    if (this.authenticatedOnce && mechanism !== this.mechanism) {
      throw new MqError('ILLEGAL_SASL_STATE', `re-authentication must use the same mechanism (${this.mechanism}), not ${mechanism}`);
    }
    const authenticator = new SaslAuthenticator({
      enabled: this.opts.mechanisms,
      lookup: (user, m) => this.opts.users.credential(user, m),
      fakeSaltKey: FAKE_SALT_KEY,
    });
    authenticator.handshake(mechanism);
    this.authenticator = authenticator;
    this.mechanism = mechanism as SaslMechanism;
    this.rawTokens = version === 0;
  }

  /** One token of the exchange; the reply and, once done, the session lifetime to announce (0: none). */
  async authenticate(token: Buffer, nowMs: number): Promise<{ reply: Buffer; sessionLifetimeMs: number }> {
    const a = this.authenticator;
    if (a === null) {
      this.fail('SaslAuthenticate before SaslHandshake');
      throw new MqError('ILLEGAL_SASL_STATE', this.authenticatedOnce ? 'SaslAuthenticate after authentication completed (send SaslHandshake first to re-authenticate)' : 'SaslAuthenticate before SaslHandshake');
    }
    let reply: Buffer;
    try {
      reply = await a.authenticate(token);
    } catch (err) {
      this.fail((err as Error).message);
      throw err;
    }
    const principal = a.principal;
    if (principal === null) return { reply, sessionLifetimeMs: 0 };
    if (this.authenticatedOnce && principal !== this.session.principal) {
      const reason = `re-authentication as ${principal} on a connection of ${this.session.principal} (a connection keeps its principal)`;
      this.fail(reason);
      throw new MqError('SASL_AUTHENTICATION_FAILED', reason);
    }
    this.session.principal = principal;
    this.authenticatedOnce = true;
    this.authenticator = null;
    this.rawTokens = false;
    const lifetime = this.opts.maxReauthMs;
    this.expiresAtMs = lifetime > 0 ? nowMs + lifetime : Infinity;
    return { reply, sessionLifetimeMs: lifetime };
  }

  private fail(reason: string): void {
    this.failed = true;
    this.authenticator = null;
    this.rawTokens = false;
    this.opts.onFailure({ mechanism: this.mechanism, reason });
  }
}
