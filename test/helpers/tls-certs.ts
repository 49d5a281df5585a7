// Throw-away certificates for TLS tests, made by the real openssl: a CA, certificates it signs (server:
// CN and subjectAltName IP:127.0.0.1 and DNS:localhost; client: any subject), optionally with an
// encrypted key. Files are PEM in a directory the caller removes. No import-time side effects.
import { execFile } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertFiles { cert: string; key: string }

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** A self-signed CA in `dir` (ca.pem, ca-key.pem). */
export async function makeCa(dir: string, name = 'mq test CA'): Promise<CertFiles> {
  const cert = join(dir, 'ca.pem');
  const key = join(dir, 'ca-key.pem');
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`], dir);
  return { cert, key };
}

/**
 * A certificate signed by `ca`, named `<file>.pem` / `<file>-key.pem`. `subject` is openssl's form
 * (/O=acme/CN=alice); `san` adds subjectAltName entries; `keyPassword` encrypts the key.
 */
export async function makeCert(dir: string, ca: CertFiles, file: string, opts: { subject: string; san?: string[]; keyPassword?: string; serial?: number }): Promise<CertFiles> {
  const cert = join(dir, `${file}.pem`);
  const key = join(dir, `${file}-key.pem`);
  const csr = join(dir, `${file}.csr`);
  const ext = join(dir, `${file}.ext`);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', opts.subject], dir);
  await writeFile(ext, opts.san && opts.san.length > 0 ? `subjectAltName=${opts.san.join(',')}\n` : 'basicConstraints=CA:FALSE\n');
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(opts.serial ?? Date.now() % 1e9), '-out', cert, '-days', '2', '-extfile', ext], dir);
  if (opts.keyPassword !== undefined) {
    await openssl(['pkey', '-in', key, '-out', `${key}.enc`, '-aes256', '-passout', `pass:${opts.keyPassword}`], dir);
    await rename(`${key}.enc`, key);
  }
  return { cert, key };
}

/** A server certificate for 127.0.0.1 / localhost. */
export function makeServerCert(dir: string, ca: CertFiles, file = 'server', opts: { keyPassword?: string; serial?: number } = {}): Promise<CertFiles> {
  return makeCert(dir, ca, file, { subject: '/CN=localhost', san: ['IP:127.0.0.1', 'DNS:localhost'], ...opts });
}
