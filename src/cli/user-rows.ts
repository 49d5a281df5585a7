// `mq users`: the table rows of `list`, the password read from stdin for `create --password-stdin`, and
// what `delete` removes (one mechanism's credential, or every one the user has).
import type { Readable } from 'node:stream';
import type { UserAdmin, UserCredentials } from '../client/types.js';
import type { ScramMechanism } from '../security/scram.js';
import { MqError } from '../util/mq-error.js';

export const USER_HEADERS = ['USER', 'MECHANISMS'];

export function userRows(users: UserCredentials[]): string[][] {
  return users.map((u) => [u.user, u.credentials.map((c) => `${c.mechanism} (${c.iterations} iterations)`).join(', ')]);
}

/** Longest password read (a SCRAM password is hashed, so length buys nothing beyond this). */
const MAX_PASSWORD_BYTES = 4096;

/** The first line of `input` (without its line ending); refuses an empty one. */
export async function readPassword(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(b);
    size += b.length;
    const newline = b.indexOf(0x0a);
    if (newline >= 0 || size > MAX_PASSWORD_BYTES) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split('\n')[0].replace(/\r$/, '');
  if (Buffer.byteLength(line) > MAX_PASSWORD_BYTES) throw new MqError('INVALID_ARGUMENT', `the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  if (line === '') throw new MqError('INVALID_ARGUMENT', 'no password on standard input', { hint: 'For example: printf %s "$PASSWORD" | mq users create alice --password-stdin' });
  return line;
}

/** Deletes `name`'s credential for `mechanism`, or all of them (RESOURCE_NOT_FOUND for a user with none); returns the mechanisms deleted. */
export async function deleteCredentials(admin: UserAdmin, name: string, mechanism?: ScramMechanism): Promise<ScramMechanism[]> {
  const mechanisms = mechanism !== undefined ? [mechanism] : (await admin.describeUsers([name]))[0].credentials.map((c) => c.mechanism);
  for (const m of mechanisms) await admin.deleteUser(name, m);
  return mechanisms;
}
