// SCRAM (RFC 5802, with SHA-256 and SHA-512 as RFC 7677 and Kafka's KIP-84 use them): the stored
// credential, and both ends of the exchange.
//
//   client-first  = gs2-header client-first-bare          gs2-header = "n,," | "n,a=" authzid ","
//   client-first-bare = "n=" saslname ",r=" c-nonce ["," extensions]
//   server-first  = "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
//   client-final  = "c=" base64(gs2-header) ",r=" nonce ["," extensions] ",p=" base64(ClientProof)
//   server-final  = "v=" base64(ServerSignature) | "e=" error
//
//   SaltedPassword  = PBKDF2(HMAC-H, password, salt, iterations)
//   ClientKey = HMAC(SaltedPassword, "Client Key")   StoredKey = H(ClientKey)
//   ServerKey = HMAC(SaltedPassword, "Server Key")
//   AuthMessage = client-first-bare "," server-first "," client-final-without-proof
//   ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage)
//   ServerSignature = HMAC(ServerKey, AuthMessage)
//
// The broker keeps only salt, iterations, StoredKey and ServerKey, never the password. Channel binding
// ("p=" in the gs2 header) is refused, as Kafka does; so is the delegation-token extension
// (tokenauth=true), which mq does not issue. Passwords are used as their UTF-8 bytes (Kafka applies
// no SASLprep either, so credentials created by either side verify on the other).
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { MqError } from '../util/mq-error.js';

const pbkdf2Async = promisify(pbkdf2);

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Kafka's wire codes of the mechanisms (DescribeUserScramCredentials / AlterUserScramCredentials). */
export const SCRAM_MECHANISM_CODES: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
export function scramMechanismOfCode(code: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => SCRAM_MECHANISM_CODES[m] === code);
}

/** Kafka's bounds on SCRAM iterations (AlterUserScramCredentials refuses others). */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

/** What the broker stores per user and mechanism. */
export interface ScramCredential {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

const hmac = (m: ScramMechanism, key: Buffer, text: string | Buffer): Buffer => createHmac(HASH[m].name, key).update(text).digest();
const digest = (m: ScramMechanism, data: Buffer): Buffer => createHash(HASH[m].name).update(data).digest();

/** SaltedPassword (PBKDF2); run off the event loop, since thousands of iterations take milliseconds. */
export async function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, HASH[mechanism].bytes, HASH[mechanism].name);
}

function keysFrom(mechanism: ScramMechanism, salted: Buffer): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return { clientKey, storedKey: digest(mechanism, clientKey), serverKey: hmac(mechanism, salted, 'Server Key') };
}

export function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new MqError('UNACCEPTABLE_CREDENTIAL', `SCRAM iterations must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}, not ${iterations}`);
  }
}

/** A new credential for `password` (a random 32-byte salt unless one is given). */
export async function scramCredential(
  mechanism: ScramMechanism, password: string, opts: { salt?: Buffer; iterations?: number } = {},
): Promise<ScramCredential> {
  const iterations = opts.iterations ?? MIN_ITERATIONS;
  checkIterations(iterations);
  const salt = opts.salt ?? randomBytes(32);
  const { storedKey, serverKey } = keysFrom(mechanism, await saltedPassword(mechanism, password, salt, iterations));
  return { mechanism, salt, iterations, storedKey, serverKey };
}

/**
 * The credential AlterUserScramCredentials carries: the client sends SaltedPassword (never the password);
 * the broker keeps only StoredKey and ServerKey derived from it.
 */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, salt: Buffer, iterations: number, salted: Buffer): ScramCredential {
  checkIterations(iterations);
  if (salted.length !== HASH[mechanism].bytes) throw new MqError('UNACCEPTABLE_CREDENTIAL', `a ${mechanism} salted password is ${HASH[mechanism].bytes} bytes, not ${salted.length}`);
  if (salt.length === 0) throw new MqError('UNACCEPTABLE_CREDENTIAL', 'the SCRAM salt is empty');
  const { storedKey, serverKey } = keysFrom(mechanism, salted);
  return { mechanism, salt: Buffer.from(salt), iterations, storedKey, serverKey };
}

/** Whether `password` is the one `credential` was made from (used to check SASL/PLAIN against the same store). */
export async function passwordMatches(credential: ScramCredential, password: string): Promise<boolean> {
  const salted = await saltedPassword(credential.mechanism, password, credential.salt, credential.iterations);
  return timingSafeEqual(keysFrom(credential.mechanism, salted).storedKey, credential.storedKey);
}

/** A failed exchange; the message names what was wrong without telling an attacker which part of a credential. */
export function scramFailure(message: string): MqError {
  return new MqError('SASL_AUTHENTICATION_FAILED', message);
}

/** saslname: ',' and '=' are escaped as =2C and =3D; any other '=' is malformed. */
export function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw scramFailure('malformed SCRAM username (a "=" not followed by 2C or 3D)');
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** `k=v` attributes in order; values may contain '='. Keys are one letter (RFC 5802) or a word (Kafka's extensions, such as tokenauth). */
function attributes(text: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const key = /^([A-Za-z]+)=/.exec(part)?.[1];
    if (key === undefined) throw scramFailure(`malformed SCRAM ${what}: "${part.slice(0, 40)}" is not an attribute`);
    if (out.has(key)) throw scramFailure(`malformed SCRAM ${what}: attribute ${key} repeated`);
    out.set(key, part.slice(key.length + 1));
  }
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII except ','

/** The client's first message, parsed. */
export interface ClientFirst {
  gs2Header: string;
  bare: string;
  username: string;
  authzid: string | null;
  clientNonce: string;
  extensions: Map<string, string>;
}

export function parseClientFirst(message: Buffer): ClientFirst {
  const text = message.toString('utf8');
  const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
  if (m === null) {
    throw scramFailure(text.startsWith('p') ? 'SCRAM channel binding is not supported' : 'malformed SCRAM client-first message (no gs2 header)');
  }
  const bare = m[3];
  const attrs = attributes(bare, 'client-first message');
  const keys = [...attrs.keys()];
  if (keys[0] !== 'n' || keys[1] !== 'r') throw scramFailure('malformed SCRAM client-first message (expected n= then r=)');
  const clientNonce = attrs.get('r')!;
  if (!PRINTABLE_NONCE.test(clientNonce)) throw scramFailure('malformed SCRAM client nonce');
  const extensions = new Map([...attrs].filter(([k]) => k !== 'n' && k !== 'r'));
  return {
    gs2Header: `${m[1]},${m[2] ?? ''},`,
    bare,
    username: decodeSaslName(attrs.get('n')!),
    authzid: m[2] === undefined ? null : decodeSaslName(m[2].slice(2)),
    clientNonce,
    extensions,
  };
}

/**
 * The broker's side of one exchange: start() with the client-first message and the user's credential
 * (looked up by the caller from ClientFirst.username), finish() with the client-final message. Any
 * failure throws SASL_AUTHENTICATION_FAILED; a user with no credential still gets a server-first
 * message (with a salt derived from the name), so an unknown user looks like a wrong password.
 */
export class ScramServer {
  private clientFirst: ClientFirst | null = null;
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | null = null;

  /** `fakeSaltKey`: a broker-wide secret, so an unknown name gets the same salt on every attempt. `serverNonce` is for tests. */
  constructor(readonly mechanism: ScramMechanism, private readonly fakeSaltKey: Buffer, private readonly serverNonce?: string) {}

  /** Parses the client-first message (call before looking up the credential). */
  static parseFirst(message: Buffer): ClientFirst {
    return parseClientFirst(message);
  }

  start(first: ClientFirst, credential: ScramCredential | null): Buffer {
    if (this.clientFirst !== null) throw scramFailure('SCRAM exchange already started');
    if (first.extensions.get('tokenauth') === 'true') throw scramFailure('SCRAM delegation tokens are not supported');
    if (first.authzid !== null && first.authzid !== '' && first.authzid !== first.username) {
      throw scramFailure(`SCRAM authorization id "${first.authzid}" differs from the username (acting as another user is not supported)`);
    }
    if (credential !== null && credential.mechanism !== this.mechanism) throw new Error(`credential is ${credential.mechanism}, exchange is ${this.mechanism}`);
    this.clientFirst = first;
    this.credential = credential;
    this.nonce = first.clientNonce + (this.serverNonce ?? randomBytes(24).toString('base64').replace(/,/g, '-'));
    const salt = credential?.salt ?? hmac(this.mechanism, this.fakeSaltKey, first.username).subarray(0, 32);
    const iterations = credential?.iterations ?? MIN_ITERATIONS;
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    return Buffer.from(this.serverFirst, 'utf8');
  }

  /** Checks the client's proof; returns the server-final message (the caller then trusts ClientFirst.username). */
  finish(message: Buffer): Buffer {
    const first = this.clientFirst;
    if (first === null) throw scramFailure('SCRAM client-final message before client-first');
    const text = message.toString('utf8');
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw scramFailure('malformed SCRAM client-final message (no proof)');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof, 'client-final message');
    const keys = [...attrs.keys()];
    if (keys[0] !== 'c' || keys[1] !== 'r') throw scramFailure('malformed SCRAM client-final message (expected c= then r=)');
    if (attrs.get('c') !== Buffer.from(first.gs2Header, 'utf8').toString('base64')) throw scramFailure('SCRAM channel binding does not match the client-first message');
    // RFC 5802 wants the nonce of server-first back. librdkafka (2.0 and later) sends its own nonce in
    // front of it once more ("r=" c-nonce c-nonce s-nonce); Kafka accepts any nonce that ends with the
    // server-first one, and so does mq. The proof covers the message as sent either way.
    if (!(attrs.get('r') ?? '').endsWith(this.nonce)) throw scramFailure('SCRAM nonce does not match');
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const credential = this.credential;
    const authMessage = `${first.bare},${this.serverFirst},${withoutProof}`;
    if (credential === null || proof.length !== HASH[this.mechanism].bytes) throw scramFailure(`authentication failed for user "${first.username}" (${this.mechanism})`);
    const signature = hmac(this.mechanism, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i] ^ signature[i];
    if (!timingSafeEqual(digest(this.mechanism, clientKey), credential.storedKey)) {
      throw scramFailure(`authentication failed for user "${first.username}" (${this.mechanism})`);
    }
    return Buffer.from(`v=${hmac(this.mechanism, credential.serverKey, authMessage).toString('base64')}`, 'utf8');
  }
}

/** The client's side: first() → send; final(serverFirst) → send; verify(serverFinal). */
export class ScramClient {
  private readonly clientNonce: string;
  private readonly gs2Header = 'n,,';
  private bare = '';
  private authMessage = '';
  private serverKey: Buffer | null = null;

  constructor(readonly mechanism: ScramMechanism, private readonly username: string, private readonly password: string, nonce?: string) {
    this.clientNonce = nonce ?? randomBytes(24).toString('base64').replace(/,/g, '-');
  }

  first(): Buffer {
    this.bare = `n=${encodeSaslName(this.username)},r=${this.clientNonce}`;
    return Buffer.from(this.gs2Header + this.bare, 'utf8');
  }

  async final(serverFirst: Buffer): Promise<Buffer> {
    const text = serverFirst.toString('utf8');
    const attrs = attributes(text, 'server-first message');
    if (attrs.has('e')) throw scramFailure(`the broker refused SCRAM: ${attrs.get('e')}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (nonce === undefined || salt === undefined || !nonce.startsWith(this.clientNonce) || nonce === this.clientNonce) {
      throw scramFailure('malformed SCRAM server-first message (nonce)');
    }
    if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS) throw scramFailure(`SCRAM server asked for ${attrs.get('i')} iterations (at least ${MIN_ITERATIONS} expected)`);
    const keys = keysFrom(this.mechanism, await saltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations));
    const withoutProof = `c=${Buffer.from(this.gs2Header, 'utf8').toString('base64')},r=${nonce}`;
    this.authMessage = `${this.bare},${text},${withoutProof}`;
    const signature = hmac(this.mechanism, keys.storedKey, this.authMessage);
    const proof = Buffer.alloc(signature.length);
    for (let i = 0; i < proof.length; i++) proof[i] = keys.clientKey[i] ^ signature[i];
    this.serverKey = keys.serverKey;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the broker's signature (proof that it knows the credential, not only that it accepted us). */
  verify(serverFinal: Buffer): void {
    const attrs = attributes(serverFinal.toString('utf8'), 'server-final message');
    if (attrs.has('e')) throw scramFailure(`the broker refused SCRAM: ${attrs.get('e')}`);
    if (this.serverKey === null) throw scramFailure('SCRAM server-final message before client-final');
    const expected = hmac(this.mechanism, this.serverKey, this.authMessage);
    const got = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw scramFailure('the broker\'s SCRAM signature is wrong (it does not hold this user\'s credential)');
  }
}
