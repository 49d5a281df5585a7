// etcd with TLS and authentication, as a production cluster runs it: a real etcd serving https:// with a
// certificate from tls-certs.ts, a root user and a `mq` user allowed only /mq/, auth enabled. A broker
// in cluster mode starts with MQ_ETCD_* settings and serves; `mq users create/list --etcd` work with
// --etcd-user/--etcd-ca and MQ_ETCD_PASSWORD or --etcd-password-file; and each wrong setting fails with a
// message naming it (wrong password, no user, untrusted CA, http:// to a TLS etcd, https:// to a plain
// one, no client certificate for an etcd that requires one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enableEtcdAuth, startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { makeCa, makeCert, makeServerCert, type CertFiles } from '../helpers/tls-certs.js';
import { run, startBrokerProcess, tempDir, uniqueTopic } from '../helpers/mq-process.js';

const MQ_PASSWORD = 'mq-etcd-secret';

describe('etcd with TLS and auth', () => {
  let dir: { path: string; remove(): Promise<void> };
  let ca: CertFiles;
  let otherCa: CertFiles;
  let etcd: EtcdProcess;
  let flags: string[];

  before(async () => {
    dir = await tempDir('mq-etcd-sec-');
    ca = await makeCa(dir.path);
    const server = await makeServerCert(dir.path, ca, 'etcd');
    const otherDir = join(dir.path, 'other');
    await mkdir(otherDir);
    otherCa = await makeCa(otherDir, 'someone else');
    etcd = await startEtcd({ tls: { cert: server.cert, key: server.key } });
    await enableEtcdAuth(etcd.endpoint, 'root-secret', { credentials: { rootCertificate: await readFile(ca.cert) }, mqUser: { name: 'mq', password: MQ_PASSWORD } });
    flags = ['--etcd', etcd.endpoint, '--etcd-user', 'mq', '--etcd-ca', ca.cert];
  });
  after(async () => {
    await etcd?.close();
    await dir?.remove();
  });

  test('mq users create/list --etcd with --etcd-user, --etcd-ca and MQ_ETCD_PASSWORD or --etcd-password-file', async () => {
    const created = await run(['users', 'create', 'alice', '--password-stdin', ...flags], { input: 'alice-secret\n', env: { MQ_ETCD_PASSWORD: MQ_PASSWORD } });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /user alice: SCRAM-SHA-512 credential set/);
    const passwordFile = join(dir.path, 'etcd-password');
    await writeFile(passwordFile, `${MQ_PASSWORD}\n`);
    const listed = await run(['users', 'list', '--json', ...flags, '--etcd-password-file', passwordFile]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { user: string }[]).map((u) => u.user), ['alice']);
    // The same settings from the variables the broker reads.
    const viaEnv = await run(['users', 'list', '--etcd', etcd.endpoint], {
      env: { MQ_ETCD_USERNAME: 'mq', MQ_ETCD_PASSWORD: MQ_PASSWORD, MQ_ETCD_SSL_CA_LOCATION: ca.cert },
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /alice/);
  });

  test('a broker in cluster mode starts with etcd.username/password/ssl.ca.location and serves', async (t) => {
    const data = await tempDir('mq-etcd-sec-broker-');
    t.after(() => data.remove());
    const broker = await startBrokerProcess(data.path, {
      args: ['--id', '1', '--etcd', etcd.endpoint],
      env: { MQ_ETCD_USERNAME: 'mq', MQ_ETCD_PASSWORD: MQ_PASSWORD, MQ_ETCD_SSL_CA_LOCATION: ca.cert },
    });
    t.after(() => broker.stop());
    const topic = uniqueTopic('etcdsec');
    const created = await run(['topics', 'create', topic, '-p', '1', '-r', '1', '-b', broker.bootstrap]);
    assert.equal(created.code, 0, created.stderr);
    const produced = await run(['produce', topic, '-b', broker.bootstrap], { input: 'one\ntwo\n' });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-e']);
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout, 'one\ntwo\n');
    // Other commands that read etcd take the same flags: the broker is registered there.
    const top = await run(['top', '--once', '--json', ...flags], { env: { MQ_ETCD_PASSWORD: MQ_PASSWORD } });
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /"id": 1,/);
  });

  test('a broker with a wrong etcd password refuses to start, saying so', async (t) => {
    const data = await tempDir('mq-etcd-sec-bad-');
    t.after(() => data.remove());
    await assert.rejects(
      startBrokerProcess(data.path, {
        args: ['--id', '2', '--etcd', etcd.endpoint],
        env: { MQ_ETCD_USERNAME: 'mq', MQ_ETCD_PASSWORD: 'not-it', MQ_ETCD_SSL_CA_LOCATION: ca.cert },
      }),
      /refused user mq: wrong user name or password/,
    );
  });

  const fails = async (args: string[], env: Record<string, string>, re: RegExp): Promise<void> => {
    const r = await run(['users', 'list', ...args], { env });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, re);
  };

  test('a wrong password, no user, an untrusted CA and http:// each fail with a message naming the setting', async () => {
    await fails(flags, { MQ_ETCD_PASSWORD: 'wrong' }, /refused user mq: wrong user name or password/);
    await fails(['--etcd', etcd.endpoint, '--etcd-ca', ca.cert], {}, /requires authentication and no etcd user was given[\s\S]*--etcd-user/);
    await fails(['--etcd', etcd.endpoint, '--etcd-user', 'mq', '--etcd-ca', otherCa.cert], { MQ_ETCD_PASSWORD: MQ_PASSWORD }, /etcd's certificate at https:\/\/127\.0\.0\.1:\d+ is not trusted/);
    await fails(['--etcd', etcd.endpoint, '--etcd-user', 'mq'], { MQ_ETCD_PASSWORD: MQ_PASSWORD }, /not trusted[\s\S]*--etcd-ca FILE/);
    await fails(['--etcd', etcd.endpoint.replace('https://', 'http://'), '--etcd-user', 'mq'], { MQ_ETCD_PASSWORD: MQ_PASSWORD }, /serves TLS, but the URL says http:\/\//);
    await fails(['--etcd', etcd.endpoint.replace('https://', 'http://'), '--etcd-ca', ca.cert], {}, /--etcd-ca .* but .* is not an https:\/\/ URL|is not an https:\/\/ URL/);
  });

  test('https:// to a plain etcd, and no client certificate for an etcd that requires one', async (t) => {
    const plain = await startEtcd();
    t.after(() => plain.close());
    await fails(['--etcd', plain.endpoint.replace('http://', 'https://'), '--etcd-ca', ca.cert], {}, /does not serve TLS/);

    const server = await makeServerCert(dir.path, ca, 'etcd-mtls');
    const client = await makeCert(dir.path, ca, 'etcd-client', { subject: '/CN=mq' });
    const mtls = await startEtcd({ tls: { cert: server.cert, key: server.key, clientCa: ca.cert } });
    t.after(() => mtls.close());
    await fails(['--etcd', mtls.endpoint, '--etcd-ca', ca.cert], {}, /ended the TLS handshake[\s\S]*--etcd-cert, --etcd-key/);
    const ok = await run(['users', 'create', 'bob', '--password-stdin', '--etcd', mtls.endpoint, '--etcd-ca', ca.cert, '--etcd-cert', client.cert, '--etcd-key', client.key], { input: 'bob-secret\n' });
    assert.equal(ok.code, 0, ok.stderr);
  });
});
