// mq cluster up --secure with real processes: the CA and certificate made with openssl, etcd on https://
// with auth on (anonymous refused, the mq user from broker-1.properties accepted, the SCRAM users admin
// and broker created), a broker with a SASL_SSL listener that kcat reaches with the printed
// client.properties (and not with a wrong password), the admin endpoint on https with admin.auth=basic,
// and status/down. One broker: replication between brokers over SASL_SSL needs inter-broker SASL
// (inter.broker.sasl.*), which brokers do not do yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { DevClusterState } from '../../src/cli/dev-cluster-state.js';
import type { DevClusterStatus } from '../../src/cli/dev-cluster-status.js';
import { run, tempDir, uniqueTopic } from '../helpers/mq-process.js';

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 10000);
    if (await isFree(base) && await isFree(base + 100)) return base;
  }
  throw new Error('no free base port found');
}

const properties = (text: string): Map<string, string> =>
  new Map(text.split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

test('mq cluster up --secure: etcd with TLS and auth, a SASL_SSL broker, https admin with basic auth, client.properties for kcat', async (t) => {
  const dir = await tempDir('mq-cluster-secure-');
  t.after(async () => { await run(['cluster', 'down', '--data', dir.path]); await dir.remove(); });
  const base = await freeBasePort();

  const up = await run(['cluster', 'up', '--secure', '--brokers', '1', '--data', dir.path, '--base-port', String(base)], { timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^etcd https:\/\/127\.0\.0\.1:\d+ /m);
  const clientProperties = join(dir.path, 'client.properties');
  assert.match(up.stdout, new RegExp(`admin super user in ${clientProperties}`));
  assert.equal((await stat(clientProperties)).mode & 0o077, 0, 'client.properties is private');
  const client = properties(await readFile(clientProperties, 'utf8'));
  assert.equal(client.get('security.protocol'), 'SASL_SSL');
  assert.equal(client.get('sasl.username'), 'admin');
  const ca = client.get('ssl.ca.location')!;
  const broker = properties(await readFile(join(dir.path, 'broker-1.properties'), 'utf8'));
  assert.equal(broker.get('inter.broker.sasl.username'), 'broker');
  assert.equal(broker.get('super.users'), 'User:admin;User:broker');
  const state = JSON.parse(await readFile(join(dir.path, 'cluster.json'), 'utf8')) as DevClusterState;
  const etcdUrl = state.etcd!.url;

  // etcd: anonymous refused; the brokers' etcd user sees the SCRAM users admin and broker.
  const anonymous = await run(['users', 'list', '--etcd', etcdUrl, '--etcd-ca', ca]);
  assert.equal(anonymous.code, 1);
  assert.match(anonymous.stderr, /requires authentication/);
  const users = await run(['users', 'list', '--json', '--etcd', etcdUrl, '--etcd-ca', ca, '--etcd-user', broker.get('etcd.username')!], {
    env: { MQ_ETCD_PASSWORD: broker.get('etcd.password')! },
  });
  assert.equal(users.code, 0, users.stderr);
  assert.deepEqual((JSON.parse(users.stdout) as { user: string }[]).map((u) => u.user), ['admin', 'broker']);

  // The Kafka listener: SASL_SSL with the admin user from client.properties.
  const bootstrap = `127.0.0.1:${base}`;
  const topic = uniqueTopic('secure');
  const produced = await run(['-F', clientProperties, '-b', bootstrap, '-P', '-t', topic], { cmd: 'kcat', input: 'one\ntwo\n', timeoutMs: 60_000 });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(['-F', clientProperties, '-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'], { cmd: 'kcat', timeoutMs: 60_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout, 'one\ntwo\n');
  // mq reads the same file (--command-config).
  const mqConsumed = await run(['consume', topic, '-b', bootstrap, '--command-config', clientProperties, '-o', 'beginning', '-e']);
  assert.equal(mqConsumed.code, 0, mqConsumed.stderr);
  assert.equal(mqConsumed.stdout, 'one\ntwo\n');
  const wrong = await run(['-F', clientProperties, '-X', 'sasl.password=wrong', '-b', bootstrap, '-L', '-m', '5'], { cmd: 'kcat', timeoutMs: 60_000 });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /Authentication failed|SASL/i);

  // The admin endpoint: https with the cluster's CA, admin.auth=basic.
  const admin = `https://127.0.0.1:${base + 100}/v1/status`;
  const refused = await run(['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', ca, admin], { cmd: 'curl' });
  assert.equal(refused.stdout, '401');
  const allowed = await run(['-sS', '--cacert', ca, '-u', `admin:${client.get('sasl.password')!}`, admin], { cmd: 'curl' });
  assert.equal((JSON.parse(allowed.stdout) as { nodeId: number }).nodeId, 1);

  const status = JSON.parse((await run(['cluster', 'status', '--data', dir.path, '--json'])).stdout) as DevClusterStatus;
  assert.equal(status.etcd?.healthy, true);
  assert.equal(status.controllerId, 1);
  const down = await run(['cluster', 'down', '--data', dir.path]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /etcd stopped/);
});
