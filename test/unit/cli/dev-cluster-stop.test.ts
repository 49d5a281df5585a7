// `mq cluster down`'s stopping rules with real processes: SIGTERM first, SIGKILL (said out loud) for a
// process that ignores it, and a recorded pid whose start time no longer matches is never signalled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { identify, isRunning, writeDevClusterState, type DevClusterState } from '../../../src/cli/dev-cluster-state.js';
import { stopDevCluster, stopProcesses } from '../../../src/cli/dev-cluster-stop.js';
import { tempDir } from '../../helpers/mq-process.js';

/** A child that runs until killed; `ignoreTerm` makes it shrug off SIGTERM. Resolves once it runs. */
async function sleeper(ignoreTerm: boolean): Promise<{ pid: number; exited: Promise<unknown>; kill(): void }> {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('ready');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => child.stdout.once('data', r));
  const exited = new Promise((r) => child.on('exit', r));
  return { pid: child.pid!, exited, kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); } };
}

function stateOf(dataDir: string, etcd: { pid: number; startTime: string | null }, brokers: { pid: number; startTime: string | null }[]): DevClusterState {
  return {
    version: 1, dataDir, startedAt: new Date().toISOString(),
    etcd: { ...etcd, url: 'http://127.0.0.1:1', log: 'etcd.log' },
    brokers: brokers.map((b, i) => ({ ...b, id: i + 1, address: `127.0.0.1:${9092 + i}`, admin: `127.0.0.1:${9192 + i}`, log: `broker-${i + 1}.log` })),
    bootstrap: '',
  };
}

test('down sends SIGTERM, then SIGKILL to a process that ignores it, brokers before etcd', async (t) => {
  const dir = await tempDir('mq-dev-stop-');
  const polite = await sleeper(false);
  const stubborn = await sleeper(true);
  const etcd = await sleeper(false);
  t.after(async () => { for (const p of [polite, stubborn, etcd]) p.kill(); await dir.remove(); });
  const state = stateOf(dir.path, { pid: etcd.pid, startTime: identify(etcd.pid) }, [polite, stubborn].map((p) => ({ pid: p.pid, startTime: identify(p.pid) })));
  await writeDevClusterState(state);
  const lines: string[] = [];
  await stopProcesses(state, async (l) => { lines.push(l); }, { brokerStopTimeoutMs: 300, etcdStopTimeoutMs: 1000 });
  assert.deepEqual(lines, [
    `broker 1 stopped (pid ${polite.pid})`,
    `broker 2 (pid ${stubborn.pid}) did not stop within 0.3 s of SIGTERM; sending SIGKILL`,
    `broker 2 killed (pid ${stubborn.pid})`,
    `etcd stopped (pid ${etcd.pid})`,
  ]);
  for (const p of [polite, stubborn, etcd]) assert.equal(isRunning({ pid: p.pid, startTime: null, log: '' }), false);
  assert.equal(existsSync(join(dir.path, 'cluster.json')), false);
});

test('a recorded pid with another start time is left alone and the cluster counts as not running', async (t) => {
  const dir = await tempDir('mq-dev-stop-');
  const other = await sleeper(false);
  t.after(async () => { other.kill(); await other.exited; await dir.remove(); });
  const stale = String(Number(identify(other.pid)) - 1);
  await writeDevClusterState(stateOf(dir.path, { pid: other.pid, startTime: stale }, [{ pid: other.pid, startTime: stale }]));
  const lines: string[] = [];
  assert.deepEqual(await stopDevCluster(dir.path, async (l) => { lines.push(l); }), { wasRunning: false });
  assert.match(lines[0], /^no cluster running in .*had already exited/);
  assert.equal(isRunning({ pid: other.pid, startTime: identify(other.pid), log: '' }), true, 'the unrelated process still runs');
  assert.equal(existsSync(join(dir.path, 'cluster.json')), false);
  assert.deepEqual(await stopDevCluster(dir.path, async (l) => { lines.push(l); }), { wasRunning: false });
  assert.match(lines[1], /^no cluster running in /);
});
