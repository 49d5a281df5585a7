// The idempotent producer (issue 18) against a real broker process: what it stamps into the batches
// the broker stores (read from the partition's segment files and decoded), the CLI's switches, a
// retried batch written once, and the producer id state (producer-idempotence.ts) driven directly
// against a broker: the reset to a fresh id that a sequence error or a lost batch calls for. The
// broker's side (InitProducerId, the per-producer sequence checks and the answer to a retry with its
// original offset) is the lead's; these tests read its results only.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAdmin, createProducer } from '../../src/client/index.js';
import { Cluster } from '../../src/client/cluster.js';
import type { Batch } from '../../src/client/producer-batch.js';
import { ProducerIdempotence } from '../../src/client/producer-idempotence.js';
import { validateBatch } from '../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { decodeRecordBatches, type DecodedBatch } from '../../src/protocol/record-batch.js';
import type { Logger } from '../../src/util/logger.js';
import { brokerForTest, eventually, run, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';

/** Every batch the broker stored for `topic`-`partition`, in offset order. */
async function storedBatches(broker: BrokerProcess, topic: string, partition: number): Promise<DecodedBatch[]> {
  const dir = join(broker.dataDir, `${topic}-${partition}`);
  const logs = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  const out: DecodedBatch[] = [];
  for (const f of logs) out.push(...decodeRecordBatches(await readFile(join(dir, f))));
  return out;
}

async function createTopic(broker: BrokerProcess, topic: string, partitions: number): Promise<void> {
  const admin = createAdmin({ bootstrap: [broker.bootstrap] });
  try {
    await admin.createTopic({ topic, partitions, replicationFactor: 1 });
  } finally {
    await admin.close();
  }
}

/** Asserts one producer id (>= 0, epoch 0) across `batches` and BaseSequence = records before the batch. */
function assertSequences(batches: DecodedBatch[], what: string): bigint {
  assert.ok(batches.length > 0, `${what}: batches stored`);
  const producerId = batches[0].producerId;
  assert.ok(producerId >= 0n, `${what}: a producer id was stamped (got ${producerId})`);
  let expected = 0;
  for (const b of batches) {
    assert.equal(b.producerId, producerId, `${what}: one producer id`);
    assert.equal(b.producerEpoch, 0, `${what}: epoch 0`);
    assert.equal(b.baseSequence, expected, `${what}: the batch at offset ${b.baseOffset} starts at sequence ${expected}`);
    expected += b.recordsCount;
  }
  return producerId;
}

test('the producer stamps its producer id, epoch 0 and per-partition sequences that continue across batches', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('idem');
  await createTopic(broker, topic, 2);
  const producer = createProducer({ bootstrap: [broker.bootstrap], lingerMs: 0 });
  t.after(() => producer.close());
  // Rounds awaited one by one: each round is a batch per partition; partition 1 gets fewer records.
  for (let round = 0; round < 4; round++) {
    const sends = [];
    for (let i = 0; i < 3; i++) sends.push(producer.send({ topic, partition: 0, key: null, value: Buffer.from(`p0-${round}-${i}`) }));
    for (let i = 0; i < 2; i++) sends.push(producer.send({ topic, partition: 1, key: null, value: Buffer.from(`p1-${round}-${i}`) }));
    await Promise.all(sends);
  }
  const p0 = await storedBatches(broker, topic, 0);
  const p1 = await storedBatches(broker, topic, 1);
  assert.ok(p0.length >= 2 && p1.length >= 2, `several batches per partition (${p0.length}, ${p1.length})`);
  const id0 = assertSequences(p0, 'partition 0');
  const id1 = assertSequences(p1, 'partition 1');
  assert.equal(id0, id1, 'one producer id for the whole producer');
  assert.equal(p0.reduce((n, b) => n + b.recordsCount, 0), 12);
  assert.equal(p1.reduce((n, b) => n + b.recordsCount, 0), 8);
});

test('mq produce is idempotent by default; -X enable.idempotence=false and --acks 1 send ProducerId -1; --acks 1 with idempotence asked is an error', async (t) => {
  const broker = await brokerForTest(t);
  const lines = (from: number, n: number): string => Array.from({ length: n }, (_, i) => `line-${from + i}`).join('\n') + '\n';
  const cases: { args: string[]; idempotent: boolean }[] = [
    { args: [], idempotent: true },
    { args: ['-X', 'enable.idempotence=false'], idempotent: false },
    { args: ['--acks', '1'], idempotent: false },
  ];
  for (const c of cases) {
    const topic = uniqueTopic('idem-cli');
    await createTopic(broker, topic, 1);
    // Two runs, two producers: the second run's batches carry another producer id, from sequence 0.
    for (const from of [0, 5000]) {
      const r = await run(['produce', topic, '-b', broker.bootstrap, '--batch-size', '16384', ...c.args], { input: lines(from, 5000) });
      assert.equal(r.code, 0, `mq produce ${c.args.join(' ')}: ${r.stderr}`);
    }
    const batches = await storedBatches(broker, topic, 0);
    assert.equal(batches.reduce((n, b) => n + b.recordsCount, 0), 10_000);
    if (!c.idempotent) {
      assert.ok(batches.every((b) => b.producerId === -1n && b.baseSequence === -1), `mq produce ${c.args.join(' ')}: ProducerId -1, no sequence`);
      continue;
    }
    assert.ok(batches.length >= 4, `several batches (${batches.length})`);
    const ids = [...new Set(batches.map((b) => b.producerId))];
    assert.equal(ids.length, 2, 'one producer id per run');
    for (const id of ids) assertSequences(batches.filter((b) => b.producerId === id), `run with producer id ${id}`);
  }
  const topic = uniqueTopic('idem-conflict');
  await createTopic(broker, topic, 1);
  const r = await run(['produce', topic, '-b', broker.bootstrap, '--acks', '1', '-X', 'enable.idempotence=true'], { input: 'x\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /idempotent producer needs acks=all.*acks=1/);
  assert.match(r.stderr, /enable\.idempotence=false/, 'the hint names the way out');
  const bad = await run(['produce', topic, '-b', broker.bootstrap, '-X', 'enable.idempotence=maybe'], { input: 'x\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /enable\.idempotence=maybe: must be true or false/);
});

/**
 * Produces `count` records while the broker is stopped (SIGSTOP) until the producer's request timed
 * out and it sent the batch again, then lets the broker go on (SIGCONT): the broker reads the first
 * request and the retry. Returns how often each record was read back.
 */
async function retryAcrossAStoppedBroker(t: TestContext, idempotent: boolean): Promise<Map<string, number>> {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('idem-retry');
  await createTopic(broker, topic, 1);
  const retried: string[] = [];
  const logger: Logger = { debug: (msg) => { if (/sent again/.test(msg)) retried.push(msg); }, info() {}, warn() {}, error() {} };
  // acks=all with a 100 ms produce timeout: the request times out 5.1 s after it was sent.
  const producer = createProducer({ bootstrap: [broker.bootstrap], idempotent, timeoutMs: 100, requestTimeoutMs: 1000, retries: 10, logger });
  t.after(() => producer.close());
  await producer.send({ topic, partition: 0, key: null, value: Buffer.from('warm-up') });
  broker.proc.kill('SIGSTOP');
  let stopped = true;
  t.after(() => { if (stopped) broker.proc.kill('SIGCONT'); });
  const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic, partition: 0, key: null, value: Buffer.from(`r${i}`) }));
  await eventually(() => retried.length > 0, { timeoutMs: 30_000, intervalMs: 100 });
  broker.proc.kill('SIGCONT');
  stopped = false;
  await Promise.all(sends);
  const r = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  const seen = new Map<string, number>();
  for (const v of r.stdout.split('\n').filter((l) => l !== '')) seen.set(v, (seen.get(v) ?? 0) + 1);
  return seen;
}

test('a batch retried after its request timed out against a stopped broker is written once (idempotent)', { timeout: 60_000 }, async (t) => {
  const seen = await retryAcrossAStoppedBroker(t, true);
  for (let i = 0; i < 20; i++) assert.equal(seen.get(`r${i}`), 1, `r${i} read back once`);
});

test('the same retry without idempotence writes the batch twice (what the test above guards against)', { timeout: 60_000 }, async (t) => {
  const seen = await retryAcrossAStoppedBroker(t, false);
  assert.ok([...seen.values()].some((n) => n > 1), `some record was read back twice: ${JSON.stringify([...seen])}`);
});

test('the producer id state: an id from the broker, sequences per partition, a refused batch gives its sequences back, a reset takes a fresh id and restarts at 0', async (t) => {
  const broker = await brokerForTest(t);
  const cluster = new Cluster({ bootstrap: [broker.bootstrap] });
  t.after(() => cluster.close());
  let readies = 0;
  const idem = new ProducerIdempotence('explicit', cluster, () => { readies++; }, 10);
  const q0 = { topic: 't', partition: 0, open: null, ready: [], inFlight: 0 };
  const q1 = { topic: 't', partition: 1, open: null, ready: [], inFlight: 0 };
  const batch = (records: number): Batch => {
    const builder = new RecordBatchBuilder();
    for (let i = 0; i < records; i++) builder.append(null, Buffer.from(`v${i}`), undefined, 1_700_000_000_000);
    return {
      topic: 't', partition: 0, builder: null, bytes: builder.build(), reports: [], tags: [], timestamps: [], createdAt: 0, attempts: 0, retryAt: 0,
      accounted: 0, lastError: null, explicit: null, raw: null, rawRecords: records, rawBytes: 0, stampGeneration: 0, baseSequence: -1,
    };
  };
  const header = (b: Batch): [bigint, number, number] => { const d = decodeRecordBatches(b.bytes!)[0]; return [d.producerId, d.producerEpoch, d.baseSequence]; };

  assert.equal(idem.canSend(0), false, 'no id yet: it is being taken');
  await eventually(() => readies === 1);
  assert.equal(idem.canSend(0), true);
  const first = idem.current.producerId;
  assert.ok(first >= 0n);
  const a = batch(3);
  const b = batch(2);
  const c = batch(4);
  idem.stamp(a, q0);
  idem.stamp(b, q1);
  idem.stamp(c, q0);
  assert.deepEqual([header(a), header(b), header(c)], [[first, 0, 0], [first, 0, 0], [first, 0, 3]], 'sequences per partition');
  idem.stamp(a, q0);
  assert.deepEqual(header(a), [first, 0, 0], 'a retry keeps its stamp');
  // c was refused outright and is the last stamped on q0: its sequences are given back.
  idem.failedForGood(c, q0, true);
  const d = batch(1);
  idem.stamp(d, q0);
  assert.equal(header(d)[2], 3);
  // d may have been written and failed for good: the broker would see a gap, so a fresh id.
  idem.failedForGood(d, q0, false);
  assert.equal(idem.canSend(1), false, 'a reset waits for the requests in flight');
  assert.equal(idem.canSend(0), false);
  await eventually(() => readies === 2);
  assert.equal(idem.canSend(0), true);
  const second = idem.current.producerId;
  assert.notEqual(second, first, 'a fresh producer id');
  idem.stamp(a, q0);
  idem.stamp(b, q1);
  assert.deepEqual([header(a), header(b)], [[second, 0, 0], [second, 0, 0]], 'unacknowledged batches are stamped again from sequence 0');
  assert.equal(validateBatch(a.bytes!, 0, a.bytes!.length), null, 'with a valid CRC');
});
