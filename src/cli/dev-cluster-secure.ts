// `mq cluster up --secure`: the pieces of a development cluster with security on, all throw-away and
// kept in the cluster's folder:
//   tls/ca.pem, tls/ca-key.pem           a CA made here with openssl (valid 30 days)
//   tls/server.pem, tls/server-key.pem   a certificate for 127.0.0.1 and localhost, used by etcd and
//                                        every broker (Kafka listener and admin endpoint)
//   broker-N.properties                  SASL_SSL listener, SCRAM, inter-broker SASL as user `broker`,
//                                        authorizer on, super.users=User:admin;User:broker, etcd
//                                        credentials, admin.auth=basic
//   client.properties                    for the `admin` super user (librdkafka names: kcat -F,
//                                        mq --command-config)
// etcd serves https:// with that certificate and has auth enabled: a `root` user, and a `mq` user whose
// role may read and write only /mq/ (what the brokers and `mq users --etcd` use). Passwords are random
// and live only in the files above (mode 0600).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminHttpClient } from '../client/admin-http.js';
import { parseClientProperties, parsePropertiesText, type ClientSecurity } from '../client/security-options.js';
import { MqError } from '../util/mq-error.js';
import type { EtcdTarget } from './etcd-target.js';
import { openUserStore } from './user-store.js';

const runFile = promisify(execFile);

export interface DevClusterSecrets {
  tlsDir: string;
  ca: string;
  cert: string;
  key: string;
  etcdRootPassword: string;
  /** The etcd user of the brokers and of `mq users --etcd`. */
  etcdUser: string;
  etcdPassword: string;
  brokerPassword: string;
  adminPassword: string;
}

const secret = (): string => randomBytes(18).toString('base64url');

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await runFile('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new MqError('CLUSTER_START_FAILED', e.code === 'ENOENT' ? 'openssl not found on PATH' : `openssl ${args[0]} failed: ${e.stderr ?? e.message}`, {
      hint: e.code === 'ENOENT' ? 'mq cluster up --secure makes its certificates with openssl (Debian: apt-get install openssl).' : undefined,
    });
  }
}

/** A CA and a 127.0.0.1/localhost certificate in `<dir>/tls`, and fresh passwords. */
export async function makeDevClusterSecrets(dir: string): Promise<DevClusterSecrets> {
  const tlsDir = join(dir, 'tls');
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const ca = join(tlsDir, 'ca.pem');
  const caKey = join(tlsDir, 'ca-key.pem');
  const cert = join(tlsDir, 'server.pem');
  const key = join(tlsDir, 'server-key.pem');
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '30', '-subj', '/CN=mq cluster up CA'], tlsDir);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', 'server.csr', '-subj', '/CN=localhost'], tlsDir);
  await writeFile(join(tlsDir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', ca, '-CAkey', caKey, '-set_serial', String(Date.now()), '-out', cert, '-days', '30', '-extfile', 'server.ext'], tlsDir);
  return {
    tlsDir, ca, cert, key,
    etcdRootPassword: secret(), etcdUser: 'mq', etcdPassword: secret(), brokerPassword: secret(), adminPassword: secret(),
  };
}

/** etcd's flags for TLS on the client URL (health stays on a plain-http metrics URL for `status`). */
export function secureEtcdArgs(s: DevClusterSecrets, metricsUrl: string): string[] {
  return ['--cert-file', s.cert, '--key-file', s.key, '--listen-metrics-urls', metricsUrl];
}

export function etcdTargetOf(url: string, s: DevClusterSecrets): EtcdTarget {
  return { endpoints: url, security: { username: s.etcdUser, password: s.etcdPassword, caLocation: s.ca } };
}

/** etcd auth on: root, and the mq user limited to /mq/; then the SCRAM users admin and broker. */
export async function secureEtcd(url: string, s: DevClusterSecrets): Promise<void> {
  const { Etcd3, Range } = await import('etcd3');
  const client = new Etcd3({ hosts: url, credentials: { rootCertificate: await readFile(s.ca) } });
  try {
    await client.role('root').create().catch(() => undefined); // exists on some etcd versions
    await client.user('root').create(s.etcdRootPassword);
    await client.user('root').addRole('root');
    const role = await client.role('mq').create();
    await role.grant({ permission: 'Readwrite', range: Range.prefix('/mq/') });
    await client.user(s.etcdUser).create(s.etcdPassword);
    await client.user(s.etcdUser).addRole('mq');
    await client.auth.authEnable();
  } catch (err) {
    throw new MqError('CLUSTER_START_FAILED', `could not turn on etcd authentication at ${url}: ${(err as Error).message}`, { cause: err });
  } finally {
    client.close();
  }
  const users = await openUserStore({ etcd: etcdTargetOf(url, s) });
  try {
    await users.upsertUser('admin', s.adminPassword, { mechanism: 'SCRAM-SHA-512' });
    await users.upsertUser('broker', s.brokerPassword, { mechanism: 'SCRAM-SHA-512' });
  } finally {
    await users.close();
  }
}

const props = (entries: [string, string][]): string => entries.map(([k, v]) => `${k}=${v}`).join('\n') + '\n';

/** broker-N.properties: the settings `mq broker start --config` reads for a secure broker. */
export async function writeBrokerProperties(file: string, address: string, s: DevClusterSecrets): Promise<void> {
  await writeFile(file, `# mq cluster up --secure: broker settings (throw-away secrets)\n` + props([
    ['listeners', `SASL_SSL://${address}`],
    ['ssl.certificate.location', s.cert],
    ['ssl.key.location', s.key],
    ['ssl.ca.location', s.ca],
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-512,SCRAM-SHA-256'],
    ['inter.broker.sasl.mechanism', 'SCRAM-SHA-512'],
    ['inter.broker.sasl.username', 'broker'],
    ['inter.broker.sasl.password', s.brokerPassword],
    ['authorizer.enabled', 'true'],
    ['super.users', 'User:admin;User:broker'],
    ['allow.everyone.if.no.acl.found', 'false'],
    ['etcd.username', s.etcdUser],
    ['etcd.password', s.etcdPassword],
    ['etcd.ssl.ca.location', s.ca],
    ['admin.auth', 'basic'],
  ]), { mode: 0o600 });
}

/** client.properties for the admin super user (kcat -F FILE, mq --command-config FILE). */
export async function writeClientProperties(file: string, s: DevClusterSecrets): Promise<void> {
  await writeFile(file, `# mq cluster up --secure: the admin super user (kcat -F ${file})\n` + props([
    ['security.protocol', 'SASL_SSL'],
    ['sasl.mechanism', 'SCRAM-SHA-512'],
    ['sasl.username', 'admin'],
    ['sasl.password', s.adminPassword],
    ['ssl.ca.location', s.ca],
  ]), { mode: 0o600 });
}

/** The admin user's settings back from client.properties (for status and readiness checks). */
export async function readClientSecurity(file: string): Promise<ClientSecurity> {
  return parseClientProperties(parsePropertiesText(await readFile(file, 'utf8'), file)).security;
}

/** /v1/status of a broker's admin endpoint with the admin user's credentials over https. */
export async function adminStatus(http: AdminHttpClient, admin: string): Promise<{ nodeId: number; controllerId: number }> {
  return http.getJson<{ nodeId: number; controllerId: number }>(admin, '/v1/status', 2000);
}
