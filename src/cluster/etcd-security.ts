// How mq reaches an etcd that wants credentials: a user and password (etcd's auth, exchanged for a token
// on connect) and TLS (https:// endpoints; the CA that signed etcd's certificate, and a client certificate
// and key when etcd runs with --client-cert-auth). The same five settings everywhere: the broker's
// etcd.username, etcd.password, etcd.ssl.ca.location, etcd.ssl.certificate.location,
// etcd.ssl.key.location (MQ_ETCD_* in the environment), and the commands' --etcd-user, --etcd-ca,
// --etcd-cert, --etcd-key with the password from MQ_ETCD_PASSWORD or --etcd-password-file.
//
// Also explainConnectFailure(): etcd's and gRPC's failures on the first call turned into a sentence that
// says which of these settings is wrong (wrong password, no password, TLS to a plain etcd, plain to a TLS
// etcd, a certificate that is not trusted).
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { IOptions } from 'etcd3';
import { MqError } from '../util/mq-error.js';

export interface EtcdSecurity {
  username?: string;
  password?: string;
  /** PEM file of the CA that signed etcd's server certificate (default: the system's CAs). */
  caLocation?: string;
  /** PEM client certificate and key, for an etcd started with --client-cert-auth. */
  certificateLocation?: string;
  keyLocation?: string;
}

/** Whether any setting is present (so "no credentials given" can be told apart in errors). */
export function hasEtcdSecurity(s: EtcdSecurity | undefined): boolean {
  return s !== undefined && Object.values(s).some((v) => v !== undefined);
}

async function readPem(path: string, setting: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new MqError('INVALID_CONFIG', `${setting} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Give the path of a PEM file this process can read.',
    });
  }
}

/** The etcd3 options for `s` (auth, credentials); checks that the settings go together. */
export async function etcdClientOptions(s: EtcdSecurity | undefined, hosts: string[]): Promise<Pick<IOptions, 'auth' | 'credentials'>> {
  if (s === undefined) return {};
  const out: Pick<IOptions, 'auth' | 'credentials'> = {};
  if (s.username !== undefined || s.password !== undefined) {
    if (!s.username) throw new MqError('INVALID_CONFIG', 'an etcd password is set but no etcd user', { hint: 'Set etcd.username (or --etcd-user NAME).' });
    if (s.password === undefined) {
      throw new MqError('INVALID_CONFIG', `etcd user ${s.username} is set but no etcd password`, {
        hint: 'Set etcd.password (MQ_ETCD_PASSWORD, or --etcd-password-file FILE for commands).',
      });
    }
    out.auth = { username: s.username, password: s.password };
  }
  if ((s.certificateLocation === undefined) !== (s.keyLocation === undefined)) {
    throw new MqError('INVALID_CONFIG', 'an etcd client certificate needs both a certificate and its key', {
      hint: 'Set both etcd.ssl.certificate.location and etcd.ssl.key.location (--etcd-cert and --etcd-key).',
    });
  }
  const tlsFiles = s.caLocation !== undefined || s.certificateLocation !== undefined;
  if (tlsFiles) {
    const plain = hosts.filter((h) => !h.startsWith('https://'));
    if (plain.length > 0) {
      throw new MqError('INVALID_CONFIG', `etcd TLS settings are given but ${plain.join(',')} is not an https:// URL`, {
        hint: 'Use https://HOST:PORT for an etcd that serves TLS, or drop the etcd TLS settings for a plain one.',
      });
    }
    const [ca, cert, key] = await Promise.all([
      s.caLocation === undefined ? Promise.resolve(undefined) : readPem(s.caLocation, 'etcd.ssl.ca.location'),
      s.certificateLocation === undefined ? Promise.resolve(undefined) : readPem(s.certificateLocation, 'etcd.ssl.certificate.location'),
      s.keyLocation === undefined ? Promise.resolve(undefined) : readPem(s.keyLocation, 'etcd.ssl.key.location'),
    ]);
    // etcd3 passes these to grpc.credentials.createSsl; a null root certificate means the system's CAs.
    out.credentials = { rootCertificate: ca as Buffer, ...(cert ? { certChain: cert } : {}), ...(key ? { privateKey: key } : {}) };
  }
  return out;
}

type Failure = { message: string; hint: string; retriable: boolean };

/**
 * The message and hint for a first call that failed, naming the setting that is most likely wrong.
 * gRPC reports every TLS trouble as "UNAVAILABLE: No connection established", so for those this opens
 * one TLS connection of its own to the first endpoint, with the same files, and reads Node's reason.
 */
export async function explainConnectFailure(err: unknown, hosts: string[], s: EtcdSecurity | undefined): Promise<Failure> {
  const where = hosts.join(',');
  const msg = err instanceof Error ? err.message : String(err);
  const tls = hosts.some((h) => h.startsWith('https://'));
  if (/authentication failed|invalid user ID or password/i.test(msg)) {
    return { message: `etcd at ${where} refused user ${s?.username ?? '?'}: wrong user name or password`, hint: 'Check etcd.username / etcd.password (--etcd-user, MQ_ETCD_PASSWORD or --etcd-password-file).', retriable: false };
  }
  if (/user name is empty|invalid auth token|token/i.test(msg) && !s?.username) {
    return { message: `etcd at ${where} requires authentication and no etcd user was given`, hint: 'Set etcd.username and etcd.password (--etcd-user and MQ_ETCD_PASSWORD or --etcd-password-file).', retriable: false };
  }
  if (/permission denied/i.test(msg)) {
    return { message: `etcd user ${s?.username ?? '(none)'} may not read or write mq's keys at ${where}`, hint: 'Grant the user a role with readwrite on the /mq/ prefix (etcdctl role grant-permission ROLE --prefix readwrite /mq/).', retriable: false };
  }
  const generic: Failure = {
    message: `cannot reach etcd at ${where}: ${msg}`,
    hint: tls ? 'Is etcd running there, and does it serve TLS?' : 'Is etcd running, and is the --etcd URL right? If etcd serves TLS, use https:// URLs (with --etcd-ca).',
    retriable: true,
  };
  const first = hosts[0];
  const probe = await probeTls(first, s).catch(() => null);
  if (probe === null || probe.kind === 'refused') return generic;
  if (!first.startsWith('https://')) {
    return probe.kind === 'plain' ? generic : {
      message: `etcd at ${first} serves TLS, but the URL says http://`, hint: 'Use https://HOST:PORT, with --etcd-ca (etcd.ssl.ca.location) naming the CA that signed etcd\'s certificate.', retriable: false,
    };
  }
  switch (probe.kind) {
    case 'plain': return { message: `etcd at ${first} does not serve TLS (${probe.reason})`, hint: 'Use http:// for a plain etcd, or start etcd with --cert-file and --key-file.', retriable: false };
    case 'untrusted': return {
      message: `etcd's certificate at ${first} is not trusted: ${probe.reason}`,
      hint: s?.caLocation
        ? 'etcd.ssl.ca.location (--etcd-ca) must be the CA that signed etcd\'s certificate, and the certificate must name the host in the URL.'
        : 'Set etcd.ssl.ca.location (--etcd-ca FILE) to the CA that signed etcd\'s certificate.',
      retriable: false,
    };
    case 'rejected': return {
      message: `etcd at ${first} ended the TLS handshake: ${probe.reason}`,
      hint: s?.certificateLocation
        ? 'etcd does not accept the client certificate: it must be signed by the CA etcd trusts (--trusted-ca-file).'
        : 'etcd wants a client certificate (--client-cert-auth): set etcd.ssl.certificate.location and etcd.ssl.key.location (--etcd-cert, --etcd-key).',
      retriable: false,
    };
    default: return generic;
  }
}

type Probe = { kind: 'ok' | 'refused' | 'plain' | 'untrusted' | 'rejected'; reason: string };

/** One TLS handshake to `url`'s host and port with the files of `s`, classified. */
async function probeTls(url: string, s: EtcdSecurity | undefined): Promise<Probe> {
  const u = new URL(url);
  const [ca, cert, key] = await Promise.all([s?.caLocation, s?.certificateLocation, s?.keyLocation].map((f) => (f === undefined ? undefined : readFile(f))));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise<Probe>((resolve) => {
    const socket = tlsConnect({
      host, port: Number(u.port || 2379), ca, cert, key, ALPNProtocols: ['h2'],
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
    const done = (p: Probe): void => { clearTimeout(timer); socket.destroy(); resolve(p); };
    const timer = setTimeout(() => done({ kind: 'ok', reason: 'no answer' }), 2000);
    socket.once('secureConnect', () => {
      // TLS 1.3 finishes the client's side before the server checks a client certificate: wait for its verdict.
      setTimeout(() => done({ kind: 'ok', reason: 'handshake completed' }), 300);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const reason = e.message;
      if (e.code === 'ECONNREFUSED' || e.code === 'EHOSTUNREACH' || e.code === 'ENOTFOUND') return done({ kind: 'refused', reason });
      // An alert is the server refusing us (no or an unknown client certificate); the other codes are us refusing it.
      if (/ALERT/.test(e.code ?? '') || /alert/i.test(reason)) return done({ kind: 'rejected', reason: (/alert [a-z ]+/i.exec(reason) ?? [reason])[0] });
      if (/CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|LEAF/.test(e.code ?? '')) return done({ kind: 'untrusted', reason });
      return done({ kind: 'plain', reason });
    });
  });
}
