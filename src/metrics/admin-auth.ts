// Who may read the admin endpoint (admin.auth):
//   none    everyone (the default; bind --admin-listen to a trusted address)
//   basic   HTTP Basic, checked against the SCRAM users (`mq users create`): the password must match the
//           user's SCRAM-SHA-512 or SCRAM-SHA-256 credential
//   token   Authorization: Bearer <token> (src/security/admin-token.ts); the token comes from
//           POST /v1/token with the user's password in HTTP Basic
// admin.metrics.open=true serves /metrics to everyone (a Prometheus scraper without credentials).
// A refusal is 401 with a WWW-Authenticate header naming the scheme; the body says what to send.
//
// Checking a password costs SCRAM's PBKDF2 (milliseconds): a successful Basic check is remembered (by a
// hash of the header, with the StoredKey it matched) so a dashboard polling every second does not pay it
// each time; a changed password or a deleted user no longer matches.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { adminTokenMatches, mintAdminToken, parseAdminToken } from '../security/admin-token.js';
import { passwordMatches, type ScramCredential, type ScramMechanism } from '../security/scram.js';

export type AdminAuthMode = 'none' | 'basic' | 'token';

/** Where credentials are looked up (the broker's SecurityStore). */
export interface AdminUsers {
  credential(user: string, mechanism: ScramMechanism): Promise<ScramCredential | null>;
}

export interface AdminAuthOptions {
  mode: AdminAuthMode;
  /** admin.metrics.open: /metrics needs no credentials. */
  metricsOpen: boolean;
  users: AdminUsers;
}

export type AdminAuthResult =
  | { ok: true; user: string | null }
  | { ok: false; status: 401 | 400; headers: Record<string, string>; body: string };

/** Strongest first: a user with both credentials is checked against SCRAM-SHA-512. */
const MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];
const REMEMBERED_MAX = 256;
const REALM = 'realm="mq admin", charset="UTF-8"';

export class AdminAuth {
  /** sha256(Authorization header) -> the StoredKey it matched. */
  private readonly remembered = new Map<string, Buffer>();

  constructor(private readonly opts: AdminAuthOptions) {}

  get mode(): AdminAuthMode { return this.opts.mode; }

  /** Whether the request may see `path`. */
  async check(path: string, headers: IncomingHttpHeaders): Promise<AdminAuthResult> {
    if (this.opts.mode === 'none' || (path === '/metrics' && this.opts.metricsOpen)) return { ok: true, user: null };
    const header = headers.authorization ?? '';
    if (this.opts.mode === 'basic' || path === '/v1/token') {
      const user = await this.basicUser(header);
      return user === null ? this.refuse('Basic', 'send HTTP Basic credentials of a SCRAM user (mq users create)') : { ok: true, user: user.user };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = m ? parseAdminToken(m[1]) : null;
    if (token !== null) {
      const credential = await this.opts.users.credential(token.user, token.mechanism);
      if (credential !== null && adminTokenMatches(token, credential)) return { ok: true, user: token.user };
    }
    return this.refuse('Bearer', 'send Authorization: Bearer TOKEN; get a token with: curl -u USER -X POST .../v1/token');
  }

  /** The token for the Basic credentials of a request `check` accepted on /v1/token. */
  async mint(headers: IncomingHttpHeaders): Promise<string | null> {
    const basic = parseBasic(headers.authorization ?? '');
    if (basic === null) return null;
    const found = await this.matchingCredential(basic.user, basic.password);
    return found === null ? null : mintAdminToken(basic.user, found, basic.password);
  }

  private refuse(scheme: 'Basic' | 'Bearer', what: string): AdminAuthResult {
    return { ok: false, status: 401, headers: { 'www-authenticate': `${scheme} ${REALM}` }, body: `authentication required: ${what}\n` };
  }

  private async basicUser(header: string): Promise<{ user: string } | null> {
    const basic = parseBasic(header);
    if (basic === null) return null;
    const key = createHash('sha256').update(header).digest('base64');
    const seen = this.remembered.get(key);
    if (seen !== undefined) {
      for (const mechanism of MECHANISMS) {
        const c = await this.opts.users.credential(basic.user, mechanism);
        if (c !== null && c.storedKey.equals(seen)) return { user: basic.user };
      }
      this.remembered.delete(key);
    }
    const found = await this.matchingCredential(basic.user, basic.password);
    if (found === null) return null;
    if (this.remembered.size >= REMEMBERED_MAX) this.remembered.delete(this.remembered.keys().next().value as string);
    this.remembered.set(key, found.storedKey);
    return { user: basic.user };
  }

  private async matchingCredential(user: string, password: string): Promise<ScramCredential | null> {
    for (const mechanism of MECHANISMS) {
      const c = await this.opts.users.credential(user, mechanism);
      if (c !== null) return (await passwordMatches(c, password)) ? c : null;
    }
    return null;
  }
}

/** user and password of an `Authorization: Basic` header, or null. */
function parseBasic(header: string): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
