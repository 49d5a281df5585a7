// The broker's listeners with TLS and SASL, met by the clients users have: kcat (librdkafka) and kafkajs
// over SASL_SSL with SCRAM-SHA-256 and SCRAM-SHA-512, SASL_PLAINTEXT with PLAIN, and SSL with a client
// certificate; refusals as those clients report them (wrong password, unknown user, a plaintext client on
// a SASL listener, no client certificate where one is required); Metadata answering each listener's own
// address; re-authentication (KIP-368) and the end of a session that was not renewed; SaslHandshake v0's
// bare tokens; a certificate replaced on disk served without a restart. Certificates come from openssl in
// the test; users from `mq users create --data` before the broker starts (the first user's path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, rename } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startBrokerProcess, tempDir, uniqueTopic, run, eventually, type BrokerProcess } from '../helpers/mq-process.js';
import { ALICE_PASSWORD, createScramUser, startSecuredBroker, type SecuredBroker } from '../helpers/secured-broker.js';
import { makeCa, makeCert, makeServerCert, type CertFiles } from '../helpers/tls-certs.js';
import { Connection } from '../../src/client/connection.js';
import { authenticateSasl } from '../../src/client/sasl-client.js';
import { ApiKey } from '../../src/protocol/api.js';

const PASSWORD = ALICE_PASSWORD;
let secured: SecuredBroker;
let dir: { path: string };
let broker: BrokerProcess;
let ca: CertFiles;
let client: CertFiles;
let ports: { plain: number; saslPlain: number; saslSsl: number; ssl: number };

before(async () => {
  secured = await startSecuredBroker('PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0');
  ({ broker, ca, client } = secured);
  dir = { path: secured.dir };
  ports = {
    plain: broker.listenerPort('PLAINTEXT'), saslPlain: broker.listenerPort('SASL_PLAINTEXT'),
    saslSsl: broker.listenerPort('SASL_SSL'), ssl: broker.listenerPort('SSL'),
  };
});
after(async () => {
  await secured.stop();
});

const kcatTls = (): string[] => ['-X', `ssl.ca.location=${ca.cert}`];
const kcatSasl = (mechanism: string, user = 'alice', password = PASSWORD): string[] =>
  ['-X', `sasl.mechanism=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`];

async function kcat(args: string[], input?: string): Promise<Awaited<ReturnType<typeof run>>> {
  return run(args, { cmd: 'kcat', input, timeoutMs: 30_000 });
}

test('kcat produces and consumes over SASL_SSL (SCRAM-SHA-256, SCRAM-SHA-512), SASL_PLAINTEXT (PLAIN) and SSL with a client certificate', async () => {
  const cases: [string, number, string[]][] = [
    ['SASL_SSL SCRAM-SHA-256', ports.saslSsl, ['-X', 'security.protocol=SASL_SSL', ...kcatTls(), ...kcatSasl('SCRAM-SHA-256')]],
    ['SASL_SSL SCRAM-SHA-512', ports.saslSsl, ['-X', 'security.protocol=SASL_SSL', ...kcatTls(), ...kcatSasl('SCRAM-SHA-512')]],
    ['SASL_PLAINTEXT PLAIN', ports.saslPlain, ['-X', 'security.protocol=SASL_PLAINTEXT', ...kcatSasl('PLAIN')]],
    ['SSL client certificate', ports.ssl, ['-X', 'security.protocol=SSL', ...kcatTls(), '-X', `ssl.certificate.location=${client.cert}`, '-X', `ssl.key.location=${client.key}`]],
  ];
  for (const [name, port, security] of cases) {
    const topic = uniqueTopic('kcat-sec');
    const lines = ['one', 'two', 'three'].map((s) => `${name} ${s}`);
    const p = await kcat(['-P', '-b', `127.0.0.1:${port}`, '-t', topic, ...security], lines.join('\n') + '\n');
    assert.equal(p.code, 0, `${name} produce: ${p.stderr}`);
    const c = await kcat(['-C', '-b', `127.0.0.1:${port}`, '-t', topic, '-e', '-q', ...security]);
    assert.equal(c.code, 0, `${name} consume: ${c.stderr}`);
    assert.deepEqual(c.stdout.trim().split('\n'), lines, name);
    // Metadata sends the client back to the listener it came in on, not the first one.
    const md = await kcat(['-L', '-b', `127.0.0.1:${port}`, ...security]);
    assert.match(md.stdout, new RegExp(`broker 0 at 127\\.0\\.0\\.1:${port}`), `${name}: ${md.stdout}`);
  }
});

test('kcat is refused with the error librdkafka reports: wrong password, unknown user, plaintext client on a SASL listener', async () => {
  const wrong = await kcat(['-L', '-b', `127.0.0.1:${ports.saslSsl}`, '-m', '3', '-X', 'security.protocol=SASL_SSL', ...kcatTls(), ...kcatSasl('SCRAM-SHA-512', 'alice', 'nope')]);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /SASL authentication error: authentication failed for user "alice" \(SCRAM-SHA-512\)/);
  const unknown = await kcat(['-L', '-b', `127.0.0.1:${ports.saslSsl}`, '-m', '3', '-X', 'security.protocol=SASL_SSL', ...kcatTls(), ...kcatSasl('SCRAM-SHA-256', 'mallory', 'x')]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /SASL authentication error: authentication failed for user "mallory" \(SCRAM-SHA-256\)/);
  const plain = await kcat(['-L', '-b', `127.0.0.1:${ports.saslPlain}`, '-m', '3']);
  assert.notEqual(plain.code, 0);
  assert.match(plain.stderr, /broker might require SASL authentication|security\.protocol/);
  await broker.waitForOutput(/closing connection .*Metadata before SASL authentication on SASL_PLAINTEXT listener/);
  await broker.waitForOutput(/authentication failed .*mechanism="SCRAM-SHA-256 on SASL_SSL" .*mallory/);
});

function kafkajs(port: number, extra: { ssl?: tls.ConnectionOptions | boolean; sasl?: SASLOptions }): Kafka {
  return new Kafka({ brokers: [`127.0.0.1:${port}`], clientId: 'mq-security-test', logLevel: logLevel.NOTHING, retry: { retries: 1 }, ...extra });
}

test('kafkajs produces and consumes over SASL_SSL (scram-sha-256, scram-sha-512), SASL_PLAINTEXT (plain) and SSL with a client certificate', async () => {
  const caPem = await readFile(ca.cert);
  const cases: [string, Kafka][] = [
    ['scram-sha-256', kafkajs(ports.saslSsl, { ssl: { ca: [caPem] }, sasl: { mechanism: 'scram-sha-256', username: 'alice', password: PASSWORD } })],
    ['scram-sha-512', kafkajs(ports.saslSsl, { ssl: { ca: [caPem] }, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORD } })],
    ['plain', kafkajs(ports.saslPlain, { sasl: { mechanism: 'plain', username: 'alice', password: PASSWORD } })],
    ['mtls', kafkajs(ports.ssl, { ssl: { ca: [caPem], cert: await readFile(client.cert), key: await readFile(client.key) } })],
  ];
  for (const [name, kafka] of cases) {
    const topic = uniqueTopic('kjs-sec');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: `${name} a` }, { value: `${name} b` }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${topic}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    try {
      await eventually(() => seen.length >= 2, { timeoutMs: 20_000 });
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(seen, [`${name} a`, `${name} b`], name);
  }
});

test('kafkajs is refused with KafkaJSSASLAuthenticationError for a wrong password and an unknown user, and with a closed connection without SASL', async () => {
  const caPem = await readFile(ca.cert);
  for (const [user, password] of [['alice', 'wrong'], ['nobody', 'x']]) {
    const admin = kafkajs(ports.saslSsl, { ssl: { ca: [caPem] }, sasl: { mechanism: 'scram-sha-512', username: user, password } }).admin();
    await assert.rejects(admin.connect(), (err: Error) => {
      assert.equal(err.name, 'KafkaJSSASLAuthenticationError', String(err));
      assert.match(err.message, new RegExp(`authentication failed for user "${user}"`));
      return true;
    });
  }
  // Without SASL on a SASL listener: the broker closes the connection at kafkajs' first non-SASL request.
  const plain = kafkajs(ports.saslPlain, {}).admin();
  await assert.rejects(plain.connect().then(() => plain.listTopics()), (err: Error) => {
    assert.match(`${err.name} ${err.message}`, /Connection|closed/i, String(err));
    return true;
  });
  await plain.disconnect();
});

/** A raw connection of mq's client to `port` (plaintext), for protocol-level checks. */
async function rawConnection(port: number): Promise<Connection> {
  const conn = new Connection({ host: '127.0.0.1', port, clientId: 'raw-sec', requestTimeoutMs: 5000 });
  return conn;
}

test('SaslHandshake v0: the tokens travel as bare frames and a PLAIN login works; a wrong one closes the connection', async () => {
  const exchange = async (token: Buffer): Promise<Buffer | null> => {
    const socket = net.connect(ports.saslPlain, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => { /* closed by the broker */ });
    // SaslHandshake v0 request: size, api key 17, version 0, correlation 1, client id "t", mechanism "PLAIN".
    const body = Buffer.concat([Buffer.from([0, 17, 0, 0, 0, 0, 0, 1, 0, 1]), Buffer.from('t'), Buffer.from([0, 5]), Buffer.from('PLAIN')]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    socket.write(Buffer.concat([size, body]));
    await eventually(() => Buffer.concat(chunks).length >= 4 + 4 + 2 + 4 + 2 + 5);
    const handshake = Buffer.concat(chunks);
    assert.equal(handshake.readInt16BE(8), 0, 'handshake error code');
    chunks.length = 0;
    const framed = Buffer.alloc(4 + token.length);
    framed.writeInt32BE(token.length);
    token.copy(framed, 4);
    socket.write(framed);
    const answered = await Promise.race([eventually(() => Buffer.concat(chunks).length >= 4).then(() => true), closed.then(() => false)]);
    socket.destroy();
    return answered ? Buffer.concat(chunks) : null;
  };
  const ok = await exchange(Buffer.from(`\0alice\0${PASSWORD}`));
  assert.ok(ok !== null, 'answered');
  assert.equal(ok.readInt32BE(0), 0, 'an empty server token');
  assert.equal(await exchange(Buffer.from('\0alice\0wrong')), null, 'closed without an answer');
});

test('a TLS client on a PLAINTEXT listener and a plaintext client on a TLS listener are closed with a line saying so', async () => {
  const socket = tls.connect({ host: '127.0.0.1', port: ports.plain, ca: await readFile(ca.cert) });
  await new Promise<void>((resolve) => { socket.on('error', () => resolve()); socket.on('close', () => resolve()); });
  await broker.waitForOutput(/TLS handshake on PLAINTEXT listener PLAINTEXT/);
  const raw = await rawConnection(ports.saslSsl);
  await assert.rejects(raw.request(ApiKey.ApiVersions, 0, {}));
  await raw.close();
  await broker.waitForOutput(/authentication failed .*mechanism="TLS handshake on SASL_SSL"/);
});

test('re-authentication keeps a session alive past connections.max.reauth.ms; a session not renewed is closed at its next request', async (t) => {
  const d = await tempDir('mq-reauth-');
  t.after(() => d.remove());
  await createScramUser(join(d.path, 'data'), 'alice', PASSWORD);
  const b = await startBrokerProcess(join(d.path, 'data'), {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    env: { MQ_CONNECTIONS_MAX_REAUTH_MS: '1500' },
  });
  t.after(() => b.stop());
  const sasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'alice', password: PASSWORD };
  const metadata = { topics: [], allowAutoTopicCreation: false };

  const renewed = await rawConnection(b.port);
  t.after(() => renewed.close());
  const request = <Res>(k: number, v: number, body: unknown): Promise<Res> => renewed.request<Res>(k, v, body);
  assert.equal(await authenticateSasl(request, sasl, b.bootstrap), 1500, 'the session lifetime is announced');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await authenticateSasl(request, sasl, b.bootstrap), 1500, 're-authenticated on the same connection');
  await new Promise((r) => setTimeout(r, 1000));
  await renewed.request(ApiKey.Metadata, 4, metadata); // 2 s after the first login, 1 s after the second

  const lapsed = await rawConnection(b.port);
  t.after(() => lapsed.close());
  await authenticateSasl(<Res>(k: number, v: number, body: unknown) => lapsed.request<Res>(k, v, body), sasl, b.bootstrap);
  await new Promise((r) => setTimeout(r, 2000));
  await assert.rejects(lapsed.request(ApiKey.Metadata, 4, metadata));
  await b.waitForOutput(/Metadata after the SASL session ended \(connections\.max\.reauth\.ms=1500\)/);
});

test('ssl.client.auth=required refuses a client without a certificate; a replaced certificate is served to new connections without a restart', async (t) => {
  const d = await tempDir('mq-tls-reload-');
  t.after(() => d.remove());
  const dca = await makeCa(d.path);
  await makeServerCert(d.path, dca, 'server', { serial: 1001 });
  const dclient = await makeCert(d.path, dca, 'client', { subject: '/CN=bob' });
  const b = await startBrokerProcess(join(d.path, 'data'), {
    listeners: 'SSL://127.0.0.1:0',
    env: {
      MQ_SSL_CERTIFICATE_LOCATION: join(d.path, 'server.pem'), MQ_SSL_KEY_LOCATION: join(d.path, 'server-key.pem'),
      MQ_SSL_CA_LOCATION: dca.cert, MQ_SSL_CLIENT_AUTH: 'required',
    },
  });
  t.after(() => b.stop());
  const kc = ['-b', b.bootstrap, '-m', '3', '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${dca.cert}`];
  const without = await kcat(['-L', ...kc]);
  assert.notEqual(without.code, 0);
  await b.waitForOutput(/authentication failed .*mechanism="TLS (client certificate|handshake) on SSL"/);
  const withCert = await kcat(['-L', ...kc, '-X', `ssl.certificate.location=${dclient.cert}`, '-X', `ssl.key.location=${dclient.key}`]);
  assert.equal(withCert.code, 0, withCert.stderr);

  const serial = async (): Promise<string> => {
    const s = tls.connect({ host: '127.0.0.1', port: b.port, ca: await readFile(dca.cert), cert: await readFile(dclient.cert), key: await readFile(dclient.key) });
    await new Promise<void>((resolve, reject) => { s.once('secureConnect', () => resolve()); s.once('error', reject); });
    const n = s.getPeerCertificate().serialNumber;
    s.destroy();
    return n;
  };
  assert.equal(parseInt(await serial(), 16), 1001);
  // Renew: write the new pair beside the old, then rename over it (what certificate managers do).
  const next = await makeServerCert(d.path, dca, 'server-next', { serial: 2002 });
  await writeFile(join(d.path, 'server-key.pem.new'), await readFile(next.key));
  await writeFile(join(d.path, 'server.pem.new'), await readFile(next.cert));
  await rename(join(d.path, 'server-key.pem.new'), join(d.path, 'server-key.pem'));
  await rename(join(d.path, 'server.pem.new'), join(d.path, 'server.pem'));
  await eventually(async () => parseInt(await serial(), 16) === 2002, { timeoutMs: 15_000 });
  await b.waitForOutput(/TLS certificate reloaded/);
});
