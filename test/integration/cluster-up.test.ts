// mq cluster up: etcd and 2 brokers from one command, a working cluster behind the printed bootstrap
// string, and Ctrl-C (SIGINT) stops every process it started, brokers cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mqBin, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';

test('mq cluster up --brokers 2 serves a cluster and Ctrl-C stops it all', async (t) => {
  const dir = await tempDir('mq-cluster-up-');
  t.after(() => dir.remove());
  const proc = spawn(process.execPath, [mqBin, 'cluster', 'up', '--brokers', '2', '--data', dir.path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.after(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT'); return exited; });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no bootstrap line within 30 s:\n${out}`)), 30_000);
    const check = (): void => {
      const m = /^bootstrap (\S+)$/m.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${out}`)); });
  });
  assert.equal(bootstrap.split(',').length, 2);
  assert.match(out, /^etcd http:\/\/127\.0\.0\.1:\d+/m);
  const listed = await run(['-b', bootstrap.split(',')[1], '-L'], { cmd: 'kcat' });
  assert.match(listed.stdout, /2 brokers:/);
  assert.match(listed.stdout, /\(controller\)/);
  const topic = uniqueTopic('up');
  assert.equal((await run(['topics', 'create', topic, '-p', '2', '-b', bootstrap])).code, 0);
  assert.equal((await run(['produce', topic, '-b', bootstrap], { input: 'a\nb\nc\n' })).code, 0);
  const consumed = await run(['consume', topic, '-b', bootstrap, '-o', 'beginning', '-e']);
  assert.deepEqual(consumed.stdout.trim().split('\n').sort(), ['a', 'b', 'c']);

  proc.kill('SIGINT');
  assert.equal(await exited, 0, out);
  for (const id of [1, 2]) {
    assert.match(await readFile(join(dir.path, `broker-${id}.log`), 'utf8'), /broker stopped cleanly/);
  }
});
