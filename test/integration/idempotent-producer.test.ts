// Idempotent producers against real broker processes (issue 18): InitProducerId hands out distinct ids; a
// batch sent twice is stored once and both answers name the same offset, across a kill -9 and restart (the
// state replayed from the log), a clean restart (from the snapshot) and, in a 3-broker cluster, a leader
// killed with -9 (the new leader built the state from the batches it replicated). A sequence gap and a
// stale epoch are refused with Kafka's codes. kcat (librdkafka enable.idempotence=true) and kafkajs
// (idempotent: true) produce through it: before this, librdkafka failed with "Idempotent producer not
// supported by broker".
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { startCluster } from '../helpers/cluster.js';
import { defer } from '../helpers/in-process-broker.js';
import { brokerForTest, eventually, run, startBrokerProcess, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

const require = createRequire(import.meta.url);

function batch(pid: bigint, epoch: number, seq: number, count = 4): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20, producerId: pid, producerEpoch: epoch, baseSequence: seq });
  for (let i = 0; i < count; i++) b.tryAppend({ key: null, value: Buffer.from(`v${seq + i}`), timestamp: Date.now(), headers: [] });
  return Buffer.from(b.build());
}

const call = WireSocket.call;

async function initProducerId(port: number): Promise<bigint> {
  const res = await call(port, ApiKey.InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: -1 });
  assert.equal(res.errorCode, 0);
  assert.equal(res.producerEpoch, 0);
  return res.producerId as bigint;
}

/** One Produce (acks=all) of `records` to `topic`-0; its error code and base offset. */
async function produce(port: number, topic: string, records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const res = await call(port, ApiKey.Produce, 7, {
    transactionalId: null, acks: -1, timeoutMs: 15_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

/** Every record value of `topic`-0 and the producer ids of its batches. */
async function readAll(port: number, topic: string): Promise<{ values: string[]; producerIds: bigint[] }> {
  const res = await call(port, ApiKey.Fetch, 4, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 24 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const p = res.responses[0].partitions[0];
  assert.equal(p.errorCode, 0);
  const batches = decodeRecordBatches(Buffer.concat([p.records].flat() as Buffer[]));
  return { values: batches.flatMap((b) => b.records.map((r) => r.value!.toString())), producerIds: batches.map((b) => b.producerId) };
}

/** A broker started again on `dataDir`, stopped when the test ends (before the folder goes). */
async function restarted(t: TestContext, dataDir: string): Promise<BrokerProcess> {
  const broker = await startBrokerProcess(dataDir);
  defer(t, async () => { await broker.stop(); });
  return broker;
}

async function createTopic(bootstrap: string, topic: string, extra: string[] = []): Promise<void> {
  const r = await run(['topics', 'create', topic, '--partitions', '1', '--bootstrap', bootstrap, ...extra]);
  assert.equal(r.code, 0, r.stderr);
}

test('embedded: a retried batch is stored once, across kill -9 and a clean restart; gaps and stale epochs are refused', async (t) => {
  let broker: BrokerProcess = await brokerForTest(t);
  const topic = uniqueTopic('idem');
  await createTopic(broker.bootstrap, topic);
  const a = await initProducerId(broker.port);
  const b = await initProducerId(broker.port);
  assert.notEqual(a, b, 'distinct producer ids');

  assert.deepEqual(await produce(broker.port, topic, batch(a, 0, 0)), { errorCode: 0, baseOffset: 0n });
  assert.deepEqual(await produce(broker.port, topic, batch(b, 0, 0)), { errorCode: 0, baseOffset: 4n });
  assert.deepEqual(await produce(broker.port, topic, batch(a, 0, 0)), { errorCode: 0, baseOffset: 0n }, 'the retry names the first offset');
  assert.equal((await produce(broker.port, topic, batch(a, 0, 8))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.deepEqual(await produce(broker.port, topic, batch(a, 0, 4)), { errorCode: 0, baseOffset: 8n });

  // kill -9: no snapshot of the newest batches, so the state comes from replaying the log.
  await broker.kill9();
  broker = await restarted(t, broker.dataDir);
  assert.deepEqual(await produce(broker.port, topic, batch(a, 0, 4)), { errorCode: 0, baseOffset: 8n }, 'after kill -9');
  assert.deepEqual(await produce(broker.port, topic, batch(b, 1, 0)), { errorCode: 0, baseOffset: 12n }, 'a new epoch from 0');
  assert.equal((await produce(broker.port, topic, batch(b, 0, 4))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);

  // A clean stop writes a snapshot; the restart reads it.
  await broker.stop();
  broker = await restarted(t, broker.dataDir);
  assert.deepEqual(await produce(broker.port, topic, batch(b, 1, 0)), { errorCode: 0, baseOffset: 12n }, 'after a clean restart');
  const { values } = await readAll(broker.port, topic);
  assert.deepEqual(values, ['v0', 'v1', 'v2', 'v3', 'v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v0', 'v1', 'v2', 'v3']);
});

test('kcat with enable.idempotence=true and kafkajs with idempotent: true produce through it', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('idem-clients');
  await createTopic(broker.bootstrap, topic);
  const lines = Array.from({ length: 500 }, (_, i) => `line-${i}`).join('\n') + '\n';
  const kcat = spawnSync('kcat', ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'acks=all'], { input: lines, encoding: 'utf8', timeout: 30_000 });
  assert.equal(kcat.status, 0, kcat.stderr);
  assert.doesNotMatch(kcat.stderr, /not supported/i);

  const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'idem-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 100 }, (_, j) => ({ partition: 0, value: `kjs-${i * 100 + j}` })) });
    }
  } finally {
    await producer.disconnect();
  }
  const { values, producerIds } = await readAll(broker.port, topic);
  assert.equal(values.length, 1000);
  assert.equal(new Set(values).size, 1000, 'no record twice');
  assert.ok(producerIds.every((id) => id >= 0n), `every batch carries a producer id (${[...new Set(producerIds)].join(', ')})`);
  assert.equal(new Set(producerIds).size, 2, 'one producer id per client');
});

test('cluster: after the leader is killed with -9 the new leader answers a retry with the first offset', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3 });
  t.after(() => cluster.close());
  const topic = uniqueTopic('idem-failover');
  await createTopic(cluster.bootstrap, topic, ['--replication-factor', '3', '--config', 'min.insync.replicas=2']);
  const leader = await eventually(async () => {
    const id = await cluster.leaderOf(topic, 0);
    assert.ok(id > 0);
    return id;
  });
  const port = (id: number): number => cluster.address(id).port;
  const pid = await initProducerId(port(leader));
  assert.deepEqual(await produce(port(leader), topic, batch(pid, 0, 0)), { errorCode: 0, baseOffset: 0n });
  assert.deepEqual(await produce(port(leader), topic, batch(pid, 0, 4)), { errorCode: 0, baseOffset: 4n });

  await cluster.kill(leader);
  const next = await eventually(async () => {
    const id = await cluster.leaderOf(topic, 0);
    assert.ok(id > 0 && id !== leader, `a new leader (now ${id})`);
    return id;
  }, { timeoutMs: 30_000 });
  // The acknowledged batch retried (as a producer does when the old leader's answer was lost).
  const retried = await eventually(async () => {
    const r = await produce(port(next), topic, batch(pid, 0, 4));
    assert.notEqual(r.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return r;
  }, { timeoutMs: 30_000 });
  assert.deepEqual(retried, { errorCode: 0, baseOffset: 4n });
  assert.deepEqual(await produce(port(next), topic, batch(pid, 0, 8)), { errorCode: 0, baseOffset: 8n });
  assert.deepEqual((await readAll(port(next), topic)).values, ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
});
