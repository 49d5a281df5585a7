// Bearer tokens for the admin HTTP endpoint (admin.auth=token), derived from the SCRAM user store with
// nothing new stored:
//
//   mq1.<mechanism code: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512>.<base64url(user)>.<base64url(ClientKey)>
//
// ClientKey is SCRAM's HMAC(SaltedPassword, "Client Key"); the store keeps StoredKey = H(ClientKey), so
// the broker checks a token with one hash and no PBKDF2, the way it finishes a SCRAM exchange. The token
// is minted by POST /v1/token with the user's password (HTTP Basic) and stops working when the password
// changes (a new salt gives a new ClientKey) or the user is deleted. It does not reveal the password but
// is as good as one for the admin endpoint and for SCRAM: keep it like a password.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SCRAM_MECHANISM_CODES, saltedPassword, scramMechanismOfCode, type ScramCredential, type ScramMechanism } from './scram.js';

const HASH: Record<ScramMechanism, 'sha256' | 'sha512'> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

export interface ParsedAdminToken { user: string; mechanism: ScramMechanism; clientKey: Buffer }

/** The token of `user` for the credential the password matches (check the password first). */
export async function mintAdminToken(user: string, credential: ScramCredential, password: string): Promise<string> {
  const salted = await saltedPassword(credential.mechanism, password, credential.salt, credential.iterations);
  const clientKey = createHmac(HASH[credential.mechanism], salted).update('Client Key').digest();
  return ['mq1', String(SCRAM_MECHANISM_CODES[credential.mechanism]), Buffer.from(user).toString('base64url'), clientKey.toString('base64url')].join('.');
}

/** The parts of a token, or null when it is not one. */
export function parseAdminToken(token: string): ParsedAdminToken | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'mq1') return null;
  const mechanism = scramMechanismOfCode(Number(parts[1]));
  if (mechanism === undefined) return null;
  const user = Buffer.from(parts[2], 'base64url').toString('utf8');
  const clientKey = Buffer.from(parts[3], 'base64url');
  if (user === '' || clientKey.length === 0) return null;
  return { user, mechanism, clientKey };
}

/** Whether the token's ClientKey hashes to the credential's StoredKey. */
export function adminTokenMatches(token: ParsedAdminToken, credential: ScramCredential): boolean {
  const stored = createHash(HASH[credential.mechanism]).update(token.clientKey).digest();
  return stored.length === credential.storedKey.length && timingSafeEqual(stored, credential.storedKey);
}
