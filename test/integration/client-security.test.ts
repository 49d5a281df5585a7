// mq's own commands against a broker process with TLS and SASL listeners, as a person would use them:
// mq produce | mq consume round trips over SASL_SSL with SCRAM-SHA-256 (-X flags) and SCRAM-SHA-512
// (a --command-config file), SASL_PLAINTEXT with PLAIN (MQ_* variables) and SSL with a client
// certificate (MQ_COMMAND_CONFIG); kcat writing with the same properties file mq reads; a wrong
// password, an unknown user, a plaintext client on a SASL listener and an untrusted broker certificate
// failing with errors that say what to change (exit 1, like other connection errors, at once: not
// retried); `mq topics list` and `mq top --once` over SASL_SSL; a producer living through several
// session lifetimes (connections.max.reauth.ms) by re-authenticating. Certificates come from openssl in
// the test, users from `mq users create --data` before the broker starts.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createProducer } from '../../src/client/index.js';
import { ALICE_PASSWORD, createScramUser, startSecuredBroker, type SecuredBroker } from '../helpers/secured-broker.js';
import { makeCa, type CertFiles } from '../helpers/tls-certs.js';
import { run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';

const PASSWORD = ALICE_PASSWORD;
let secured: SecuredBroker;
let dir: { path: string };
let broker: BrokerProcess;
let ca: CertFiles;
let client: CertFiles;
let ports: { saslPlain: number; saslSsl: number; ssl: number };

before(async () => {
  secured = await startSecuredBroker('SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0');
  ({ broker, ca, client } = secured);
  dir = { path: secured.dir };
  ports = { saslPlain: broker.listenerPort('SASL_PLAINTEXT'), saslSsl: broker.listenerPort('SASL_SSL'), ssl: broker.listenerPort('SSL') };
});
after(async () => {
  await secured.stop();
});

/** Writes a client properties file and returns its path. */
async function propertiesFile(name: string, lines: string[]): Promise<string> {
  const file = join(dir.path, name);
  await writeFile(file, `# ${name}\n${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** A client's extra environment (the broker's MQ_SSL_* settings went to its process only). */
const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => ({ ...extra });

test('mq produce | mq consume over SASL_SSL (SCRAM-SHA-256, SCRAM-SHA-512), SASL_PLAINTEXT (PLAIN) and SSL with a client certificate', async () => {
  const scram512 = await propertiesFile('scram512.properties', [
    'security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-512', 'sasl.username=alice', `sasl.password=${PASSWORD}`, `ssl.ca.location=${ca.cert}`,
  ]);
  const mtls = await propertiesFile('mtls.properties', [
    'security.protocol=ssl', `ssl.ca.location=${ca.cert}`, `ssl.certificate.location=${client.cert}`, `ssl.key.location=${client.key}`,
  ]);
  const cases: { name: string; port: number; args: string[]; env: Record<string, string> }[] = [
    { name: 'SASL_SSL SCRAM-SHA-256 (-X)', port: ports.saslSsl, env: {}, args: ['-X', 'security.protocol=sasl_ssl', '-X', 'sasl.mechanism=SCRAM-SHA-256', '-X', 'sasl.username=alice', '-X', `sasl.password=${PASSWORD}`, '-X', `ssl.ca.location=${ca.cert}`] },
    { name: 'SASL_SSL SCRAM-SHA-512 (--command-config)', port: ports.saslSsl, env: {}, args: ['--command-config', scram512] },
    { name: 'SASL_PLAINTEXT PLAIN (MQ_*)', port: ports.saslPlain, args: [], env: { MQ_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', MQ_SASL_MECHANISM: 'PLAIN', MQ_SASL_USERNAME: 'alice', MQ_SASL_PASSWORD: PASSWORD } },
    { name: 'SSL client certificate (MQ_COMMAND_CONFIG)', port: ports.ssl, args: [], env: { MQ_COMMAND_CONFIG: mtls } },
  ];
  for (const c of cases) {
    const topic = uniqueTopic('sec');
    const lines = ['one', 'two', 'three'].map((s) => `${c.name} ${s}`);
    const b = ['-b', `127.0.0.1:${c.port}`];
    const p = await run(['produce', topic, ...b, ...c.args], { input: lines.join('\n') + '\n', env: cleanEnv(c.env) });
    assert.equal(p.code, 0, `${c.name} produce: ${p.stderr}`);
    const r = await run(['consume', topic, ...b, ...c.args, '-o', 'beginning', '-e'], { env: cleanEnv(c.env) });
    assert.equal(r.code, 0, `${c.name} consume: ${r.stderr}`);
    assert.deepEqual(r.stdout.trim().split('\n'), lines, c.name);
  }
});

test('kcat reads the same properties file: kcat -F writes, mq --command-config reads back', async () => {
  const file = await propertiesFile('kcat.properties', [
    'security.protocol=sasl_ssl', 'sasl.mechanisms=SCRAM-SHA-256', 'sasl.username=alice', `sasl.password=${PASSWORD}`, `ssl.ca.location=${ca.cert}`,
  ]);
  const topic = uniqueTopic('kcat-sec');
  const p = await run(['-F', file, '-P', '-b', `127.0.0.1:${ports.saslSsl}`, '-t', topic], { cmd: 'kcat', input: 'from kcat\n', timeoutMs: 30_000 });
  assert.equal(p.code, 0, p.stderr);
  const r = await run(['consume', topic, '-b', `127.0.0.1:${ports.saslSsl}`, '--command-config', file, '-o', 'beginning', '-e'], { env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'from kcat\n');
});

test('a wrong password, an unknown user, a plaintext client on a SASL listener and an untrusted certificate say what to change', async () => {
  const sasl = (user: string, password: string, mechanism = 'SCRAM-SHA-512'): Record<string, string> => cleanEnv({
    MQ_SECURITY_PROTOCOL: 'sasl_ssl', MQ_SASL_MECHANISM: mechanism, MQ_SASL_USERNAME: user, MQ_SASL_PASSWORD: password, MQ_SSL_CA_LOCATION: ca.cert,
  });
  const saslSsl = `127.0.0.1:${ports.saslSsl}`;
  const failuresLogged = (): number => (broker.output().match(/^\S+ WARN  authentication failed /gm) ?? []).length;
  const before = failuresLogged();
  const wrong = await run(['topics', 'list', '-b', saslSsl], { env: sasl('alice', 'not-the-password') });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, new RegExp(`^mq: error: authentication failed for user alice \\(SCRAM-SHA-512\\) at ${saslSsl.replace(/\./g, '\\.')}: check sasl\\.username / sasl\\.password$`, 'm'));
  assert.doesNotMatch(wrong.stderr, /not-the-password/);
  const unknown = await run(['produce', 't', '-b', saslSsl], { env: sasl('mallory', 'x', 'SCRAM-SHA-256'), input: 'a\n' });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^mq: error: authentication failed for user mallory \(SCRAM-SHA-256\) at 127\.0\.0\.1:\d+: check sasl\.username \/ sasl\.password$/m);
  // Authentication failures are not retried: one attempt per command, so one refusal in the broker's log each.
  await broker.waitForOutput(/authentication failed[^\n]*mallory/);
  assert.equal(failuresLogged() - before, 2, broker.output());

  const plain = await run(['topics', 'list', '-b', `127.0.0.1:${ports.saslPlain}`], { env: cleanEnv() });
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /closed the connection before answering the first request: if this listener uses SASL or TLS, set security\.protocol/);
  assert.match(plain.stderr, /^hint: For a SASL listener set security\.protocol=sasl_plaintext or sasl_ssl/m);

  const saslOnTls = await run(['topics', 'list', '-b', `127.0.0.1:${ports.ssl}`], { env: cleanEnv({ MQ_SECURITY_PROTOCOL: 'sasl_plaintext', MQ_SASL_USERNAME: 'alice', MQ_SASL_PASSWORD: PASSWORD }) });
  assert.equal(saslOnTls.code, 1);
  assert.match(saslOnTls.stderr, /closed the connection during SASL: is security\.protocol right for this listener\?/);

  const otherDir = join(dir.path, 'other-ca');
  await mkdir(otherDir, { recursive: true });
  const other = await makeCa(otherDir, 'some other CA');
  const untrusted = await run(['topics', 'list', '-b', saslSsl], { env: { ...sasl('alice', PASSWORD), MQ_SSL_CA_LOCATION: other.cert } });
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /^mq: error: TLS: the broker's certificate at 127\.0\.0\.1:\d+ is not signed by a CA in ssl\.ca\.location \(.*other-ca\/ca\.pem\)/m);
  const byName = await run(['topics', 'list', '-b', `localhost:${ports.saslSsl}`, '-X', 'ssl.endpoint.identification.algorithm=none'], { env: sasl('alice', PASSWORD) });
  assert.equal(byName.code, 0, byName.stderr);
});

test('a consumer group (coordinator connections) and mq bench e2e (a consumer in a child process) over SASL_SSL', async () => {
  const env = cleanEnv({ MQ_SECURITY_PROTOCOL: 'sasl_ssl', MQ_SASL_MECHANISM: 'SCRAM-SHA-512', MQ_SASL_USERNAME: 'alice', MQ_SASL_PASSWORD: PASSWORD, MQ_SSL_CA_LOCATION: ca.cert });
  const b = ['-b', `127.0.0.1:${ports.saslSsl}`];
  const topic = uniqueTopic('sec-group');
  assert.equal((await run(['produce', topic, ...b], { input: 'g1\ng2\n', env })).code, 0);
  const g = await run(['consume', topic, ...b, '-g', `grp-${topic}`, '--auto-offset-reset', 'earliest', '-e'], { env });
  assert.equal(g.code, 0, g.stderr);
  assert.equal(g.stdout, 'g1\ng2\n');
  const e2e = await run(['bench', 'e2e', ...b, '--count', '2000', '--rate', '2000', '--json'], { env, timeoutMs: 120_000 });
  assert.equal(e2e.code, 0, e2e.stderr);
  assert.ok((JSON.parse(e2e.stdout) as { records: number }).records > 0, e2e.stdout);
});

test('mq topics list and mq top --once over SASL_SSL', async () => {
  const file = await propertiesFile('top.properties', [
    'security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-256', 'sasl.username=alice', `sasl.password=${PASSWORD}`, `ssl.ca.location=${ca.cert}`,
  ]);
  const b = ['-b', `127.0.0.1:${ports.saslSsl}`, '--command-config', file];
  const topic = uniqueTopic('sec-list');
  assert.equal((await run(['topics', 'create', topic, '-p', '2', ...b], { env: cleanEnv() })).code, 0);
  const list = await run(['topics', 'list', ...b, '--json'], { env: cleanEnv() });
  assert.equal(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as { name: string }[]).some((t) => t.name === topic), list.stdout);
  const top = await run(['top', '--once', '--json', ...b, '--admin-port', String(broker.adminPort)], { env: cleanEnv() });
  assert.equal(top.code, 0, top.stderr);
  const snap = JSON.parse(top.stdout) as { brokers: { id: number; alive: boolean }[]; partitions: { topic: string }[] };
  assert.deepEqual(snap.brokers.map((x) => [x.id, x.alive]), [[0, true]]);
  assert.equal(snap.partitions.filter((p) => p.topic === topic).length, 2);
});

test('a client outlives several SASL session lifetimes by re-authenticating on its connections (KIP-368)', async (t) => {
  const d = await tempDir('mq-client-reauth-');
  t.after(() => d.remove());
  await createScramUser(join(d.path, 'data'), 'alice', PASSWORD);
  const b = await startBrokerProcess(join(d.path, 'data'), { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', env: { MQ_CONNECTIONS_MAX_REAUTH_MS: '1000' } });
  t.after(() => b.stop());
  const producer = createProducer({
    bootstrap: [b.bootstrap], clientId: 'reauth-test', retries: 0,
    security: { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: PASSWORD } },
  });
  t.after(() => producer.close());
  const topic = uniqueTopic('reauth');
  for (let i = 0; i < 4; i++) {
    await producer.send({ topic, value: Buffer.from(`r${i}`) });
    await new Promise((resolve) => setTimeout(resolve, 800)); // 4 x 0.8 s: past three lifetimes of 1 s
  }
  assert.doesNotMatch(b.output(), /SASL session ended/, 'no request arrived after a session ended');
  const r = await run(['consume', topic, '-b', b.bootstrap, '-o', 'beginning', '-e', '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=SCRAM-SHA-256', '-X', 'sasl.username=alice'], { env: cleanEnv({ MQ_SASL_PASSWORD: PASSWORD }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'r0\nr1\nr2\nr3\n');
});
