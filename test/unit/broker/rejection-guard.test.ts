// The process-level guard of `mq broker start`: an unhandled rejection is logged with the requests in
// flight and the process carries on. Run in a child process, because node:test handles rejections of
// its own process itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const guard = new URL('../../../src/broker/rejection-guard.js', import.meta.url).href;

function runChild(install: boolean): { status: number | null; stdout: string } {
  const script = `
    import { installRejectionGuard } from ${JSON.stringify(guard)};
    const logger = { error: (msg, fields) => console.log(msg, JSON.stringify(fields)) };
    if (${install}) installRejectionGuard(logger, () => ['Metadata v1 correlation 7 from 127.0.0.1:5000']);
    Promise.reject(new Error('boom'));
    setTimeout(() => console.log('still running'), 20);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout };
}

test('an unhandled rejection is logged with the request in flight, and the process carries on', () => {
  const r = runChild(true);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /unhandled rejection \(the broker carries on\).*Metadata v1 correlation 7.*boom/);
  assert.match(r.stdout, /still running/);
});

test('without the guard the same rejection ends the process (what the guard prevents)', () => {
  const r = runChild(false);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stdout, /still running/);
});
