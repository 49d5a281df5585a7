// One connection's SASL authentication, as Kafka runs it: SaslHandshake names a mechanism, then one or
// more SaslAuthenticate round trips carry the mechanism's tokens; once they succeed the connection has
// a principal ("User:NAME") and every later request is checked against it.
//
//   PLAIN (RFC 4616):  authzid NUL authcid NUL password     one round trip; authzid empty or = authcid
//   SCRAM-SHA-256/512: client-first → server-first, client-final → server-final   (src/security/scram.ts)
//
// Both check against the same user store: SCRAM credentials (salt, iterations, StoredKey, ServerKey);
// a PLAIN password is checked by deriving StoredKey from it with the stored salt and iterations, so mq
// keeps no password in any form it could give back. The framing (SaslHandshake v0's raw tokens or
// SaslAuthenticate) is the broker's; this class sees only tokens.
import { MqError } from '../util/mq-error.js';
import { isScramMechanism, passwordMatches, ScramServer, scramFailure, SCRAM_MECHANISMS, type ClientFirst, type ScramCredential, type ScramMechanism } from './scram.js';

export type SaslMechanism = 'PLAIN' | ScramMechanism;
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', ...SCRAM_MECHANISMS];

export function isSaslMechanism(name: string): name is SaslMechanism {
  return name === 'PLAIN' || isScramMechanism(name);
}

/** The user store as the authenticator needs it: one user's credential for one SCRAM mechanism, or null. */
export type CredentialLookup = (username: string, mechanism: ScramMechanism) => Promise<ScramCredential | null>;

export interface SaslAuthenticatorOptions {
  /** Mechanisms this listener offers, in the order SaslHandshake lists them. */
  enabled: readonly SaslMechanism[];
  lookup: CredentialLookup;
  /** A broker-wide secret the fake salts of unknown users are derived from (the same name gets the same salt every time). */
  fakeSaltKey: Buffer;
}

/** A PLAIN token, parsed (RFC 4616). */
export function parsePlain(token: Buffer): { authzid: string; username: string; password: string } {
  const first = token.indexOf(0);
  const second = first < 0 ? -1 : token.indexOf(0, first + 1);
  if (first < 0 || second < 0 || token.indexOf(0, second + 1) >= 0) {
    throw scramFailure('malformed SASL/PLAIN token (expected authzid NUL username NUL password)');
  }
  const authzid = token.subarray(0, first).toString('utf8');
  const username = token.subarray(first + 1, second).toString('utf8');
  const password = token.subarray(second + 1).toString('utf8');
  if (username === '' || password === '') throw scramFailure('malformed SASL/PLAIN token (empty username or password)');
  if (authzid !== '' && authzid !== username) throw scramFailure(`SASL/PLAIN authorization id "${authzid}" differs from the username (acting as another user is not supported)`);
  return { authzid, username, password };
}

type State =
  | { kind: 'handshake' }
  | { kind: 'plain' }
  | { kind: 'scram-first'; mechanism: ScramMechanism }
  | { kind: 'scram-final'; server: ScramServer; username: string }
  | { kind: 'done'; principal: string }
  | { kind: 'failed' };

export class SaslAuthenticator {
  private state: State = { kind: 'handshake' };

  constructor(private readonly opts: SaslAuthenticatorOptions) {}

  /** The mechanisms to list in a SaslHandshake response. */
  get mechanisms(): readonly SaslMechanism[] {
    return this.opts.enabled;
  }

  /** The authenticated principal ("User:NAME"), once authentication succeeded. */
  get principal(): string | null {
    return this.state.kind === 'done' ? this.state.principal : null;
  }

  /** SaslHandshake: UNSUPPORTED_SASL_MECHANISM when not enabled here, ILLEGAL_SASL_STATE when out of turn. */
  handshake(mechanism: string): void {
    if (this.state.kind !== 'handshake') throw new MqError('ILLEGAL_SASL_STATE', 'SaslHandshake sent twice on one connection (reconnect to authenticate again)');
    if (!isSaslMechanism(mechanism) || !this.opts.enabled.includes(mechanism)) {
      throw new MqError('UNSUPPORTED_SASL_MECHANISM', `SASL mechanism ${mechanism} is not enabled on this listener (enabled: ${this.opts.enabled.join(', ') || 'none'})`);
    }
    this.state = mechanism === 'PLAIN' ? { kind: 'plain' } : { kind: 'scram-first', mechanism };
  }

  /**
   * One SaslAuthenticate token in, the reply token out. `principal` is set once the exchange succeeded.
   * A failure (SASL_AUTHENTICATION_FAILED, ILLEGAL_SASL_STATE) ends the exchange for this connection.
   */
  async authenticate(token: Buffer): Promise<Buffer> {
    const state = this.state;
    try {
      switch (state.kind) {
        case 'plain': {
          const { username, password } = parsePlain(token);
          if (!(await this.checkPassword(username, password))) throw scramFailure(`authentication failed for user "${username}" (PLAIN)`);
          this.state = { kind: 'done', principal: `User:${username}` };
          return Buffer.alloc(0);
        }
        case 'scram-first': {
          const first: ClientFirst = ScramServer.parseFirst(token);
          const server = new ScramServer(state.mechanism, this.opts.fakeSaltKey);
          const reply = server.start(first, await this.opts.lookup(first.username, state.mechanism));
          this.state = { kind: 'scram-final', server, username: first.username };
          return reply;
        }
        case 'scram-final': {
          const reply = state.server.finish(token);
          this.state = { kind: 'done', principal: `User:${state.username}` };
          return reply;
        }
        case 'handshake':
          throw new MqError('ILLEGAL_SASL_STATE', 'SaslAuthenticate before SaslHandshake');
        case 'done':
          throw new MqError('ILLEGAL_SASL_STATE', 'SaslAuthenticate after authentication completed (re-authentication is a new handshake on a new connection)');
        case 'failed':
          throw new MqError('ILLEGAL_SASL_STATE', 'SaslAuthenticate after a failed authentication (reconnect to try again)');
      }
    } catch (err) {
      this.state = { kind: 'failed' };
      throw err;
    }
  }

  /** PLAIN against the SCRAM store: the strongest mechanism the user has a credential for. */
  private async checkPassword(username: string, password: string): Promise<boolean> {
    for (const mechanism of [...SCRAM_MECHANISMS].reverse()) {
      const credential = await this.opts.lookup(username, mechanism);
      if (credential !== null) return passwordMatches(credential, password);
    }
    return false;
  }
}
