// The admin endpoint's admin.auth against real broker processes and curl: basic (HTTP Basic checked
// against the SCRAM users: 401 with WWW-Authenticate without or with wrong credentials, 200 with right
// ones), token (POST /v1/token with Basic, then Authorization: Bearer; a changed password voids the
// token), admin.metrics.open (/metrics without credentials), HTTPS with the broker's certificate
// (curl --cacert), and `mq top` sending the credentials of its -X / MQ_* security settings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, rename } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { makeCa, makeServerCert, type CertFiles } from '../helpers/tls-certs.js';
import { eventually, run, startBrokerProcess, tempDir, type BrokerProcess } from '../helpers/mq-process.js';

const PASSWORD = 'alice-admin-secret';

/** curl's status line, the WWW-Authenticate header and the body. */
async function curl(url: string, args: string[] = []): Promise<{ status: number; wwwAuthenticate: string | null; body: string }> {
  const r = await run(['-sS', '-i', '--max-time', '20', ...args, url], { cmd: 'curl', timeoutMs: 30_000 });
  assert.equal(r.code, 0, `curl ${url}: ${r.stderr}`);
  const [head, ...rest] = r.stdout.split('\r\n\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]);
  const www = /^www-authenticate: (.*)$/im.exec(head)?.[1] ?? null;
  return { status, wwwAuthenticate: www, body: rest.join('\r\n\r\n') };
}

async function brokerWithUser(env: Record<string, string>): Promise<{ broker: BrokerProcess; remove(): Promise<void> }> {
  const data = await tempDir('mq-admin-auth-');
  const created = await run(['users', 'create', 'alice', '--password-stdin', '--data', data.path], { input: `${PASSWORD}\n` });
  assert.equal(created.code, 0, created.stderr);
  const broker = await startBrokerProcess(data.path, { env });
  return { broker, async remove() { await broker.stop(); await data.remove(); } };
}

describe('admin.auth=basic', () => {
  let b: { broker: BrokerProcess; remove(): Promise<void> };
  before(async () => { b = await brokerWithUser({ MQ_ADMIN_AUTH: 'basic' }); });
  after(() => b?.remove());

  test('401 with WWW-Authenticate without credentials or with wrong ones; 200 with the SCRAM user\'s password', async () => {
    const url = `http://${b.broker.admin}/v1/status`;
    const none = await curl(url);
    assert.equal(none.status, 401);
    assert.match(none.wwwAuthenticate ?? '', /^Basic realm="mq admin"/);
    assert.equal((await curl(url, ['-u', 'alice:wrong'])).status, 401);
    assert.equal((await curl(url, ['-u', `bob:${PASSWORD}`])).status, 401);
    const ok = await curl(url, ['-u', `alice:${PASSWORD}`]);
    assert.equal(ok.status, 200, ok.body);
    assert.equal((JSON.parse(ok.body) as { port: number }).port, b.broker.port);
    // Remembered checks still notice a wrong password afterwards.
    assert.equal((await curl(url, ['-u', 'alice:wrong'])).status, 401);
    // /metrics is protected too unless admin.metrics.open.
    assert.equal((await curl(`http://${b.broker.admin}/metrics`)).status, 401);
  });

  test('mq top sends the SASL user of its -X settings', async () => {
    const without = await run(['top', '--once', '--json', '--admin', b.broker.admin]);
    assert.match(without.stdout + without.stderr, /HTTP 401/);
    const wrong = await run(['top', '--once', '--json', '--admin', b.broker.admin, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.username=alice', '-X', 'sasl.password=wrong']);
    assert.match(wrong.stdout + wrong.stderr, /HTTP 401/);
    const top = await run(['top', '--once', '--json', '--admin', b.broker.admin, '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.username=alice', '-X', `sasl.password=${PASSWORD}`]);
    assert.equal(top.code, 0, top.stderr);
    const snap = JSON.parse(top.stdout) as { brokers: { alive: boolean; address: string }[] };
    assert.deepEqual(snap.brokers.map((x) => [x.alive, x.address]), [[true, b.broker.bootstrap]]);
  });
});

describe('admin.auth=token over HTTPS, with admin.metrics.open', () => {
  let dir: { path: string; remove(): Promise<void> };
  let ca: CertFiles;
  let b: { broker: BrokerProcess; remove(): Promise<void> };
  let cert: CertFiles;
  before(async () => {
    dir = await tempDir('mq-admin-tls-');
    ca = await makeCa(dir.path);
    cert = await makeServerCert(dir.path, ca, 'server', { serial: 1111 });
    b = await brokerWithUser({
      MQ_ADMIN_AUTH: 'token', MQ_ADMIN_METRICS_OPEN: 'true',
      MQ_SSL_CERTIFICATE_LOCATION: cert.cert, MQ_SSL_KEY_LOCATION: cert.key,
    });
  });
  after(async () => { await b?.remove(); await dir?.remove(); });

  test('/metrics is open; /v1/* wants a bearer token from POST /v1/token; HTTPS verifies with the CA', async () => {
    const base = `https://${b.broker.admin}`;
    const metrics = await curl(`${base}/metrics`, ['--cacert', ca.cert]);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^# (HELP|TYPE) /m);
    const none = await curl(`${base}/v1/status`, ['--cacert', ca.cert]);
    assert.equal(none.status, 401);
    assert.match(none.wwwAuthenticate ?? '', /^Bearer /);
    // Basic is not enough for /v1/* with token auth; it only mints tokens.
    assert.equal((await curl(`${base}/v1/status`, ['--cacert', ca.cert, '-u', `alice:${PASSWORD}`])).status, 401);
    assert.equal((await curl(`${base}/v1/token`, ['--cacert', ca.cert, '-X', 'POST', '-u', 'alice:wrong'])).status, 401);
    const minted = await curl(`${base}/v1/token`, ['--cacert', ca.cert, '-X', 'POST', '-u', `alice:${PASSWORD}`]);
    assert.equal(minted.status, 200, minted.body);
    const { token } = JSON.parse(minted.body) as { token: string };
    const ok = await curl(`${base}/v1/partitions`, ['--cacert', ca.cert, '-H', `Authorization: Bearer ${token}`]);
    assert.equal(ok.status, 200, ok.body);
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await curl(`${base}/v1/partitions`, ['--cacert', ca.cert, '-H', `Authorization: Bearer ${forged}`])).status, 401);
    // Without the CA, curl refuses the certificate (the endpoint is really TLS with the broker's certificate).
    const untrusted = await run(['-sS', '--max-time', '20', `${base}/metrics`], { cmd: 'curl' });
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.stderr, /certificate/i);

    // mq top with sasl_ssl settings (here from MQ_* variables): https:// with the CA, and the token flow.
    const top = await run(['top', '--once', '--json', '--admin', b.broker.admin], {
      env: { MQ_SECURITY_PROTOCOL: 'sasl_ssl', MQ_SASL_USERNAME: 'alice', MQ_SASL_PASSWORD: PASSWORD, MQ_SSL_CA_LOCATION: ca.cert },
    });
    assert.equal(top.code, 0, top.stderr);
    assert.deepEqual((JSON.parse(top.stdout) as { brokers: { alive: boolean }[] }).brokers.map((x) => x.alive), [true]);

    // A new password voids the token.
    const changed = await run(['users', 'create', 'alice', '--password-stdin', '-b', b.broker.bootstrap], { input: 'another-password\n' });
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal((await curl(`${base}/v1/partitions`, ['--cacert', ca.cert, '-H', `Authorization: Bearer ${token}`])).status, 401);
  });

  test('a renewed certificate is served without a restart', async () => {
    const served = async (): Promise<string> => {
      const caPem = await readFile(ca.cert);
      return new Promise((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: b.broker.adminPort, ca: caPem }, () => {
          resolve(socket.getPeerCertificate().serialNumber);
          socket.end();
        });
        socket.on('error', reject);
      });
    };
    const first = await served();
    const renewed = await makeServerCert(dir.path, ca, 'renewed', { serial: 2222 });
    // Replace both files by rename, as certificate managers do (the key first: a pair that does not match keeps the old one in service).
    await copyFile(renewed.key, `${cert.key}.new`);
    await copyFile(renewed.cert, `${cert.cert}.new`);
    await rename(`${cert.key}.new`, cert.key);
    await rename(`${cert.cert}.new`, cert.cert);
    const renewedSerial = await eventually(async () => { const s = await served(); return s !== first ? s : null; }, { timeoutMs: 15_000 });
    assert.equal(parseInt(renewedSerial ?? '', 16), 2222);
  });
});
