// Cluster mode, first slice (issue 5): a real etcd and 3 real broker processes. Leaders spread over
// the brokers, mq produce/consume through any bootstrap broker, kcat sees every broker and the
// controller, admin requests go to (and only to) the controller, kill -9 of a broker leaves its
// partitions leaderless while the rest keep serving, and kill -9 of the controller elects another.
// These topics have replication factor 1 (replication itself: cluster-replication.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { startBrokerProcess, tempDir, uniqueTopic, run, eventually, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

let etcd: EtcdProcess;
let dir: { path: string; remove(): Promise<void> };
const brokers = new Map<number, BrokerProcess>();
const brokerArgs = (id: number): string[] => ['--id', String(id), '--etcd', etcd.endpoint];
/** The topic of the round-trip test (data on all 3 brokers) and the one of the kill test. */
let roundTripTopic = '';
let killTopic = '';
let roundTripLeaders: number[] = [];

before(async () => {
  etcd = await startEtcd();
  dir = await tempDir('mq-cluster-');
  for (const id of [1, 2, 3]) {
    brokers.set(id, await startBrokerProcess(`${dir.path}/b${id}`, { args: brokerArgs(id) }));
  }
});

after(async () => {
  await Promise.all([...brokers.values()].map((b) => b.stop()));
  await etcd?.close();
  await dir?.remove();
});

const broker = (id: number): BrokerProcess => brokers.get(id)!;
const kcatL = (via: BrokerProcess, topic?: string) =>
  run(['-b', via.bootstrap, '-L', ...(topic ? ['-t', topic] : [])], { cmd: 'kcat', timeoutMs: 30_000 });

async function metadata(via: BrokerProcess, topics: string[] | null = []): Promise<any> {
  const s = await WireSocket.connect(via.port);
  try {
    return await s.request(ApiKey.Metadata, 4, { topics: topics?.map((name) => ({ name })) ?? null, allowAutoTopicCreation: false });
  } finally {
    s.close();
  }
}

async function controllerId(via: BrokerProcess): Promise<number> {
  return (await metadata(via)).controllerId;
}

/** Leader id per partition as kcat -L shows it. */
async function kcatLeaders(via: BrokerProcess, topic: string): Promise<number[]> {
  const res = await kcatL(via, topic);
  assert.equal(res.code, 0, res.stderr);
  return [...res.stdout.matchAll(/partition (\d+), leader (-?\d+)/g)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => Number(m[2]));
}

test('kcat -L through any broker lists the 3 brokers and marks the one controller', async () => {
  const ctl = await eventually(async () => { const id = await controllerId(broker(1)); return id > 0 ? id : null; });
  for (const id of [1, 2, 3]) {
    const res = (await eventually(async () => {
      const r = await kcatL(broker(id));
      return /3 brokers:/.test(r.stdout) ? r : null;
    }))!;
    for (const other of [1, 2, 3]) assert.match(res.stdout, new RegExp(`broker ${other} at 127\\.0\\.0\\.1:${broker(other).port}`));
    assert.equal([...res.stdout.matchAll(/\(controller\)/g)].length, 1);
    assert.match(res.stdout, new RegExp(`broker ${ctl} at [^\\n]*\\(controller\\)`));
  }
});

test('6 partitions spread 2 leaders per broker; produce and consume through different brokers round-trip', async () => {
  const topic = uniqueTopic('cl');
  roundTripTopic = topic;
  const ctl = await controllerId(broker(1));
  const via = [1, 2, 3].find((id) => id !== ctl)!;
  const created = await run(['topics', 'create', topic, '-p', '6', '-b', broker(via).bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  for (const id of [1, 2, 3]) {
    const leaders = (await eventually(async () => { const l = await kcatLeaders(broker(id), topic); return l.length === 6 ? l : null; }))!;
    assert.deepEqual([1, 2, 3].map((b) => leaders.filter((l) => l === b).length), [2, 2, 2], `leaders ${leaders}`);
    roundTripLeaders = leaders;
  }
  const lines = Array.from({ length: 600 }, (_, i) => `k${i}:v${i}`);
  const produced = await run(['produce', topic, '-b', broker(1).bootstrap, '-k', ':'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(['consume', topic, '-b', broker(3).bootstrap, '-o', 'beginning', '-e', '-f', '%k:%v\\n'], { timeoutMs: 60_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.deepEqual(consumed.stdout.trim().split('\n').sort(), [...lines].sort());
  // Every broker holds data: the keys spread over partitions led by all three.
  const md = await metadata(broker(2), [topic]);
  const s = await WireSocket.connect(broker(2).port);
  try {
    const notLed = md.topics[0].partitions.find((p: any) => p.leaderId !== 2);
    const res = await s.request(ApiKey.ListOffsets, 3, {
      replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: notLed.partitionIndex, timestamp: -1n }] }],
    });
    assert.equal(res.topics[0].partitions[0].errorCode, 6, 'a broker answers NOT_LEADER_OR_FOLLOWER for a partition it does not lead');
  } finally {
    s.close();
  }
});

test('a consumer group is coordinated across the cluster and its offsets (in etcd) carry over between bootstrap brokers', async () => {
  const topic = uniqueTopic('grp');
  const created = await run(['topics', 'create', topic, '-p', '3', '-b', broker(2).bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const lines = Array.from({ length: 600 }, (_, i) => `k${i}:v${i}`);
  const produced = await run(['produce', topic, '-b', broker(2).bootstrap, '-k', ':'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  assert.equal(produced.code, 0, produced.stderr);
  const first = await run(['consume', topic, '-b', broker(1).bootstrap, '-g', 'cl-group', '--auto-offset-reset', 'earliest', '-c', '300', '-f', '%k:%v\\n'], { timeoutMs: 60_000 });
  assert.equal(first.code, 0, first.stderr);
  const second = await run(['consume', topic, '-b', broker(3).bootstrap, '-g', 'cl-group', '--auto-offset-reset', 'earliest', '-c', '300', '-f', '%k:%v\\n'], { timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  const got = [...first.stdout.trim().split('\n'), ...second.stdout.trim().split('\n')];
  assert.equal(got.length, 600);
  assert.deepEqual(got.sort(), [...lines].sort());
});

test('admin requests: kafkajs createTopics reaches the controller; a non-controller answers NOT_CONTROLLER', async () => {
  const ctl = await controllerId(broker(1));
  const other = [1, 2, 3].find((id) => id !== ctl)!;
  const s = await WireSocket.connect(broker(other).port);
  try {
    const res = await s.request(ApiKey.CreateTopics, 1, {
      topics: [{ name: uniqueTopic('nc'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
    });
    assert.equal(res.topics[0].errorCode, 41);
  } finally {
    s.close();
  }
  const topic = uniqueTopic('kjs');
  const kafka = new Kafka({ brokers: [broker(other).bootstrap], clientId: 'mq-cluster-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }), true);
    await assert.rejects(admin.createTopics({ topics: [{ topic: uniqueTopic('rf4'), numPartitions: 1, replicationFactor: 4 }] }), (err: { errors?: { type?: string }[] }) => err.errors?.[0]?.type === 'INVALID_REPLICATION_FACTOR');
  } finally {
    await admin.disconnect();
  }
  await broker(ctl).waitForOutput(new RegExp(`topic created topic=${topic}`));
  assert.doesNotMatch(broker(other).output(), new RegExp(`topic created topic=${topic}`));
});

test('kill -9 of a non-controller broker leaves its partitions leaderless; the others keep serving', async () => {
  const topic = uniqueTopic('kill');
  killTopic = topic;
  const created = await run(['topics', 'create', topic, '-p', '6', '-b', broker(1).bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const ctl = await controllerId(broker(1));
  const victim = [1, 2, 3].find((id) => id !== ctl)!;
  const survivor = [1, 2, 3].find((id) => id !== ctl && id !== victim)!;
  const before = (await eventually(async () => { const l = await kcatLeaders(broker(ctl), topic); return l.length === 6 ? l : null; }))!;
  for (let p = 0; p < 6; p++) {
    const produced = await run(['produce', topic, '-b', broker(ctl).bootstrap, '-p', String(p)], { input: `before-kill-${p}\n` });
    assert.equal(produced.code, 0, produced.stderr);
  }
  await broker(victim).kill9();
  brokers.delete(victim);
  const afterKill = (await eventually(async () => {
    const l = await kcatLeaders(broker(ctl), topic);
    return l.includes(victim) ? null : l;
  }, { timeoutMs: 20_000 }))!;
  before.forEach((leader, p) => assert.equal(afterKill[p], leader === victim ? -1 : leader, `partition ${p}`));
  for (const p of before.flatMap((leader, i) => (leader === victim ? [] : [i]))) {
    const produced = await run(['produce', topic, '-b', broker(survivor).bootstrap, '-p', String(p)], { input: `after-kill-${p}\n` });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await run(['consume', topic, '-b', broker(ctl).bootstrap, '-p', String(p), '-o', 'beginning', '-e']);
    assert.deepEqual(consumed.stdout.trim().split('\n'), [`before-kill-${p}`, `after-kill-${p}`]);
  }
});

test('kill -9 of the controller elects another broker, which serves admin requests', async () => {
  const ctl = await controllerId(broker([...brokers.keys()][0]));
  await broker(ctl).kill9();
  brokers.delete(ctl);
  const [rest] = [...brokers.values()];
  const next = (await eventually(async () => { const id = await controllerId(rest); return id > 0 && id !== ctl ? id : null; }, { timeoutMs: 20_000 }))!;
  assert.ok(brokers.has(next));
  const topic = uniqueTopic('after');
  const created = await run(['topics', 'create', topic, '-p', '2', '-b', rest.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  await broker(next).waitForOutput(new RegExp(`topic created topic=${topic}`));
  assert.deepEqual(await kcatLeaders(rest, topic), [next, next]);
});

test('restarted brokers lead their partitions again with their data; a topic deleted while they were down leaves nothing stale', async () => {
  const [live] = [...brokers.values()];
  const deleted = await run(['topics', 'delete', roundTripTopic, '-b', live.bootstrap]);
  assert.equal(deleted.code, 0, deleted.stderr);
  for (const id of [1, 2, 3].filter((i) => !brokers.has(i))) {
    brokers.set(id, await startBrokerProcess(`${dir.path}/b${id}`, { args: brokerArgs(id) }));
  }
  await eventually(async () => !(await kcatLeaders(live, killTopic)).includes(-1), { timeoutMs: 20_000 });
  const all = await run(['consume', killTopic, '-b', live.bootstrap, '-o', 'beginning', '-e']);
  for (let p = 0; p < 6; p++) assert.ok(all.stdout.includes(`before-kill-${p}\n`), `partition ${p} kept its data:\n${all.stdout}`);

  // The same placement as before, so every partition lands where its old folder still is.
  const kafka = new Kafka({ brokers: [live.bootstrap], clientId: 'mq-cluster-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const replicaAssignment = roundTripLeaders.map((leader, partition) => ({ partition, replicas: [leader] }));
    assert.equal(await admin.createTopics({ topics: [{ topic: roundTripTopic, replicaAssignment }] }), true);
  } finally {
    await admin.disconnect();
  }
  await eventually(async () => { const l = await kcatLeaders(live, roundTripTopic); return l.join() === roundTripLeaders.join(); });
  const fresh = await run(['consume', roundTripTopic, '-b', live.bootstrap, '-o', 'beginning', '-e']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stdout, '', 'a re-created topic starts empty on every broker');
});
