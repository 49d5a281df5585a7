// Group administration as Kafka answers it, against a real broker process, through three admin clients
// that must agree with what was committed: librdkafka 2.0.2's admin API (a small C program, compiled here
// with gcc: ListConsumerGroups with states, DescribeConsumerGroups, ListConsumerGroupOffsets for given
// partitions, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets), kafkajs 2.2.4's admin, and
// `mq groups`. The C program and its headers (apt librdkafka-dev) are required: without them the test
// fails, it does not skip.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { brokerPerFile, eventually, repoRoot, run, uniqueTopic } from '../helpers/mq-process.js';
import { committedOffsets, sumOffsets } from '../helpers/kafkajs-offsets.js';

const env = { MQ_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MQ_GROUP_MIN_SESSION_TIMEOUT_MS: '1000' };
const shared = brokerPerFile({ env });
const source = join(repoRoot, 'test', 'helpers', 'rdkafka-group-admin.c');
let binary = '';
let buildDir = '';

before(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'mq-rdkafka-admin-'));
  binary = join(buildDir, 'rdkafka-group-admin');
  const gcc = spawnSync('gcc', ['-Wall', '-O1', '-o', binary, source, '-lrdkafka'], { encoding: 'utf8' });
  if (gcc.error) throw new Error(`gcc is needed to build ${source} (apt-get install gcc): ${gcc.error.message}`);
  if (gcc.status !== 0) {
    throw new Error(`gcc could not build ${source}; are librdkafka's headers installed (apt-get install librdkafka-dev, 2.0.2)?\n${gcc.stderr}`);
  }
});
after(() => (buildDir ? rm(buildDir, { recursive: true, force: true }) : undefined));

interface RdkResult { code: number | null; signal: NodeJS.Signals | null; lines: string[]; stderr: string }

/** Runs one admin call of the C program; a crash (a signal) fails the test with its output. */
function rdk(...args: string[]): Promise<RdkResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, [shared.broker.bootstrap, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      assert.equal(signal, null, `rdkafka-group-admin ${args.join(' ')} was killed by ${signal}; output:\n${out}\n${err}`);
      resolve({ code, signal, lines: out.trim().split('\n').filter((l) => l !== ''), stderr: err });
    });
  });
}

const kafkaFor = (clientId = 'group-admin-test') =>
  new Kafka({ brokers: [shared.broker.bootstrap], clientId, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });

async function createTopic(kafka: Kafka, topic: string, numPartitions: number, records: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  await admin.disconnect();
  if (records === 0) return;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: records }, (_v, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
}

/** kafkajs group members that read `topic` from the beginning and commit; `count()` is what they read. */
async function members(kafka: Kafka, groupId: string, topic: string, n: number, t: { after(fn: () => unknown): void }) {
  const consumers: Consumer[] = [];
  let read = 0;
  for (let i = 0; i < n; i++) {
    const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    let connected = true;
    t.after(() => (connected ? c.disconnect() : undefined));
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async () => { read++; } });
    consumers.push(Object.assign(c, { markGone: () => { connected = false; } }));
  }
  return {
    count: () => read,
    async leave() {
      for (const c of consumers) {
        (c as Consumer & { markGone(): void }).markGone();
        await c.disconnect();
      }
    },
  };
}

test('librdkafka admin: groups listed with states, a group of three past members described, offsets of given partitions, offsets deleted', async (t) => {
  const kafka = kafkaFor();
  const topic = uniqueTopic('ga-rdk');
  const other = uniqueTopic('ga-rdk-other');
  await createTopic(kafka, topic, 4, 40);
  await createTopic(kafka, other, 2, 10);
  const past = uniqueTopic('g-past');
  const live = uniqueTopic('g-live');

  // Three members join, read everything, commit and leave: the group is Empty with its offsets.
  const gone = await members(kafka, past, topic, 3, t);
  await eventually(() => gone.count() === 40, { timeoutMs: 30_000 });
  await eventually(async () => sumOffsets(await committedOffsets(kafka, past, topic)) === 40, { timeoutMs: 20_000 });
  await gone.leave();
  const committed = await committedOffsets(kafka, past, topic);
  // One live member on the other topic: Stable.
  const stays = await members(kafka, live, other, 1, t);
  await eventually(() => stays.count() === 10, { timeoutMs: 30_000 });

  const listed = await rdk('list');
  assert.equal(listed.code, 0, listed.lines.join('\n'));
  assert.ok(listed.lines.includes(`GROUP ${past} Empty simple=0`), listed.lines.join('\n'));
  assert.ok(listed.lines.includes(`GROUP ${live} Stable simple=0`), listed.lines.join('\n'));
  const onlyEmpty = await rdk('list', 'Empty');
  assert.ok(onlyEmpty.lines.includes(`GROUP ${past} Empty simple=0`), onlyEmpty.lines.join('\n'));
  assert.ok(!onlyEmpty.lines.some((l) => l.startsWith(`GROUP ${live} `)), 'the states filter leaves the Stable group out');

  const described = await rdk('describe', past, live, 'no-such-group');
  assert.equal(described.code, 0, described.lines.join('\n'));
  assert.ok(described.lines.some((l) => l.startsWith(`GROUP ${past} state=Empty assignor=- simple=0 members=0 `) && l.endsWith('error=-')), described.lines.join('\n'));
  assert.ok(described.lines.some((l) => l.startsWith(`GROUP ${live} state=Stable assignor=RoundRobinAssigner simple=0 members=1 `)), described.lines.join('\n'));
  const member = described.lines.find((l) => l.startsWith(`MEMBER ${live} `));
  assert.ok(member, described.lines.join('\n'));
  assert.deepEqual(member.split(' ').slice(3), ['group-admin-test', '/127.0.0.1', `${other}:0,${other}:1`]);
  assert.ok(described.lines.some((l) => l.startsWith('GROUP no-such-group state=Dead ')), described.lines.join('\n'));

  // A given set of partitions, out of order, with one the group never committed.
  const offsets = await rdk('offsets', past, `${topic}:3`, `${topic}:0`, `${topic}:1`, `${other}:1`);
  assert.equal(offsets.code, 0, offsets.lines.join('\n'));
  assert.deepEqual(offsets.lines.sort(), [
    `OFFSET ${other} 1 -1001 -`,
    ...[0, 1, 3].map((p) => `OFFSET ${topic} ${p} ${committed.get(p)} -`),
  ].sort());

  // Admin commits (AlterConsumerGroupOffsets) are what every client then reads.
  const alt = uniqueTopic('g-alt');
  const altered = await rdk('alter', alt, `${topic}:2:7`, `${topic}:0:5`);
  assert.deepEqual(altered.lines.sort(), [`ALTERED ${topic} 0 -`, `ALTERED ${topic} 2 -`]);
  assert.deepEqual((await rdk('offsets', alt, `${topic}:0`, `${topic}:2`)).lines, [`OFFSET ${topic} 0 5 -`, `OFFSET ${topic} 2 7 -`]);
  assert.deepEqual([...(await committedOffsets(kafka, alt, topic))], [[0, 5], [1, -1], [2, 7], [3, -1]]);

  // OffsetDelete: refused for a topic live members subscribe to; done for the Empty group.
  const refused = await rdk('delete-offsets', live, `${other}:0`);
  assert.deepEqual(refused.lines, [`DELETED ${other} 0 GROUP_SUBSCRIBED_TO_TOPIC`]);
  const deleted = await rdk('delete-offsets', past, `${topic}:0`, `${topic}:9`);
  assert.deepEqual(deleted.lines.sort(), [`DELETED ${topic} 0 -`, `DELETED ${topic} 9 UNKNOWN_TOPIC_OR_PART`]);
  const after0 = await committedOffsets(kafka, past, topic);
  assert.equal(after0.get(0), -1);
  assert.deepEqual([1, 2, 3].map((p) => after0.get(p)), [1, 2, 3].map((p) => committed.get(p)));
  assert.deepEqual((await rdk('offsets', past, `${topic}:0`, `${topic}:1`)).lines, [`OFFSET ${topic} 0 -1001 -`, `OFFSET ${topic} 1 ${committed.get(1)} -`]);
  const missing = await rdk('delete-offsets', 'no-such-group', `${topic}:0`);
  assert.equal(missing.code, 1);
  assert.match(missing.lines.join('\n'), /GROUP_ID_NOT_FOUND/);
});

test('kafkajs admin and `mq groups` agree with what was committed; mq groups delete-offsets', async (t) => {
  const kafka = kafkaFor('kjs-admin');
  const topic = uniqueTopic('ga-kjs');
  await createTopic(kafka, topic, 3, 30);
  const groupId = uniqueTopic('g-kjs');
  const group = await members(kafka, groupId, topic, 2, t);
  await eventually(() => group.count() === 30, { timeoutMs: 30_000 });
  await eventually(async () => sumOffsets(await committedOffsets(kafka, groupId, topic)) === 30, { timeoutMs: 20_000 });

  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const mq = (args: string[]) => run(['groups', ...args, '-b', shared.broker.bootstrap]);

  // Live: kafkajs and mq see the same state and the same committed offsets.
  const [described] = (await admin.describeGroups([groupId])).groups;
  assert.deepEqual([described.state, described.protocolType, described.members.length], ['Stable', 'consumer', 2]);
  assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'));
  const listed = await mq(['list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout).find((g: { groupId: string }) => g.groupId === groupId), { groupId, protocolType: 'consumer', state: 'Stable' });
  assert.match((await mq(['list'])).stdout, new RegExp(`^${groupId}\\s+consumer\\s+Stable$`, 'm'));
  const kjs = await committedOffsets(kafka, groupId, topic);
  const ours = JSON.parse((await mq(['describe', groupId, '--json'])).stdout);
  assert.equal(ours.state, 'Stable');
  assert.deepEqual(ours.offsets.map((o: { partition: number; committedOffset: number }) => [o.partition, o.committedOffset]), [...kjs]);
  const refused = await mq(['delete-offsets', groupId, '--topic', topic]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, new RegExp(`^${topic}\\s+0\\s+GROUP_SUBSCRIBED_TO_TOPIC$`, 'm'));
  assert.match(refused.stderr, /GROUP_SUBSCRIBED_TO_TOPIC|live members/);
  assert.deepEqual(await committedOffsets(kafka, groupId, topic), kjs, 'nothing deleted');

  // Empty: the states filter, then deleting one partition's offset and then the rest.
  await group.leave();
  assert.equal((await admin.describeGroups([groupId])).groups[0].state, 'Empty');
  assert.deepEqual(JSON.parse((await mq(['list', '--state', 'Empty', '--json'])).stdout).filter((g: { groupId: string }) => g.groupId === groupId),
    [{ groupId, protocolType: 'consumer', state: 'Empty' }]);
  assert.deepEqual(JSON.parse((await mq(['list', '--state', 'Stable', '--json'])).stdout).filter((g: { groupId: string }) => g.groupId === groupId), []);
  const one = await mq(['delete-offsets', groupId, '--topic', topic, '-p', '1', '--json']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout), [{ topic, partition: 1, error: null }]);
  assert.deepEqual([...(await committedOffsets(kafka, groupId, topic))], [[0, kjs.get(0)], [1, -1], [2, kjs.get(2)]]);
  const rest = await mq(['delete-offsets', groupId, '--topic', topic]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(rest.stdout, new RegExp(`^${topic}\\s+2\\s+deleted$`, 'm'));
  // No members and no offsets: the group is gone, as in Kafka.
  assert.equal((await admin.listGroups()).groups.some((g) => g.groupId === groupId), false);
  assert.equal((await admin.describeGroups([groupId])).groups[0].state, 'Dead');
});
