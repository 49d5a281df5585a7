// Real clients against a 3-broker cluster (issue 5) through a broker restart: kcat (librdkafka) and
// kafkajs produce with acks=all to a topic with replication factor 3 while one broker — a partition
// leader — is killed with -9 and restarted; every acknowledged record is read back (kcat -C, and a
// kafkajs group consumer that runs through the restart). Duplicates from retries are allowed and
// printed. A 3-broker cluster refusing replication factor 3 fails the test (a placement bug, never a
// skip); MQ_CHAOS_RF=1 runs it on replication factor 1 (the killed broker's partitions then wait for
// its restart).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

const replicationFactor = Number(process.env.MQ_CHAOS_RF ?? 3);
let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ brokers: 3 });
});
after(() => cluster?.close());

/** Creates a 6-partition topic with the replication factor; a refusal fails the test (3 brokers can place 3 replicas). */
async function createTopic(prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  const res = await run(['topics', 'create', topic, '-p', '6', '-r', String(replicationFactor), '--config', `min.insync.replicas=${Math.min(2, replicationFactor)}`, '-b', cluster.bootstrap]);
  assert.equal(res.code, 0, `mq topics create with replication factor ${replicationFactor} on ${cluster.ids.length} brokers failed: ${res.stderr}`);
  await eventually(async () => (await cluster.leaders(topic)).every((l) => l > 0), { timeoutMs: 20_000 });
  return topic;
}

/** The broker leading the most partitions of `topic` (a leader is what the test should lose). */
async function busiestLeader(topic: string): Promise<number> {
  const leaders = await cluster.leaders(topic);
  return cluster.ids.map((id) => ({ id, n: leaders.filter((l) => l === id).length })).sort((a, b) => b.n - a.n)[0].id;
}

const lines = (from: number, to: number, tag: string): string[] => Array.from({ length: to - from }, (_, i) => `k${(from + i) % 50}:${tag}-${from + i}`);

test(`kcat -P with acks=all through a kill -9 and restart of a leader (replication factor ${replicationFactor}); kcat -C reads every record`, { timeout: 180_000 }, async (t) => {
  const topic = await createTopic('kcat-cl');
  const kcatP = (input: string[]) => run(['-b', cluster.bootstrap, '-P', '-t', topic, '-K', ':', '-X', 'acks=all', '-X', 'message.timeout.ms=60000'],
    { cmd: 'kcat', input: input.join('\n') + '\n', timeoutMs: 90_000 });
  const expectOk = (r: { code: number | null; stderr: string }, what: string): void => {
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Delivery failed|failed to produce/i, what);
  };

  const phaseA = lines(0, 2000, 'kcat');
  expectOk(await kcatP(phaseA), 'before the kill');
  const victim = await busiestLeader(topic);
  await cluster.kill(victim);
  const phaseB = lines(2000, 4000, 'kcat');
  const during = kcatP(phaseB);
  await new Promise((r) => setTimeout(r, 3000));
  await cluster.restart(victim);
  expectOk(await during, 'while a broker was down');
  const phaseC = lines(4000, 6000, 'kcat');
  expectOk(await kcatP(phaseC), 'after the restart');

  await eventually(async () => (await cluster.leaders(topic)).every((l) => l > 0), { timeoutMs: 20_000 });
  const consumed = await run(['-b', cluster.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k:%s\\n'], { cmd: 'kcat', timeoutMs: 60_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  const got = consumed.stdout.split('\n').filter((l) => l !== '');
  const have = new Set(got);
  const missing = [...phaseA, ...phaseB, ...phaseC].filter((l) => !have.has(l));
  t.diagnostic(`kcat: produced 6000 (broker ${victim} killed and restarted), read ${got.length}, distinct ${have.size}, duplicates ${got.length - have.size}, missing ${missing.length}`);
  assert.deepEqual(missing, [], 'every record kcat produced with acks=all is read back');
});

test(`kafkajs producer (acks -1) and group consumer through a kill -9 and restart of a leader (replication factor ${replicationFactor})`, { timeout: 180_000 }, async (t) => {
  const topic = await createTopic('kjs-cl');
  const kafka = new Kafka({
    brokers: cluster.bootstrapList, clientId: 'mq-cluster-clients', logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const received = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `g-${topic}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = `${message.key?.toString()}:${message.value?.toString()}`;
      received.set(v, (received.get(v) ?? 0) + 1);
    },
  });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());

  const acknowledged: string[] = [];
  let unsentByKafkajs = 0;
  let victim = -1;
  let restarted: Promise<void> = Promise.resolve();
  for (let batch = 0; batch < 30; batch++) {
    if (batch === 10) {
      victim = await busiestLeader(topic);
      await cluster.kill(victim);
      // Restarted 3 s later whatever the producer is doing (it may be waiting for the victim's partitions).
      restarted = new Promise((r) => setTimeout(r, 3000)).then(() => cluster.restart(victim));
      restarted.catch(() => {}); // awaited (and its error raised) after the loop
    }
    let messages = lines(batch * 100, (batch + 1) * 100, 'kjs').map((l, i) => {
      const [key, value] = l.split(':');
      return { key, value, partition: i % 6 };
    });
    // kafkajs 2.2.4 can resolve send() without having sent the records of a partition whose leader moved
    // to a broker that had already answered an earlier attempt (tulios/kafkajs#1303, fix proposed in
    // #1798): only the partitions in its answer are acknowledged; the others are sent again, as an
    // application would, and counted.
    for (let attempt = 0; messages.length > 0; attempt++) {
      assert.ok(attempt < 5, `kafkajs kept leaving records unsent: ${messages.length}`);
      const answered = new Set((await producer.send({ topic, acks: -1, messages })).filter((m) => m.errorCode === 0).map((m) => m.partition));
      acknowledged.push(...messages.filter((m) => answered.has(m.partition)).map((m) => `${m.key}:${m.value}`));
      messages = messages.filter((m) => !answered.has(m.partition));
      unsentByKafkajs += messages.length;
    }
  }
  await restarted;
  await eventually(() => acknowledged.every((v) => received.has(v)), { timeoutMs: 60_000 }).catch(() => {});
  const missing = acknowledged.filter((v) => !received.has(v));
  const duplicates = [...received.values()].reduce((n, c) => n + c - 1, 0);
  t.diagnostic(`kafkajs: acknowledged ${acknowledged.length} (broker ${victim} killed after 1000 and restarted 3 s later), received distinct ${received.size}, duplicates ${duplicates}, missing ${missing.length}; records kafkajs left unsent and were sent again: ${unsentByKafkajs}`);
  let where = '';
  if (missing.length > 0) {
    // Lost from the topic, or only skipped by the group consumer? kcat reads the whole topic to tell.
    const all = await run(['-b', cluster.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p@%o %k:%s\\n'], { cmd: 'kcat', timeoutMs: 60_000 });
    const inLog = new Map(all.stdout.split('\n').filter((l) => l !== '').map((l) => [l.split(' ')[1], l.split(' ')[0]]));
    const present = missing.filter((v) => inLog.has(v));
    where = `; ${present.length} of them are in the topic (e.g. ${present.slice(0, 3).map((v) => `${v} at ${inLog.get(v)}`).join(', ')}), ` +
      `${missing.length - present.length} are not (lost): ${missing.filter((v) => !inLog.has(v)).slice(0, 10).join(', ')}`;
    t.diagnostic(`kafkajs: missing${where}`);
    // Which partitions (a key's other records tell) and what the brokers said about them.
    const partitionOfKey = new Map([...inLog].map(([v, at]) => [v.split(':')[0], at.split('@')[0]]));
    const partitions = [...new Set(missing.map((v) => partitionOfKey.get(v.split(':')[0])))].join(', ');
    t.diagnostic(`kafkajs: missing records are in partitions ${partitions}; leaders now ${(await cluster.leaders(topic)).join(',')}`);
    for (const id of cluster.ids) {
      const said = cluster.output(id).split('\n').filter((l) => l.includes(topic) || l.includes('-----')).slice(-40);
      t.diagnostic(`broker ${id} about ${topic}:\n${said.join('\n')}`);
    }
  }
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged records never reached the group consumer${where}`);
});
