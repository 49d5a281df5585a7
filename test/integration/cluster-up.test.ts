// mq cluster up / status / down and mq brokers list with real processes: `up` starts etcd and 3 brokers
// in the background and exits, the printed bootstrap string reaches a working cluster, `down` stops
// exactly the recorded processes (their pids gone, their ports free), and bad input is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { processStartTime, type DevClusterState } from '../../src/cli/dev-cluster-state.js';
import type { DevClusterStatus } from '../../src/cli/dev-cluster-status.js';
import { eventually, mqBin, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';

/** Listens on 127.0.0.1:port; null when the port is taken. */
function hold(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

async function isFree(port: number): Promise<boolean> {
  const srv = await hold(port);
  if (!srv) return false;
  await new Promise((r) => srv.close(r));
  return true;
}

/** A base port whose broker ports (base..base+n-1) and admin ports (base+100..) are free now; below the ephemeral range port-0 sockets use. */
async function freeBasePort(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 10000);
    const ports = Array.from({ length: n }, (_, i) => [base + i, base + 100 + i]).flat();
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port found');
}

test('mq cluster up starts 3 brokers in the background; status, brokers list and down work on them', async (t) => {
  const dir = await tempDir('mq-cluster-up-');
  t.after(async () => { await run(['cluster', 'down', '--data', dir.path]); await dir.remove(); });
  const base = await freeBasePort(3);

  const up = await run(['cluster', 'up', '--brokers', '3', '--data', dir.path, '--base-port', String(base)], { timeoutMs: 60_000 });
  assert.equal(up.code, 0, up.stderr);
  const lines = up.stdout.trim().split('\n');
  const bootstrap = lines[lines.length - 1];
  assert.equal(bootstrap, [0, 1, 2].map((i) => `127.0.0.1:${base + i}`).join(','), 'the last line is the bootstrap string alone');
  assert.match(up.stdout, /^etcd http:\/\/127\.0\.0\.1:\d+ /m);
  assert.match(up.stdout, new RegExp(`^broker 2 127\\.0\\.0\\.1:${base + 1} admin 127\\.0\\.0\\.1:${base + 101} `, 'm'));
  const state = JSON.parse(await readFile(join(dir.path, 'cluster.json'), 'utf8')) as DevClusterState;
  const pids = [state.etcd!.pid, ...state.brokers.map((b) => b.pid)];
  assert.equal(new Set(pids).size, 4);
  for (const pid of pids) assert.notEqual(processStartTime(pid), null, `pid ${pid} runs after up exited`);

  const status = JSON.parse((await run(['cluster', 'status', '--data', dir.path, '--json'])).stdout) as DevClusterStatus;
  assert.equal(status.running, true);
  assert.equal(status.etcd?.healthy, true);
  assert.deepEqual(status.brokers.map((b) => [b.id, b.alive, b.registered]), [[1, true, true], [2, true, true], [3, true, true]]);
  assert.equal(status.brokers.filter((b) => b.controller).length, 1);
  assert.ok([1, 2, 3].includes(status.controllerId!));
  const statusText = await run(['cluster', 'status', '--data', dir.path]);
  assert.equal(statusText.code, 0, statusText.stderr);
  assert.match(statusText.stdout, /^ID\s+ADDRESS\s+ADMIN\s+PID\s+PROCESS\s+REGISTERED\s+CONTROLLER$/m);
  assert.match(statusText.stdout, new RegExp(`3 of 3 brokers alive; controller: broker ${status.controllerId}`));

  const again = await run(['cluster', 'up', '--brokers', '3', '--data', dir.path, '--base-port', String(base)]);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /a cluster is already running in/);

  const topic = uniqueTopic('up');
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', '1', '-b', bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const produced = await run(['produce', topic, '-b', bootstrap], { input: 'a\nb\nc\nd\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(['consume', topic, '-b', bootstrap, '-o', 'beginning', '-e']);
  assert.deepEqual(consumed.stdout.trim().split('\n').sort(), ['a', 'b', 'c', 'd']);

  const listed = await run(['brokers', 'list', '-b', bootstrap.split(',')[2], '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const brokers = JSON.parse(listed.stdout) as { id: number; host: string; port: number; controller: boolean }[];
  assert.deepEqual(brokers.map((b) => `${b.id} ${b.host}:${b.port}`), [1, 2, 3].map((id) => `${id} 127.0.0.1:${base + id - 1}`));
  assert.deepEqual(brokers.filter((b) => b.controller).map((b) => b.id), [status.controllerId]);
  const table = await run(['brokers', 'list', '-b', bootstrap]);
  assert.match(table.stdout, /^ID\s+HOST\s+PORT\s+RACK\s+CONTROLLER\n/);
  assert.equal(table.stdout.trim().split('\n').length, 4);
  const kcat = await run(['-b', bootstrap.split(',')[0], '-L'], { cmd: 'kcat' });
  assert.match(kcat.stdout, /3 brokers:/);

  const down = await run(['cluster', 'down', '--data', dir.path]);
  assert.equal(down.code, 0, down.stderr);
  for (const id of [1, 2, 3]) assert.match(down.stdout, new RegExp(`^broker ${id} stopped`, 'm'));
  assert.match(down.stdout, /^etcd stopped/m);
  for (const pid of pids) assert.equal(processStartTime(pid), null, `pid ${pid} is gone`);
  for (const port of [0, 1, 2, 100, 101, 102].map((d) => base + d)) assert.ok(await isFree(port), `port ${port} is free`);
  assert.ok(await isFree(Number(new URL(state.etcd!.url).port)), 'etcd port is free');
  for (const id of [1, 2, 3]) assert.match(await readFile(join(dir.path, `broker-${id}.log`), 'utf8'), /broker stopped cleanly/);
  assert.equal(existsSync(join(dir.path, 'cluster.json')), false);

  const after = await run(['cluster', 'status', '--data', dir.path]);
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /^no cluster running in /);
  assert.equal((JSON.parse((await run(['cluster', 'status', '--data', dir.path, '--json'])).stdout) as DevClusterStatus).running, false);
  const second = await run(['cluster', 'down', '--data', dir.path]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^no cluster running in /);
});

test('mq cluster up refuses bad input: --brokers 0, a taken port, a base port too high, no etcd on PATH', async (t) => {
  const dir = await tempDir('mq-cluster-bad-');
  t.after(async () => { await run(['cluster', 'down', '--data', dir.path]); await dir.remove(); });

  const zero = await run(['cluster', 'up', '--brokers', '0', '--data', dir.path]);
  assert.equal(zero.code, 2, zero.stderr);
  assert.match(zero.stderr, /--brokers/);

  const high = await run(['cluster', 'up', '--brokers', '3', '--data', dir.path, '--base-port', '65500']);
  assert.equal(high.code, 2, high.stderr);
  assert.match(high.stderr, /--base-port 65500 leaves no room/);

  const base = await freeBasePort(2);
  const blocker = await hold(base + 1);
  assert.ok(blocker);
  t.after(() => new Promise((r) => blocker.close(r)));
  const taken = await run(['cluster', 'up', '--brokers', '2', '--data', dir.path, '--base-port', String(base)]);
  assert.equal(taken.code, 1, taken.stderr);
  assert.match(taken.stderr, new RegExp(`port ${base + 1} for broker 2 is already in use`));
  assert.equal(existsSync(join(dir.path, 'cluster.json')), false, 'nothing was started');

  const noEtcd = await run(['cluster', 'up', '--brokers', '1', '--data', dir.path, '--base-port', String(base)], { env: { PATH: '/nonexistent' } });
  assert.equal(noEtcd.code, 1, noEtcd.stderr);
  assert.match(noEtcd.stderr, /etcd not found on PATH\nhint: .*etcd-server/);
  assert.equal(existsSync(join(dir.path, 'cluster.json')), false, 'the failed start left no state behind');

  const down = await run(['cluster', 'down', '--data', dir.path]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /no cluster running/);
});

test('mq cluster up --foreground stops every process on Ctrl-C', async (t) => {
  const dir = await tempDir('mq-cluster-fg-');
  t.after(async () => { await run(['cluster', 'down', '--data', dir.path]); await dir.remove(); });
  const base = await freeBasePort(1);
  const proc = spawn(process.execPath, [mqBin, 'cluster', 'up', '--brokers', '1', '--data', dir.path, '--base-port', String(base), '--foreground'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.after(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT'); return exited; });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started within 45 s:\n${out}`)), 45_000);
    const check = (): void => { if (out.includes('Ctrl-C stops the cluster.')) { clearTimeout(timer); resolve(); } };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${out}`)); });
  });
  const state = JSON.parse(await readFile(join(dir.path, 'cluster.json'), 'utf8')) as DevClusterState;
  proc.kill('SIGINT');
  assert.equal(await exited, 0, out);
  // 'exit' can come before the last of its output has been read from the pipe.
  await eventually(() => /^broker 1 stopped/m.test(out), { timeoutMs: 5000 }).catch(() => undefined);
  assert.match(out, /^broker 1 stopped/m);
  for (const pid of [state.etcd!.pid, state.brokers[0].pid]) assert.equal(processStartTime(pid), null);
  assert.match((await run(['cluster', 'status', '--data', dir.path])).stdout, /no cluster running/);
});
