// `mq --debug` (before or after the command) and MQ_DEBUG=1 give the clients a debug logger on stderr
// and print stack traces; without them the clients get no logger and errors come without stacks.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import type { Admin, ClientOptions } from '../../../src/client/types.js';
import { MqError } from '../../../src/util/mq-error.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** `mq ARGV` whose admin fails metadata() after logging one debug line through the logger it was given. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; err: string; options: ClientOptions | null }> {
  const err = sink();
  let options: ClientOptions | null = null;
  const admin = {
    async metadata() {
      options?.logger?.debug('admin: something dropped', { error: 'boom' });
      throw new MqError('REQUEST_TIMED_OUT', 'listing topics timed out');
    },
    async close() {},
  } as unknown as Admin;
  const code = await main(argv, {
    out: sink(), err, env, stdin: Readable.from([]),
    deps: { createAdmin: (o) => { options = o; return admin; } },
  });
  return { code, err: err.text(), options };
}

for (const [label, argv, env] of [
  ['--debug before the command', ['--debug', 'topics', 'list'], {}],
  ['--debug after the command', ['topics', 'list', '--debug'], {}],
  ['MQ_DEBUG=1', ['topics', 'list'], { MQ_DEBUG: '1' }],
] as const) {
  test(`${label}: the client logs debug lines to stderr and errors show their stack`, async () => {
    const r = await run([...argv], { ...env });
    assert.equal(r.code, 1);
    assert.ok(r.options?.logger, 'the admin got a logger');
    assert.match(r.err, /^\S+ DEBUG admin: something dropped error=boom$/m);
    assert.match(r.err, /^mq: error: listing topics timed out$/m);
    assert.match(r.err, /^\s+at /m, 'stack trace');
  });
}

test('without --debug the client gets no logger and errors have no stack', async () => {
  const r = await run(['topics', 'list']);
  assert.equal(r.code, 1);
  assert.equal(r.options?.logger, undefined);
  assert.doesNotMatch(r.err, /DEBUG/);
  assert.doesNotMatch(r.err, /^\s+at /m);
});
