// -X key=value, --command-config FILE and MQ_* variables: every command that takes -b has them, a later
// source wins (file < environment < -X), the clients get the merged ClientSecurity, and a mistake is a
// usage error (exit 2) that names the key but never echoes a value (it may be a password).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { Context } from '../../../commands/context.js';
import { allCommands, buildProgram, commandPath, main } from '../../../commands/index.js';
import { Output } from '../../../commands/output.js';
import { envNameOf } from '../../../src/cli/client-properties.js';
import type { Admin, ClientOptions, Producer, ProducerOptions } from '../../../src/client/types.js';
import { tempDir } from '../../helpers/mq-process.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** `mq ARGV` with an admin that lists no topics; returns the options the admin was made with. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; err: string; options: ClientOptions | null }> {
  const err = sink();
  let options: ClientOptions | null = null;
  const admin = { metadata: async () => ({ brokers: [], topics: [], controllerId: -1, clusterId: null }), close: async () => {} } as unknown as Admin;
  const code = await main(argv, { out: sink(), err, env, stdin: Readable.from([]), deps: { createAdmin: (o) => { options = o; return admin; } } });
  return { code, err: err.text(), options };
}

test('every command that takes -b/--bootstrap also takes -X/--property and --command-config', () => {
  const nullStream = new Writable({ write(_c, _e, cb) { cb(); } });
  const program = buildProgram(new Context(new Output(nullStream, nullStream), () => Readable.from([]), new AbortController().signal, {}));
  const withBootstrap = allCommands(program).filter((c) => c.options.some((o) => o.long === '--bootstrap'));
  assert.ok(withBootstrap.length >= 20, `${withBootstrap.length} commands take -b`);
  for (const cmd of withBootstrap) {
    const longs = cmd.options.map((o) => o.long);
    assert.ok(longs.includes('--property') && longs.includes('--command-config'), commandPath(cmd));
    assert.equal(cmd.options.find((o) => o.long === '--property')?.short, '-X', commandPath(cmd));
  }
});

test('without any setting the client gets no security option (plaintext)', async () => {
  const r = await run(['topics', 'list']);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.options && !('security' in r.options));
});

test('file < environment < -X, key by key; the merged settings reach the client', async () => {
  const dir = await tempDir('mq-cmdcfg-');
  after(() => dir.remove());
  const file = join(dir.path, 'client.properties');
  await writeFile(file, '# Kafka tools style\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\nsasl.username=from-file\nsasl.password=file-secret\nssl.ca.location=/ca.pem\n');
  const env = { [envNameOf('sasl.username')]: 'from-env', MQ_SASL_MECHANISMS: 'SCRAM-SHA-512' };
  assert.equal(envNameOf('ssl.endpoint.identification.algorithm'), 'MQ_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM');

  let r = await run(['topics', 'list', '--command-config', file]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.options?.security, {
    protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-256', username: 'from-file', password: 'file-secret' },
    tls: { caLocation: '/ca.pem', certificateLocation: undefined, keyLocation: undefined, keyPassword: undefined, verifyCertificate: true, verifyHostname: true },
  });
  r = await run(['topics', 'list', '--command-config', file], env);
  assert.equal(r.options?.security?.sasl?.username, 'from-env');
  assert.equal(r.options?.security?.sasl?.mechanism, 'SCRAM-SHA-512');
  r = await run(['topics', 'list', '--command-config', file, '-X', 'sasl.username=from-flag', '--property', 'ssl.endpoint.identification.algorithm=none'], env);
  assert.equal(r.options?.security?.sasl?.username, 'from-flag');
  assert.equal(r.options?.security?.sasl?.password, 'file-secret');
  assert.equal(r.options?.security?.tls?.verifyHostname, false);
  // MQ_COMMAND_CONFIG names the file too.
  r = await run(['topics', 'list'], { MQ_COMMAND_CONFIG: file });
  assert.equal(r.options?.security?.sasl?.username, 'from-file');
});

test('the producer of mq produce gets the settings as well', async () => {
  let options: ProducerOptions | null = null;
  const producer = { send: async () => [], flush: async () => {}, close: async () => {}, waitForCapacity: async () => {} } as unknown as Producer;
  const err = sink();
  await main(['produce', 't', '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanism=PLAIN'], {
    out: sink(), err, stdin: Readable.from([]), env: { MQ_SASL_USERNAME: 'alice', MQ_SASL_PASSWORD: 'pw' },
    deps: { createProducer: (o) => { options = o; return producer; } },
  });
  assert.deepEqual(options!.security, { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'PLAIN', username: 'alice', password: 'pw' } });
});

test('mistakes are usage errors that name the key, never the value', async () => {
  let r = await run(['topics', 'list', '-X', 'sasl.pasword=hunter2']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^mq: error: unknown client property 'sasl\.pasword' in -X$/m);
  assert.match(r.err, /^hint: Known: security\.protocol, .*sasl\.password.*ssl\.endpoint\.identification\.algorithm\.$/m);
  assert.doesNotMatch(r.err, /hunter2/);
  r = await run(['topics', 'list', '-X', 'hunter2']);
  assert.equal(r.code, 2);
  assert.match(r.err, /-X expects key=value/);
  assert.doesNotMatch(r.err, /hunter2/);
  r = await run(['topics', 'list', '-X', 'security.protocol=sasl_ssl', '-X', 'sasl.password=hunter2']);
  assert.equal(r.code, 2);
  assert.match(r.err, /needs sasl\.username and sasl\.password/);
  assert.doesNotMatch(r.err, /hunter2/);
  r = await run(['topics', 'list', '--command-config', '/nonexistent/client.properties']);
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot read --command-config \/nonexistent\/client\.properties: no such file/);
  r = await run(['topics', 'list', '-X', 'ssl.truststore.location=/x.jks']);
  assert.equal(r.code, 2);
  assert.match(r.err, /Java keystores are not supported/);
});
