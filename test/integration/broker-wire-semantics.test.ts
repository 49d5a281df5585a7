// The broker as Kafka clients meet it, against one real broker process: kcat's -o -N / s@TS land per
// partition on a multi-partition topic (ListOffsets), Fetch long polls (max_wait_ms, min_bytes), a
// produced batch is stored and served as received (only baseOffset and the leader epoch rewritten),
// SIGINT answers parked fetches and shuts down cleanly, and auto-created topics get num.partitions.
// The CLI's own process behaviour (exit codes, pipes, Ctrl-C, terminal progress) is in
// cli-process-behaviour.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { brokerForTest, brokerPerFile, eventually, run, startBrokerProcess, tempDir, uniqueTopic, type RunResult } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';
import { defer } from '../helpers/in-process-broker.js';

const shared = brokerPerFile();

const kcat = (args: string[]) => run(['-b', shared.broker.bootstrap, ...args], { cmd: 'kcat', timeoutMs: 60_000 });
const mq = (args: string[], input?: string) => run([...args, '-b', shared.broker.bootstrap], { input, timeoutMs: 60_000 });

/** "P O T value" lines sorted by partition, then offset (kcat interleaves partitions freely). */
const byPartitionOffset = (out: string): string[] =>
  out.trim().split('\n').filter((l) => l !== '').sort((a, b) => {
    const [pa, oa] = a.split(' ').map(Number);
    const [pb, ob] = b.split(' ').map(Number);
    return pa - pb || oa - ob;
  });

const FORMAT = '%p %o %T %s\\n';

/** A reader (kcat, or mq consume) ran to the end and printed exactly `expected`, by partition and offset. */
async function readsExactly(read: Promise<RunResult>, expected: string[]): Promise<void> {
  const r = await read;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(byPartitionOffset(r.stdout), expected);
}

test('kcat -o -5 and -o s@TS land per partition where Kafka would; mq consume -o -5 / @TS agree', async (t) => {
  // Four partitions holding 7, 12, 20 and 3 records (two batches each); record i of every partition
  // has CreateTime (i + 1) * 1000.
  const topic = uniqueTopic('pertail');
  const counts = [7, 12, 20, 3];
  const kafka = new Kafka({ brokers: [shared.broker.bootstrap], clientId: 'mq-wire-semantics', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, async () => admin.disconnect());
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: counts.length }], waitForLeaders: true }), true);
  const producer = kafka.producer();
  await producer.connect();
  defer(t, async () => producer.disconnect());
  for (const [partition, n] of counts.entries()) {
    const messages = Array.from({ length: n }, (_, i) => ({ partition, value: `p${partition}-${i}`, timestamp: String((i + 1) * 1000) }));
    const half = Math.ceil(n / 2);
    await producer.send({ topic, acks: 1, messages: messages.slice(0, half) });
    await producer.send({ topic, acks: 1, messages: messages.slice(half) });
  }
  const line = (p: number, o: number): string => `${p} ${o} ${(o + 1) * 1000} p${p}-${o}`;
  const range = (p: number, from: number): string[] => Array.from({ length: Math.max(0, counts[p] - from) }, (_, k) => line(p, from + k));

  // -5: five before the end of each partition; a partition with fewer starts at its beginning.
  const tail = counts.flatMap((n, p) => range(p, Math.max(0, n - 5)));
  await readsExactly(kcat(['-C', '-t', topic, '-o', '-5', '-e', '-f', FORMAT]), tail);
  await readsExactly(mq(['consume', topic, '-o', '-5', '-e', '-f', FORMAT]), tail);

  // s@8500: the first record with timestamp >= 8500 in each partition (offset 8); partitions whose
  // records are all older (0 and 3) give nothing, as ListOffsets answers -1 there and the read starts at the end.
  const fromTs = [range(1, 8), range(2, 8)].flat();
  await readsExactly(kcat(['-C', '-t', topic, '-o', 's@8500', '-e', '-f', FORMAT]), fromTs);
  await readsExactly(mq(['consume', topic, '-o', '@8500', '-e', '-f', FORMAT]), fromTs);
  // Exactly on a timestamp: that record is the first.
  await readsExactly(kcat(['-C', '-t', topic, '-p', '2', '-o', 's@16000', '-e', '-f', FORMAT]), range(2, 15));
});

function batchOf(values: string[]): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
  for (const v of values) assert.ok(b.tryAppend({ key: null, value: Buffer.from(v), timestamp: Date.now() }));
  return b.build();
}

async function produceRaw(s: WireSocket, topic: string, values: string[]): Promise<void> {
  const res = await s.request(ApiKey.Produce, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batchOf(values) }] }],
  });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
}

function fetchAt(s: WireSocket, topic: string, offset: bigint, maxWaitMs: number, minBytes: number): Promise<any> {
  return s.request(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  }, maxWaitMs + 30_000);
}

test('Fetch long polls: a parked fetch answers when records arrive, and waits for min_bytes', async (t) => {
  const topic = uniqueTopic('lp');
  const poller = await WireSocket.connect(shared.broker.port);
  const writer = await WireSocket.connect(shared.broker.port);
  defer(t, async () => { poller.close(); writer.close(); });
  const created = await writer.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  assert.equal(created.topics[0].errorCode, 0);

  // max_wait_ms 60 s, min_bytes 1, at the end of an empty log: the answer must carry the record
  // produced after the fetch was sent (an immediate empty answer would not).
  const parked = fetchAt(poller, topic, 0n, 60_000, 1);
  await produceRaw(writer, topic, ['first']);
  const one = (await parked).responses[0].partitions[0];
  assert.equal(one.errorCode, 0);
  assert.ok(one.records.length > 0, 'the parked fetch returned the new record');
  assert.equal(one.highWatermark, 1n);

  // min_bytes larger than one small batch: the fetch stays parked through the first append and
  // answers once both batches are there.
  const waiting = fetchAt(poller, topic, 1n, 60_000, 400);
  await produceRaw(writer, topic, ['small']);
  await produceRaw(writer, topic, ['x'.repeat(500)]);
  const two = (await waiting).responses[0].partitions[0];
  assert.equal(two.errorCode, 0);
  assert.equal(two.highWatermark, 3n);
  assert.ok(two.records.length > 500, `both batches in one answer (${two.records.length} bytes)`);

  // max_wait_ms bounds the wait when min_bytes never arrives: an empty answer, not a hang.
  const empty = (await fetchAt(poller, topic, 3n, 200, 1 << 20)).responses[0].partitions[0];
  assert.equal(empty.errorCode, 0);
  assert.equal(empty.records.length, 0);
});

test('the broker rewrites only baseOffset (and the leader epoch), stores the rest as received and serves the stored bytes', async (t) => {
  const topic = uniqueTopic('bytes');
  const s = await WireSocket.connect(shared.broker.port);
  defer(t, async () => s.close());
  await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  await produceRaw(s, topic, ['a', 'b', 'c']);
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20, compression: 'gzip' });
  for (const v of ['gz-1', 'gz-2']) assert.ok(b.tryAppend({ key: Buffer.from('k'), value: Buffer.from(v), headers: [{ key: 'h', value: Buffer.from('1') }], timestamp: 1_700_000_000_000 }));
  const sent = Buffer.from(b.build());
  const res = await s.request(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: sent }] }] });
  assert.equal(res.responses[0].partitionResponses[0].baseOffset, 3n);

  // On disk: the second batch of the segment, byte for byte what was sent from the magic byte on
  // (CRC, attributes, timestamps, compressed records); only baseOffset (0 -> 3) and the leader epoch differ.
  const dir = join(shared.broker.dataDir, `${topic}-0`);
  const log = await readFile(join(dir, (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()[0]));
  const at = 12 + log.readInt32BE(8);
  const stored = log.subarray(at, at + sent.length);
  assert.equal(log.length, at + sent.length);
  assert.equal(stored.readBigInt64BE(0), 3n);
  assert.deepEqual(stored.subarray(8, 12), sent.subarray(8, 12));
  assert.deepEqual(stored.subarray(16), sent.subarray(16));

  // Fetch from offset 3 answers with exactly those stored bytes.
  const fetched = (await fetchAt(s, topic, 3n, 0, 1)).responses[0].partitions[0];
  assert.equal(fetched.errorCode, 0);
  assert.deepEqual(Buffer.from(fetched.records), Buffer.from(stored));
});

test('SIGINT: the broker answers the in-flight long poll, writes each partition\'s clean-shutdown marker, exits 0; data survives', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  let broker = await startBrokerProcess(d.path);
  defer(t, async () => broker.stop());
  const topic = uniqueTopic('sigint-broker');
  assert.equal((await run(['produce', topic, '-b', broker.bootstrap], { input: 'a\nb\n' })).code, 0);
  const s = await WireSocket.connect(broker.port);
  defer(t, async () => s.close());
  // Parked at the end with max_wait_ms 60 s: only the shutdown can answer it in time.
  const parked = fetchAt(s, topic, 2n, 60_000, 1);
  await eventually(async () => /^mq_fetch_purgatory_size 1$/m.test(await (await fetch(`http://${broker.admin}/metrics`)).text()), { timeoutMs: 30_000 });
  const exited = new Promise<number | null>((resolve) => broker.proc.on('close', (code) => resolve(code)));
  broker.proc.kill('SIGINT');
  const answer = (await parked).responses[0].partitions[0];
  assert.equal(answer.errorCode, 0);
  assert.equal(answer.highWatermark, 2n);
  assert.equal(await exited, 0);
  assert.match(broker.output(), /stopped cleanly/);
  assert.ok((await readdir(join(d.path, `${topic}-0`))).includes('.clean-shutdown'));

  broker = await startBrokerProcess(d.path);
  const again = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap]);
  assert.equal(again.stdout, 'a\nb\n');
});

test('auto-created topics get num.partitions partitions; with the default (1) too', async (t) => {
  const three = await brokerForTest(t, { env: { MQ_NUM_PARTITIONS: '3' } });
  const topic = uniqueTopic('auto3');
  const produced = await run(['produce', topic, '-b', three.bootstrap], { input: 'a\nb\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const described = await run(['topics', 'describe', topic, '--json', '-b', three.bootstrap]);
  assert.equal(described.code, 0, described.stderr);
  assert.equal(JSON.parse(described.stdout).partitions.length, 3);
  await three.waitForOutput(new RegExp(`topic created topic=${topic} partitions=3`));

  const one = uniqueTopic('auto1');
  assert.equal((await mq(['produce', one], 'x\n')).code, 0);
  const d1 = await mq(['topics', 'describe', one, '--json']);
  assert.equal(JSON.parse(d1.stdout).partitions.length, 1);
});
