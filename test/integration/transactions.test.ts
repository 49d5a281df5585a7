// Transactions against real broker processes (issue 18): kafkajs transactions (send, sendOffsets, commit,
// abort) read back by a read_committed kafkajs consumer and by kcat with isolation.level read_committed
// (committed records once, aborted never) and read_uncommitted (both, no control records); the group
// offsets sent in a transaction appear on commit only. librdkafka's init_transactions / commit_transaction
// / abort_transaction (a C program against Debian's librdkafka-dev), a transaction left open fenced and
// aborted by the next producer with the same transactional id, transaction.timeout.ms past the broker's
// maximum refused, an abandoned transaction aborted by its timeout. In a 3-broker cluster the
// transaction's partitions are led by several brokers (markers through WriteTxnMarkers) and the
// coordinator's broker is killed with -9 mid-transaction: its state survives in the metadata store.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ApiKey } from '../../src/protocol/api.js';
import { startCluster } from '../helpers/cluster.js';
import { WireSocket } from '../helpers/wire.js';
import { brokerForTest, eventually, repoRoot, run, uniqueTopic } from '../helpers/mq-process.js';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

let rdkafkaTxn = '';
before(() => {
  const source = join(repoRoot, 'test', 'helpers', 'rdkafka-txn.c');
  rdkafkaTxn = join(mkdtempSync(join(tmpdir(), 'mq-rdkafka-txn-')), 'rdkafka-txn');
  const gcc = spawnSync('gcc', ['-Wall', '-O1', '-o', rdkafkaTxn, source, '-lrdkafka'], { encoding: 'utf8' });
  assert.equal(gcc.status, 0, `gcc could not build ${source} (needs gcc and librdkafka-dev): ${gcc.stderr ?? gcc.error}`);
});

/** Runs the librdkafka transactional producer; its stdout. */
function rdkafka(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(rdkafkaTxn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

/** Every value kcat reads from `topic` with `isolation`, sorted. */
function kcatValues(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): string[] {
  const r = spawnSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\\n'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

/** What a kafkajs consumer (read_committed unless told) reads from `topic` until `expected` values arrived or 15 s passed. */
async function kafkajsValues(bootstrap: string, topic: string, expected: number, readUncommitted = false): Promise<string[]> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'txn-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueTopic('reader'), readUncommitted });
  await consumer.connect();
  const seen: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
    const deadline = Date.now() + 15_000;
    while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500)); // anything past the expected count shows too
  } finally {
    await consumer.disconnect();
  }
  return seen.sort();
}

async function createTopic(bootstrap: string, topic: string, extra: string[] = []): Promise<void> {
  const r = await run(['topics', 'create', topic, '--bootstrap', bootstrap, ...extra]);
  assert.equal(r.code, 0, r.stderr);
}

test('kafkajs transactions: committed records read once, aborted never, offsets committed with the transaction only', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('txn');
  await createTopic(broker.bootstrap, topic, ['--partitions', '3']);
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'txn-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: uniqueTopic('tid'), maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  try {
    const send = async (prefix: string, n: number, end: 'commit' | 'abort', offset: string): Promise<void> => {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` })) });
      await txn.sendOffsets({ consumerGroupId: 'pipeline', topics: [{ topic, partitions: [{ partition: 0, offset }] }] });
      await (end === 'commit' ? txn.commit() : txn.abort());
    };
    await send('committed', 20, 'commit', '7');
    await send('aborted', 20, 'abort', '99');
    await send('later', 10, 'commit', '11');
  } finally {
    await producer.disconnect();
  }
  const committed = [...Array.from({ length: 20 }, (_, i) => `committed-${i}`), ...Array.from({ length: 10 }, (_, i) => `later-${i}`)].sort();
  const all = [...committed, ...Array.from({ length: 20 }, (_, i) => `aborted-${i}`)].sort();
  assert.deepEqual(await kafkajsValues(broker.bootstrap, topic, 30), committed);
  assert.deepEqual(kcatValues(broker.bootstrap, topic, 'read_committed'), committed);
  assert.deepEqual(kcatValues(broker.bootstrap, topic, 'read_uncommitted'), all, 'both transactions, and no control record');
  assert.deepEqual(await kafkajsValues(broker.bootstrap, topic, 50, true), all);

  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId: 'pipeline', topics: [topic] });
    assert.equal(offsets[0].partitions.find((p) => p.partition === 0)!.offset, '11', 'the last committed transaction\'s offset; the aborted one\'s never showed');
  } finally {
    await admin.disconnect();
  }
});

test('librdkafka: init/commit/abort_transaction; a transaction left open is aborted by the next producer with its id; a timeout past the broker\'s maximum is refused', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('rdtxn');
  await createTopic(broker.bootstrap, topic, ['--partitions', '2']);
  const tid = uniqueTopic('rd');
  assert.match((await rdkafka([broker.bootstrap, topic, tid, 'commit', '5', 'c'])).out, /commit ok/);
  assert.match((await rdkafka([broker.bootstrap, topic, tid, 'abort', '5', 'a'])).out, /abort ok/);
  assert.match((await rdkafka([broker.bootstrap, topic, tid, 'open', '3', 'o'])).out, /open/);
  // The open transaction bounds the last stable offset: read_committed stops before its records.
  assert.deepEqual(kcatValues(broker.bootstrap, topic, 'read_committed'), ['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
  assert.match((await rdkafka([broker.bootstrap, topic, tid, 'commit', '2', 'd'])).out, /commit ok/, 'the next producer with the id fenced the open one');
  assert.deepEqual(kcatValues(broker.bootstrap, topic, 'read_committed'), ['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'd-0', 'd-1']);
  assert.equal(kcatValues(broker.bootstrap, topic, 'read_uncommitted').length, 15);
  const tooLong = await rdkafka([broker.bootstrap, topic, uniqueTopic('rd'), 'commit', '1', 'x', '1000000']);
  assert.equal(tooLong.code, 1);
  assert.match(tooLong.out, /INVALID_TRANSACTION_TIMEOUT/);
});

test('an abandoned transaction is aborted when its transaction.timeout.ms passes', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS: '300' } });
  const topic = uniqueTopic('txn-timeout');
  await createTopic(broker.bootstrap, topic);
  const tid = uniqueTopic('tid');
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'txn-timeout', logLevel: logLevel.NOTHING });
  const zombie = kafka.producer({ transactionalId: tid, transactionTimeout: 1500, maxInFlightRequests: 1, idempotent: true });
  await zombie.connect();
  const txn = await zombie.transaction();
  await txn.send({ topic, messages: [{ value: 'abandoned' }] });
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic, messages: [{ value: 'after' }] });
  await plain.disconnect();
  // Until the timeout the open transaction holds read_committed readers back; then it is aborted.
  await eventually(() => {
    assert.deepEqual(kcatValues(broker.bootstrap, topic, 'read_committed'), ['after']);
    return true;
  }, { timeoutMs: 15_000 });
  await assert.rejects(txn.commit(), /fenced|epoch|INVALID|PRODUCER/i, 'the abandoned producer was fenced');
  await zombie.disconnect().catch(() => undefined);
});

test('cluster: markers reach partitions led by other brokers; the coordinator killed with -9 mid-transaction loses nothing', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3 });
  t.after(() => cluster.close());
  const topic = uniqueTopic('txn-cluster');
  await createTopic(cluster.bootstrap, topic, ['--partitions', '6', '--replication-factor', '3', '--config', 'min.insync.replicas=2']);
  const leaders = await eventually(async () => {
    const l = await cluster.leaders(topic);
    assert.ok(l.length === 6 && l.every((id) => id > 0));
    return l;
  });
  assert.ok(new Set(leaders).size > 1, `the partitions are led by several brokers (${leaders.join(',')})`);
  const tid = uniqueTopic('tid');
  const kafka = new Kafka({ brokers: cluster.bootstrapList, clientId: 'txn-cluster', logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 } });
  const messages = (prefix: string): { key: string; value: string }[] => Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` }));

  const first = kafka.producer({ transactionalId: tid, maxInFlightRequests: 1, idempotent: true });
  await first.connect();
  const one = await first.transaction();
  await one.send({ topic, messages: messages('one') });
  await one.commit();
  const two = await first.transaction();
  await two.send({ topic, messages: messages('lost') });
  // The coordinator of the id dies with the transaction open; its state is in etcd.
  const coordinatorId = await findTxnCoordinator(cluster.bootstrapList[0], tid);
  await cluster.kill(coordinatorId);
  await first.disconnect().catch(() => undefined);

  // A new producer with the id (the application restarted): fences and aborts the open transaction.
  const live = cluster.upIds().map((id) => `${cluster.address(id).host}:${cluster.address(id).port}`);
  // Once the cluster has noticed the death (its lease lapsed), FindCoordinator names a live broker; before
  // that kafkajs would dial the dead one and give up on ECONNREFUSED.
  await eventually(async () => (await findTxnCoordinator(live[0], tid)) !== coordinatorId, { timeoutMs: 30_000 });
  const second = new Kafka({ brokers: live, clientId: 'txn-cluster-2', logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 } }).producer({ transactionalId: tid, maxInFlightRequests: 1, idempotent: true });
  await second.connect();
  const three = await second.transaction();
  await three.send({ topic, messages: messages('three') });
  await three.commit();
  await second.disconnect();
  await cluster.restart(coordinatorId);

  const expected = [...messages('one'), ...messages('three')].map((m) => m.value).sort();
  const bootstrap = cluster.bootstrapList.join(',');
  await eventually(() => {
    assert.deepEqual(kcatValues(bootstrap, topic, 'read_committed'), expected);
    return true;
  }, { timeoutMs: 30_000 });
  assert.equal(kcatValues(bootstrap, topic, 'read_uncommitted').filter((v) => v.startsWith('lost-')).length, 60, 'the aborted records are in the log');
});

/** The node id FindCoordinator (key type 1) names for `tid`. */
async function findTxnCoordinator(bootstrap: string, tid: string): Promise<number> {
  const [host, port] = bootstrap.split(':');
  const res = await WireSocket.call<{ errorCode: number; nodeId: number }>(Number(port), ApiKey.FindCoordinator, 1, { key: tid, keyType: 1 }, host);
  assert.equal(res.errorCode, 0);
  return res.nodeId;
}
