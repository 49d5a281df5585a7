#!/usr/bin/env node
// Transaction costs on one embedded broker (issue 18's BENCHMARKS.md rows). Starts its own broker (temp
// dir, port 0) and stops it by PID. Needs dist/ (npx tsc -p .). Usage:
//   node bench/transactions.mjs [--seconds 10] [--rate 20000] [--json]
// 1. Produce with kafkajs 2.2.4 (acks all) at --rate records/s for --seconds, three ways: idempotent
//    without transactions, transactions committed 1 per second, and 100 per second (rate/1 and
//    rate/100 records each). Reports records/s reached and the commit (EndTxn) latency p50/p99.
// 2. Read the topics of the transactional runs (1/s: large transactions; 100/s: a marker after every
//    rate/100 records, one transaction in ten aborted) from the beginning with `mq bench consume`,
//    read_committed and read_uncommitted, 3 times each: records/s (median).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const { Kafka, logLevel } = require('kafkajs');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const seconds = arg('--seconds', 10);
const rate = arg('--rate', 20000);
const asJson = args.includes('--json');
const mqBin = join(root, 'bin/mq.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN; };

const dir = await mkdtemp(join(tmpdir(), 'mq-bench-txn-'));
const broker = spawn(process.execPath, [mqBin, 'broker', 'start', '--data', dir, '--listen', '127.0.0.1:0', '--admin-listen', 'none', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
broker.stdout.on('data', (d) => { out += d; });
broker.stderr.on('data', (d) => { out += d; });
const port = await new Promise((resolve, reject) => {
  const t = setInterval(() => {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) { clearInterval(t); resolve(Number(m[1])); }
    if (broker.exitCode !== null) { clearInterval(t); reject(new Error(`broker exited: ${out}`)); }
  }, 50);
});
const bootstrap = `127.0.0.1:${port}`;
const value = 'x'.repeat(100);
const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-txn', logLevel: logLevel.NOTHING });
const results = {};

function mq(argv) {
  const r = spawnSync(process.execPath, [mqBin, ...argv, '--bootstrap', bootstrap], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`mq ${argv.join(' ')}: ${r.stderr}`);
  return r;
}

/** Sends at `rate` for `seconds` in transactions of `perTxn` records (0: no transactions); every tenth aborted when `abortEvery`. */
async function produceRun(topic, perTxn, abortEvery) {
  mq(['topics', 'create', topic, '--partitions', '1']);
  const producer = perTxn > 0
    ? kafka.producer({ transactionalId: `bench-${topic}`, maxInFlightRequests: 1, idempotent: true })
    : kafka.producer({ maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const chunk = perTxn > 0 ? Math.min(perTxn, 1000) : 1000;
  const commits = [];
  let sent = 0;
  let txns = 0;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const due = ((Date.now() - started) / 1000) * rate;
    if (sent >= due) { await sleep(1); continue; }
    const messages = (n) => Array.from({ length: n }, () => ({ value }));
    if (perTxn === 0) {
      await producer.send({ topic, acks: -1, messages: messages(chunk) });
      sent += chunk;
      continue;
    }
    const txn = await producer.transaction();
    for (let n = 0; n < perTxn; n += chunk) await txn.send({ topic, acks: -1, messages: messages(Math.min(chunk, perTxn - n)) });
    const t0 = performance.now();
    if (abortEvery && txns % 10 === 9) await txn.abort();
    else await txn.commit();
    commits.push(performance.now() - t0);
    sent += perTxn;
    txns += 1;
  }
  const elapsed = (Date.now() - started) / 1000;
  await producer.disconnect();
  return { records: sent, transactions: txns, recordsPerSec: Math.round(sent / elapsed), commitP50Ms: +quantile(commits, 0.5).toFixed(2), commitP99Ms: +quantile(commits, 0.99).toFixed(2) };
}

try {
  results.idempotent = await produceRun('bench-idem', 0, false);
  results.txn1PerSec = await produceRun('bench-txn1', rate, false);
  results.txn100PerSec = await produceRun('bench-txn100', Math.max(1, Math.round(rate / 100)), true);
  const consume = {};
  for (const topic of ['bench-txn1', 'bench-txn100']) {
    for (const level of ['read_committed', 'read_uncommitted']) {
      const runs = [1, 2, 3].map(() => JSON.parse(mq(['bench', 'consume', '--topic', topic, '--json', '-X', `isolation.level=${level}`]).stdout));
      const rates = runs.map((r) => r.recordsPerSec);
      consume[`${topic} ${level}`] = { records: runs[0].records, recordsPerSec: Math.round(quantile(rates, 0.5)) };
    }
  }
  results.consume = consume;
} finally {
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}

if (asJson) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const row = (name, r) => console.log(`${name.padEnd(28)} ${String(r.recordsPerSec).padStart(8)} records/s  ${String(r.transactions ?? '-').padStart(6)} transactions  commit p50 ${r.commitP50Ms ?? '-'} ms  p99 ${r.commitP99Ms ?? '-'} ms`);
  console.log(`kafkajs producer, acks all, ${rate} records/s offered for ${seconds} s, 100-byte values`);
  row('idempotent, no transactions', results.idempotent);
  row('1 transaction/s', results.txn1PerSec);
  row('100 transactions/s', results.txn100PerSec);
  for (const [what, r] of Object.entries(results.consume)) console.log(`mq bench consume ${what.padEnd(30)} ${String(r.recordsPerSec).padStart(8)} records/s (${r.records} records, median of 3)`);
}
