#!/usr/bin/env node
// Consumer-group timings: how long a group takes to rebalance after a member joins, leaves cleanly
// (LeaveGroup) and is killed with -9 (session timeout), and how many offset commits per second one
// member gets (one at a time, and 64 in flight). Starts its own broker (temp dir, port 0, initial
// rebalance delay 0) and stops it by PID. Needs dist/ (npx tsc -p .). Usage:
//   node bench/groups.mjs [--session-timeout-ms 6000] [--json]
// A rebalance is timed from the event (start of the joiner, close(), kill -9) to the moment the
// member(s) that stay have been handed their new partitions (onAssign).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { createAdmin, createGroupConsumer } = await import(join(root, 'dist/src/client/index.js'));
const args = process.argv.slice(2);
const sessionTimeoutMs = Number(args[args.indexOf('--session-timeout-ms') + 1] || 6000) || 6000;
const asJson = args.includes('--json');
const mqBin = join(root, 'bin/mq.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(1);
  }
}

const dir = await mkdtemp(join(tmpdir(), 'mq-bench-groups-'));
const broker = spawn(process.execPath, [mqBin, 'broker', 'start', '--data', dir, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {
  env: { ...process.env, MQ_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
});
const results = {};
try {
  let out = '';
  broker.stdout.on('data', (d) => { out += d; });
  await until(() => /mq broker listening on [^\s:]+:\d+/.test(out), 15_000);
  const bootstrap = [`127.0.0.1:${/mq broker listening on [^\s:]+:(\d+)/.exec(out)[1]}`];
  const topic = `bench-groups-${Date.now()}`;
  const admin = createAdmin({ bootstrap });
  await admin.createTopic({ topic, partitions: 6 });
  await admin.close();

  const assigned = [];
  const member = (name) => {
    const consumer = createGroupConsumer({
      bootstrap, groupId: 'bench', topics: [topic], sessionTimeoutMs, autoOffsetReset: 'earliest',
      onAssign: () => { assigned.push({ name, at: performance.now() }); },
    });
    const ac = new AbortController();
    const loop = (async () => { for await (const _ of consumer.batches({ signal: ac.signal })) { /* empty topic */ } })().catch(() => undefined);
    return { consumer, stop: async () => { ac.abort(); await loop; await consumer.close(); } };
  };
  const assignedSince = (name, since) => assigned.find((a) => a.name === name && a.at >= since);

  const a = member('a');
  await until(() => assignedSince('a', 0));
  let t0 = performance.now();
  const b = member('b');
  await until(() => assignedSince('b', t0));
  results.rebalanceAfterJoinMs = Math.round(performance.now() - t0);

  const own = b.consumer.assignment()[0];
  let n = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 3000) { await b.consumer.commit([{ ...own, offset: 0 }]); n++; }
  results.commitsPerSec = Math.round(n / ((performance.now() - t0) / 1000));
  n = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 3000) { await Promise.all(Array.from({ length: 64 }, () => b.consumer.commit([{ ...own, offset: 0 }]))); n += 64; }
  results.commitsPerSecPipelined64 = Math.round(n / ((performance.now() - t0) / 1000));

  t0 = performance.now();
  await b.stop();
  await until(() => assignedSince('a', t0));
  results.rebalanceAfterLeaveMs = Math.round(performance.now() - t0);

  // kill -9: a member in another process.
  const child = spawn(process.execPath, [mqBin, 'consume', topic, '-g', 'bench', '-b', bootstrap[0], '--session-timeout-ms', String(sessionTimeoutMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let childErr = '';
  child.stderr.on('data', (d) => { childErr += d; });
  await until(() => /assigned/.test(childErr));
  await until(() => a.consumer.assignment().length === 3);
  t0 = performance.now();
  child.kill('SIGKILL');
  await until(() => assignedSince('a', t0));
  results.rebalanceAfterKill9Ms = Math.round(performance.now() - t0);
  results.sessionTimeoutMs = sessionTimeoutMs;
  await a.stop();
} finally {
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
if (asJson) console.log(JSON.stringify(results));
else {
  console.log(`rebalance after a join          ${results.rebalanceAfterJoinMs} ms`);
  console.log(`rebalance after a clean leave   ${results.rebalanceAfterLeaveMs} ms`);
  console.log(`rebalance after kill -9         ${results.rebalanceAfterKill9Ms} ms (session timeout ${results.sessionTimeoutMs} ms)`);
  console.log(`offset commits, one at a time   ${results.commitsPerSec}/s`);
  console.log(`offset commits, 64 in flight    ${results.commitsPerSecPipelined64}/s`);
}
