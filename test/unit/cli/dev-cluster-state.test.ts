// The dev cluster's process identity: a recorded pid counts as running only with its recorded start
// time, so `mq cluster down` never signals a process that merely reuses the pid.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { identify, isRunning, processStartTime, readDevClusterState, signalIfRunning, writeDevClusterState, type DevClusterState } from '../../../src/cli/dev-cluster-state.js';
import { tempDir } from '../../helpers/mq-process.js';
import { defer } from '../../helpers/in-process-broker.js';

test('a running process is identified by pid and start time; another start time is not it', () => {
  const mine = processStartTime(process.pid);
  assert.match(mine ?? '', /^\d+$/);
  assert.equal(identify(process.pid), mine);
  assert.equal(isRunning({ pid: process.pid, startTime: mine, log: '' }), true);
  assert.equal(isRunning({ pid: process.pid, startTime: String(Number(mine) + 1), log: '' }), false, 'a reused pid');
  assert.equal(signalIfRunning({ pid: process.pid, startTime: String(Number(mine) + 1), log: '' }, 'SIGTERM'), false, 'never signalled');
});

test('an exited process is not running, zombie or reaped', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const rec = { pid: child.pid!, startTime: identify(child.pid!), log: '' };
  assert.equal(isRunning(rec), true);
  const exited = new Promise((r) => child.on('exit', r));
  assert.equal(signalIfRunning(rec, 'SIGKILL'), true);
  await exited;
  assert.equal(isRunning(rec), false);
  assert.equal(processStartTime(rec.pid), null);
});

test('the state file round-trips; a missing one reads as null, a foreign one is refused', async (t) => {
  const dir = await tempDir('mq-dev-state-');
  defer(t, async () => dir.remove());
  assert.equal(await readDevClusterState(dir.path), null);
  const state: DevClusterState = {
    version: 1, dataDir: dir.path, startedAt: new Date(0).toISOString(),
    etcd: { pid: 1, startTime: '5', url: 'http://127.0.0.1:2379', log: 'etcd.log' },
    brokers: [{ id: 1, pid: 2, startTime: '6', address: '127.0.0.1:9092', admin: '127.0.0.1:9192', log: 'b.log' }],
    bootstrap: '127.0.0.1:9092',
  };
  await writeDevClusterState(state);
  assert.deepEqual(await readDevClusterState(dir.path), state);
  await writeDevClusterState({ ...state, version: 2 as 1 });
  await assert.rejects(readDevClusterState(dir.path), /not a cluster state file/);
});
