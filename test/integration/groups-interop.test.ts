// Consumer groups on a real broker process with real clients: kafkajs 2.2.4 consumers sharing a
// topic and resuming from committed offsets after a broker restart, librdkafka's balanced consumer
// (`kcat -G`), and kafkajs' group admin calls.
import { test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { brokerPerFile, eventually, run, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { committedOffsets, sumOffsets } from '../helpers/kafkajs-offsets.js';

// Short sessions are allowed so a killed member's session ends quickly.
const env = { MQ_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MQ_GROUP_MIN_SESSION_TIMEOUT_MS: '1000' };
const shared = brokerPerFile({ env });

const kafkaFor = (b: BrokerProcess, clientId = 'mq-groups-test') =>
  new Kafka({ brokers: [b.bootstrap], clientId, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });

interface Seen { partition: number; offset: number; value: string }

/** A kafkajs group consumer that records what it reads and its latest assignment. */
async function groupConsumer(kafka: Kafka, groupId: string, topic: string, t: { after(fn: () => unknown): void }) {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
  const seen: Seen[] = [];
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => { assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort(); });
  let connected = true;
  t.after(() => (connected ? consumer.disconnect() : undefined));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => { seen.push({ partition, offset: Number(message.offset), value: message.value!.toString() }); },
  });
  return {
    seen,
    assigned: () => assigned,
    async stop() { connected = false; await consumer.disconnect(); },
  };
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `key-${i}`, value })) });
  } finally {
    await producer.disconnect();
  }
}

test('two kafkajs consumers share a 4-partition topic, read every record once, and resume after a broker restart', async (t) => {
  const topic = uniqueTopic('grp-kjs');
  const groupId = uniqueTopic('g-kjs');
  let kafka = kafkaFor(shared.broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();

  const a = await groupConsumer(kafka, groupId, topic, t);
  const b = await groupConsumer(kafka, groupId, topic, t);
  // Both in one generation: disjoint, non-empty assignments covering all four partitions.
  await eventually(() => {
    const [pa, pb] = [a.assigned(), b.assigned()];
    return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 && new Set([...pa, ...pb]).size === 4;
  }, { timeoutMs: 30_000 });

  const values = Array.from({ length: 400 }, (_v, i) => `first-${i}`);
  await produce(kafka, topic, values);
  await eventually(() => a.seen.length + b.seen.length >= 400, { timeoutMs: 30_000 });
  const all = [...a.seen, ...b.seen];
  assert.equal(all.length, 400, 'no record read twice');
  assert.deepEqual(all.map((s) => s.value).sort(), [...values].sort());
  for (const c of [a, b]) {
    assert.ok(c.seen.length > 0, 'each consumer reads a share');
    for (const s of c.seen) assert.ok(c.assigned().includes(s.partition), `partition ${s.partition} belongs to this member`);
  }
  await eventually(async () => sumOffsets(await committedOffsets(kafka, groupId, topic)) === 400, { timeoutMs: 20_000 });
  const before = await committedOffsets(kafka, groupId, topic);
  await a.stop();
  await b.stop();

  // Restart the broker on the same data dir; the committed offsets come back from the state store.
  await shared.restart();
  kafka = kafkaFor(shared.broker);
  assert.deepEqual(await committedOffsets(kafka, groupId, topic), before);
  const later = Array.from({ length: 100 }, (_v, i) => `after-${i}`);
  await produce(kafka, topic, later);
  const c = await groupConsumer(kafka, groupId, topic, t);
  await eventually(() => c.seen.length >= 100, { timeoutMs: 30_000 });
  assert.deepEqual(c.seen.map((s) => s.value).sort(), [...later].sort(), 'only records after the committed offsets');
  for (const [partition, offset] of before) {
    const first = c.seen.find((s) => s.partition === partition);
    if (first) assert.equal(first.offset, offset, `partition ${partition} resumes at its committed offset`);
  }
  await c.stop();
});

test('kcat -G (librdkafka balanced consumer) joins, consumes, commits and resumes from the committed offsets', async () => {
  const topic = uniqueTopic('grp-kcat');
  const groupId = uniqueTopic('g-kcat');
  const kafka = kafkaFor(shared.broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const first = Array.from({ length: 30 }, (_v, i) => `first-${i}`);
  await produce(kafka, topic, first);

  // -G has no end-of-partition exit: -c bounds it, and closing commits what it read.
  const kcatGroup = (count: number) => run(['-b', shared.broker.bootstrap, '-G', groupId, topic, '-X', 'auto.offset.reset=earliest',
    '-c', String(count), '-f', '%p %o %s\\n', '-q'], { cmd: 'kcat', timeoutMs: 60_000 });
  const r1 = await kcatGroup(30);
  assert.equal(r1.code, 0, r1.stderr);
  const lines1 = r1.stdout.trim().split('\n');
  assert.deepEqual(lines1.map((l) => l.split(' ')[2]).sort(), [...first].sort());
  assert.equal(sumOffsets(await committedOffsets(kafka, groupId, topic)), 30);

  const more = ['more-0', 'more-1', 'more-2', 'more-3', 'more-4'];
  await produce(kafka, topic, more);
  const r2 = await kcatGroup(5);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(r2.stdout.trim().split('\n').map((l) => l.split(' ')[2]).sort(), more);
  assert.equal(sumOffsets(await committedOffsets(kafka, groupId, topic)), 35);
});

test('kafkajs admin: listGroups, describeGroups, fetchOffsets and deleteGroups', async (t) => {
  const topic = uniqueTopic('grp-admin');
  const groupId = uniqueTopic('g-admin');
  const kafka = kafkaFor(shared.broker, 'admin-test-client');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await produce(kafka, topic, Array.from({ length: 10 }, (_v, i) => `v-${i}`));

  const c = await groupConsumer(kafka, groupId, topic, t);
  await eventually(() => c.seen.length === 10 && c.assigned().length === 2, { timeoutMs: 30_000 });
  const { groups } = await admin.listGroups();
  assert.deepEqual(groups.find((g) => g.groupId === groupId), { groupId, protocolType: 'consumer' });
  const described = await admin.describeGroups([groupId, 'no-such-group']);
  const [live, dead] = described.groups;
  assert.deepEqual([live.state, live.protocolType, live.protocol, live.members.length], ['Stable', 'consumer', 'RoundRobinAssigner', 1]);
  assert.equal(live.members[0].clientId, 'admin-test-client');
  assert.equal(live.members[0].clientHost, '/127.0.0.1');
  assert.deepEqual([dead.groupId, dead.state, dead.members.length], ['no-such-group', 'Dead', 0]);
  await assert.rejects(admin.deleteGroups([groupId]), (err: any) => err.groups?.[0]?.errorCode === 68);

  await eventually(async () => sumOffsets(await committedOffsets(kafka, groupId, topic)) === 10, { timeoutMs: 20_000 });
  await c.stop();
  assert.equal((await admin.describeGroups([groupId])).groups[0].state, 'Empty');
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(offsets[0].partitions.reduce((n, p) => n + Number(p.offset), 0), 10);

  assert.deepEqual(await admin.deleteGroups([groupId]), [{ groupId, errorCode: 0 }]);
  assert.equal((await admin.listGroups()).groups.some((g) => g.groupId === groupId), false);
  const gone = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(gone[0].partitions.map((p) => p.offset), ['-1', '-1']);
  await assert.rejects(admin.deleteGroups(['no-such-group']), (err: any) => err.groups?.[0]?.errorCode === 69);
});

/** A long-running `kcat -G` member; its stderr reports each assignment ("assigned: t [0], t [1]"). */
function kcatMember(groupId: string, topic: string, t: { after(fn: () => unknown): void }) {
  const proc: ChildProcess = spawn('kcat', ['-b', shared.broker.bootstrap, '-G', groupId, topic, '-X', 'session.timeout.ms=2000',
    '-X', 'heartbeat.interval.ms=200', '-f', '%p %o %s\\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  proc.stdout!.resume();
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  t.after(async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited; } });
  return {
    /** Partitions of the latest assignment, or null before the first. */
    assigned(): number[] | null {
      const all = [...err.matchAll(/assigned: (.*)/g)];
      return all.length === 0 ? null : [...all[all.length - 1][1].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort();
    },
    assignments: () => [...err.matchAll(/assigned: /g)].length,
    async kill(signal: NodeJS.Signals) { proc.kill(signal); await exited; },
  };
}

test('kcat -G members: a member killed with -9 loses its partitions at its session timeout; a clean leave hands them over', async (t) => {
  const topic = uniqueTopic('grp-fail');
  const groupId = uniqueTopic('g-fail');
  const admin = kafkaFor(shared.broker).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });

  const a = kcatMember(groupId, topic, t);
  await eventually(() => a.assigned()?.length === 4, { timeoutMs: 20_000 });
  const b = kcatMember(groupId, topic, t);
  await eventually(() => b.assigned()?.length === 2 && a.assigned()?.length === 2, { timeoutMs: 20_000 });
  assert.deepEqual([...a.assigned()!, ...b.assigned()!].sort(), [0, 1, 2, 3]);

  const seenBefore = a.assignments();
  await b.kill('SIGKILL');
  await eventually(() => a.assignments() > seenBefore && a.assigned()?.length === 4, { timeoutMs: 15_000 });
  await shared.broker.waitForOutput(new RegExp(`group member removed group=${groupId} member=\\S+ reason=session-timeout`));

  const c = kcatMember(groupId, topic, t);
  await eventually(() => c.assigned()?.length === 2 && a.assigned()?.length === 2, { timeoutMs: 20_000 });
  const seenJoin = a.assignments();
  await c.kill('SIGTERM');
  await eventually(() => a.assignments() > seenJoin && a.assigned()?.length === 4, { timeoutMs: 15_000 });
  await shared.broker.waitForOutput(new RegExp(`group member removed group=${groupId} member=\\S+ reason=left`));
  await a.kill('SIGTERM');
});
