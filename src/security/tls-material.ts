// A TLS listener's certificate, key and trusted CAs, from PEM files named as kcat users know them
// (ssl.certificate.location, ssl.key.location, ssl.key.password, ssl.ca.location, ssl.client.auth),
// reloaded when the files change so a renewed certificate is served without a restart:
// the files are polled (a stat per file per interval; editors and cert managers replace files by rename,
// which an inotify watch on the old inode would miss), and a set that does not load (a key that does not
// match its certificate while only one of the two was replaced) keeps the previous one in service until
// the next change.
//
// The principal of a client certificate (mTLS) is Kafka's default mapping: "User:" and the subject's
// distinguished name in RFC 2253 form, most specific part first ("User:CN=alice,O=acme").
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { MqError } from '../util/mq-error.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface TlsSettings {
  certificateLocation: string;
  keyLocation: string;
  keyPassword?: string;
  /** CAs that sign acceptable client certificates (mTLS); absent: the system's. */
  caLocation?: string;
  clientAuth: ClientAuth;
}

/** What tls.createServer / server.setSecureContext take. */
export interface TlsServerOptions extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new MqError('INVALID_CONFIG', `${what} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads and checks the files (the key must open and match the certificate). */
export async function loadTlsOptions(s: TlsSettings): Promise<TlsServerOptions> {
  const [cert, key, ca] = await Promise.all([
    readPem(s.certificateLocation, 'ssl.certificate.location'),
    readPem(s.keyLocation, 'ssl.key.location'),
    s.caLocation === undefined ? Promise.resolve(undefined) : readPem(s.caLocation, 'ssl.ca.location'),
  ]);
  const options: TlsServerOptions = {
    cert, key, passphrase: s.keyPassword, ca,
    requestCert: s.clientAuth !== 'none',
    rejectUnauthorized: s.clientAuth === 'required',
  };
  try {
    createSecureContext(options); // throws on a bad PEM, a wrong key password, a key that does not match
  } catch (err) {
    throw new MqError('INVALID_CONFIG', `TLS material does not load (${s.certificateLocation}, ${s.keyLocation}): ${(err as Error).message}`, {
      hint: 'Check that the key matches the certificate and that ssl.key.password opens it.',
    });
  }
  return options;
}

/** The files of `s`, watched: `onReload` gets each new set that loads, `onError` each that does not. */
export function watchTlsFiles(
  s: TlsSettings, onReload: (options: TlsServerOptions) => void, onError: (err: Error) => void, intervalMs = 1000,
): { close(): void } {
  const files = [s.certificateLocation, s.keyLocation, ...(s.caLocation === undefined ? [] : [s.caLocation])];
  let loading: Promise<void> = Promise.resolve();
  const changed = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.ino === prev.ino && cur.size === prev.size) return;
    loading = loading.then(() => loadTlsOptions(s).then(onReload, onError));
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, changed);
  return { close: () => { for (const f of files) unwatchFile(f, changed); } };
}

/** Kafka's default principal of a client certificate: User:<subject DN, RFC 2253, most specific first>. */
export function principalOfCertificate(cert: X509Certificate): string {
  // X509Certificate.subject lists the RDNs in certificate order, one "TYPE=value" per line, with the
  // values already escaped as RFC 2253 wants ("O=acme\, inc"): reverse them and join with commas.
  return `User:${cert.subject.split('\n').filter((l) => l !== '').reverse().join(',')}`;
}
