// `mq bench` against a real broker process: every mode prints its JSON object with the fields machines
// read, counts what it was asked for, finds the broker process by its port, and the records really
// are in the topic (read back with `mq consume`). Small counts: this checks the harness, not speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BenchResult } from '../../../src/bench/bench-result.js';
import { brokerPerFile, run, uniqueTopic } from '../../helpers/mq-process.js';

const shared = brokerPerFile();

async function bench(args: string[]): Promise<BenchResult> {
  const r = await run(['bench', ...args, '-b', shared.broker.bootstrap, '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as BenchResult;
}

function assertShape(r: BenchResult, records: number, recordSize: number): void {
  assert.equal(r.records, records);
  assert.equal(r.bytes, records * recordSize);
  assert.ok(r.recordsPerSec > 0 && r.mbPerSec > 0, JSON.stringify(r));
  const l = r.latencyMs;
  assert.ok(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, JSON.stringify(l));
  assert.equal(r.timedOut, false);
  assert.ok(r.broker, 'the broker process was found by its port');
  assert.equal(r.broker.pid, shared.broker.proc.pid);
  assert.ok(r.broker.peakRssMb > 10 && r.broker.cpuSeconds >= 0, JSON.stringify(r.broker));
}

test('produce with two producers, then consume it back; the topic holds exactly those records', async () => {
  const topic = uniqueTopic('bench');
  const produced = await bench(['produce', '--topic', topic, '--count', '20000', '--record-size', '50', '--producers', '2', '--partitions', '2', '--flush-policy', 'batch']);
  assert.equal(produced.mode, 'produce');
  assertShape(produced, 20_000, 50);
  const consumed = await bench(['consume', '--topic', topic]);
  assert.equal(consumed.mode, 'consume');
  // + one warm-up record per producer, sent before the clock starts
  assertShape(consumed, 20_002, 50);
  const lines = await run(['consume', topic, '-b', shared.broker.bootstrap, '-o', 'beginning', '-e'], { timeoutMs: 60_000 });
  assert.equal(lines.code, 0, lines.stderr);
  const values = lines.stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(values.length, 20_002);
  assert.ok(values.every((v) => /^[A-Za-z0-9]{50}$/.test(v)));
});

test('e2e at a fixed rate: every record sent is received, latency send -> receive', async () => {
  const r = await bench(['e2e', '--count', '3000', '--rate', '5000', '--linger-ms', '0', '--record-size', '64']);
  assert.equal(r.mode, 'e2e');
  assertShape(r, 3000, 64);
  const human = await run(['bench', 'e2e', '-b', shared.broker.bootstrap, '--count', '500', '--duration', '30'], { timeoutMs: 60_000 });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^produced and consumed 500 records .*\nrecords\/s +[\d,]+\nMB\/s +[\d.]+\nlatency ms +p50 .*\(send -> receive\)\nbroker +cpu [\d.]+ s +peak rss [\d.]+ MB +\(pid \d+\)\n$/);
});

test('--record-size under 8 is refused for e2e', async () => {
  const r = await run(['bench', 'e2e', '-b', shared.broker.bootstrap, '--record-size', '4', '--count', '10'], { timeoutMs: 30_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /at least 8/);
});
