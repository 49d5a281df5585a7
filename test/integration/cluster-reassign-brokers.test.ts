// Reassignment through the brokers (issue 15, KIP-455): against a real 3-broker cluster (real etcd),
// every `mq` command here is given -b only, never --etcd. plan -> execute -> status until done moves a
// topic onto broker 3 under acks=all traffic with nothing acknowledged lost; a move that cannot finish
// (its new broker paused) shows in status and in kafkajs' listPartitionReassignments, takes a throttle
// that DescribeConfigs of the broker resource shows, and is rolled back by cancel; kafkajs'
// alterPartitionReassignments starts a move and gets Kafka's per-partition errors; and
// `mq brokers decommission --wait` empties a broker.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel, type Admin as KafkaAdmin } from 'kafkajs';

// kafkajs' ConfigResourceTypes.BROKER (not a named ESM export of the CommonJS package).
const BROKER_RESOURCE = 4;
import { createAdmin } from '../../src/client/admin.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { KeyedWorkload } from '../chaos/keyed-workload.js';
import { verifyLog } from '../chaos/verify-log.js';

let cluster: TestCluster;
let dir: Awaited<ReturnType<typeof tempDir>>;
let admin: KafkaAdmin;

before(async () => {
  // A long session timeout: the cancel test pauses a broker and it must stay registered.
  cluster = await startCluster({ brokers: 3, config: { 'broker.session.timeout.ms': '60000', 'replica.restore.delay.ms': '600000' } });
  dir = await tempDir('mq-reassign-brokers-');
  admin = new Kafka({ brokers: cluster.bootstrapList, clientId: 'mq-reassign-brokers-test', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

after(async () => {
  await admin?.disconnect();
  await cluster?.close();
  await dir?.remove();
});

/** The brokers `mq` is pointed at (-b): all of them, or the live ones while one is paused. */
let bootstrap = '';

/** `mq ARGS -b <bootstrap>`; MQ_ETCD cleared so nothing can reach etcd by the environment. */
async function mq(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run([...args, '-b', bootstrap || cluster.bootstrap], { env: { MQ_ETCD: '', MQ_BOOTSTRAP: '' } });
}

/** Every broker registered (a paused one may have to register again). */
async function allRegistered(): Promise<void> {
  await eventually(async () => (await cluster.metadata([])).brokers.length === cluster.ids.length, { timeoutMs: 30_000 });
}

async function createOn(topic: string, assignment: number[][]): Promise<void> {
  assert.equal(await admin.createTopics({
    topics: [{ topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })), configEntries: [{ name: 'min.insync.replicas', value: '1' }] }],
    waitForLeaders: true,
  }), true);
}

async function partitionsOf(topic: string): Promise<{ partition: number; replicas: number[]; isr: number[]; leader: number }[]> {
  const md = await cluster.metadata([topic]);
  return [...md.topics[0].partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ partition: p.partitionIndex, replicas: [...p.replicaNodes], isr: [...p.isrNodes], leader: p.leaderId }));
}

/** kafkajs 2.2.4 returns {name, partitions: [{partition, ...}]} at run time, whatever its .d.ts says. */
type Listed = { name: string; partitions: { partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] }[];
function listed2(res: { topics: unknown }): Listed {
  return res.topics as Listed;
}

interface Status { topic: string; partition: number; state: string; adding: number[]; throttleBytesPerSec: number | null; progress: { broker: number; inIsr: boolean }[] }

async function status(): Promise<Status[]> {
  const r = await mq(['reassign', 'status', '--json', '--interval-ms', '0']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { reassignments: Status[] }).reassignments;
}

test('plan -> execute -> status with -b only: the topic moves onto broker 3 under acks=all traffic, 0 acknowledged lost', async () => {
  const topic = uniqueTopic('rb');
  const original = [[1, 2], [2, 1], [1, 2], [2, 1]];
  await createOn(topic, original);
  let acked = 0;
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 6000, keys: 100, paceMs: 6000, acks: -1, onAck: () => { acked++; } });
  const running = workload.run();
  await eventually(() => acked > 500, { timeoutMs: 20_000 });

  const planned = await mq(['reassign', 'plan', '--brokers', '1,2,3', '--topics', topic]);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout) as { partitions: { topic: string; partition: number; replicas: number[] }[] };
  assert.ok(plan.partitions.some((p) => p.replicas.includes(3)), planned.stdout);
  const planFile = join(dir.path, 'plan.json');
  await writeFile(planFile, planned.stdout);

  const executed = await mq(['reassign', 'execute', planFile]);
  assert.equal(executed.code, 0, executed.stderr);
  assert.match(executed.stdout, new RegExp(`reassignment requested for ${plan.partitions.length} partition`));
  assert.match(executed.stderr, /mq reassign status -b /);

  await eventually(async () => (await status()).length === 0, { timeoutMs: 60_000 });
  assert.match((await mq(['reassign', 'status', '--once'])).stdout, /no reassignments in progress/);
  const result = await running;
  assert.equal(result.failed, 0, JSON.stringify(result.failures));

  const want = new Map(original.map((l, p) => [p, l]));
  for (const p of plan.partitions) want.set(p.partition, p.replicas);
  await eventually(async () => (await partitionsOf(topic)).every((p) => p.isr.length === want.get(p.partition)!.length), { timeoutMs: 30_000 });
  for (const p of await partitionsOf(topic)) assert.deepEqual(p.replicas, want.get(p.partition), `partition ${p.partition}`);
  assert.ok((await partitionsOf(topic)).some((p) => p.replicas.includes(3)));

  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 60_000 });
  assert.ok(verify.complete);
  assert.equal(verify.lost, 0, `lost: ${verify.samples.lost.join(', ')}`);
  assert.equal(verify.acknowledged, result.acknowledged);
});

test('a move that cannot finish: listed by status and kafkajs, throttled and described as a broker config, cancelled with -b', async (t) => {
  const controller = await cluster.controllerId();
  const paused = [3, 2, 1].find((id) => id !== controller)!;
  const others = [1, 2, 3].filter((id) => id !== paused);
  const topic = uniqueTopic('rb-cancel');
  const original = [[others[0], others[1]], [others[1], others[0]]];
  await createOn(topic, original);
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 400, keys: 20, paceMs: 200, acks: -1 });
  assert.equal((await workload.run()).acknowledged, 400);

  // Nothing to throttle yet: the command says so, and the broker refuses the config rather than forget it.
  assert.match((await mq(['reassign', 'throttle', '5'])).stdout, /no reassignments in progress/);
  await assert.rejects(admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: BROKER_RESOURCE, name: String(controller), configEntries: [{ name: 'follower.replication.throttled.rate', value: '1000' }] }],
  }), /no reassignment in progress|configuration is invalid/i);

  const planFile = join(dir.path, 'cancel-plan.json');
  await writeFile(planFile, JSON.stringify({ version: 1, partitions: original.map((replicas, partition) => ({ topic, partition, replicas: [...replicas, paused] })) }));
  cluster.pause(paused);
  bootstrap = others.map((id) => `127.0.0.1:${cluster.port(id)}`).join(',');
  let resumed = false;
  const resume = (): void => { if (!resumed) { resumed = true; cluster.resume(paused); bootstrap = ''; } };
  t.after(resume);

  const executed = await mq(['reassign', 'execute', planFile, '--throttle', '1']);
  assert.equal(executed.code, 0, executed.stderr);
  assert.match(executed.stdout, /reassignment requested for 2 partitions, throttled at 1\.0 MB\/s per receiving broker/);
  await eventually(async () => (await status()).every((r) => r.throttleBytesPerSec === 1_000_000), { timeoutMs: 10_000 });
  // Started by the time execute returns (the broker waits for the controller): status and kafkajs see it.
  const s = await status();
  assert.deepEqual(s.map((r) => [r.topic, r.partition, r.state, r.adding]), [[topic, 0, 'moving', [paused]], [topic, 1, 'moving', [paused]]]);
  const listed = listed2(await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0, 1] }] }));
  assert.deepEqual(listed.map((x) => x.partitions.map((p) => [x.name, p.partition, p.addingReplicas, p.removingReplicas])).flat(),
    [[topic, 0, [paused], []], [topic, 1, [paused], []]]);
  // A second execute of the same partitions is refused up front.
  const again = await mq(['reassign', 'execute', planFile]);
  assert.notEqual(again.code, 0, again.stdout);
  assert.match(again.stderr, /being reassigned already/);

  // The throttle, set with -b, is the broker config follower.replication.throttled.rate.
  const throttled = await mq(['reassign', 'throttle', '2']);
  assert.equal(throttled.code, 0, throttled.stderr);
  assert.match(throttled.stdout, /throttle set to 2\.0 MB\/s per receiving broker for 2 partitions/);
  await eventually(async () => (await status()).every((r) => r.throttleBytesPerSec === 2_000_000), { timeoutMs: 10_000 });
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: BROKER_RESOURCE, name: String(controller), configNames: ['follower.replication.throttled.rate'] }] });
  assert.deepEqual(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]), [['follower.replication.throttled.rate', '2000000']]);
  // Kafka's way (AlterConfigs on a broker resource) changes the same throttle.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: BROKER_RESOURCE, name: String(controller), configEntries: [{ name: 'follower.replication.throttled.rate', value: '3000000' }, { name: 'leader.replication.throttled.rate', value: '3000000' }] }],
  });
  await eventually(async () => (await status()).every((r) => r.throttleBytesPerSec === 3_000_000), { timeoutMs: 10_000 });
  assert.match((await mq(['reassign', 'throttle', 'none'])).stdout, /throttle removed for 2 partitions/);
  await eventually(async () => (await status()).every((r) => r.throttleBytesPerSec === null), { timeoutMs: 10_000 });

  const cancelled = await mq(['reassign', 'cancel']);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /cancel requested for 2 partitions/);
  assert.deepEqual(await status(), []);
  resume();
  // Cancelling nothing: Kafka's NO_REASSIGNMENT_IN_PROGRESS for that partition (kafkajs cannot send a
  // cancel, it refuses replicas null itself: mq's admin client does).
  const ours = createAdmin({ bootstrap: cluster.bootstrapList, clientId: 'mq-reassign-brokers-test' });
  t.after(() => ours.close());
  assert.deepEqual((await ours.alterPartitionReassignments([{ topic, partition: 0, replicas: null }])).map((r) => r.error), ['NO_REASSIGNMENT_IN_PROGRESS']);
  assert.match((await mq(['reassign', 'cancel'])).stdout, /no reassignments in progress/);

  await eventually(async () => (await partitionsOf(topic)).every((p) => p.replicas.join() === original[p.partition].join() && p.isr.length === 2), { timeoutMs: 15_000 });
  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 30_000 });
  assert.equal(verify.lost, 0);
});

test('kafkajs alterPartitionReassignments moves a partition; bad requests get Kafka\'s per-partition errors', async () => {
  await allRegistered();
  const topic = uniqueTopic('rb-kjs');
  await createOn(topic, [[1, 2]]);
  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
  await eventually(async () => listed2(await admin.listPartitionReassignments({})).every((x) => x.name !== topic), { timeoutMs: 30_000 });
  await eventually(async () => (await partitionsOf(topic))[0].replicas.join() === '2,3' && (await partitionsOf(topic))[0].isr.length === 2, { timeoutMs: 15_000 });

  const refused = async (topics: Parameters<KafkaAdmin['alterPartitionReassignments']>[0]['topics']): Promise<string[]> => {
    try {
      await admin.alterPartitionReassignments({ topics });
    } catch (err) {
      return ((err as { errors?: { type: string }[] }).errors ?? []).map((e) => e.type);
    }
    return [];
  };
  assert.deepEqual(await refused([{ topic: uniqueTopic('none'), partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }]), ['UNKNOWN_TOPIC_OR_PARTITION']);
  assert.deepEqual(await refused([{ topic, partitionAssignment: [{ partition: 7, replicas: [1, 2] }] }]), ['UNKNOWN_TOPIC_OR_PARTITION']);
  assert.deepEqual(await refused([{ topic, partitionAssignment: [{ partition: 0, replicas: [1, 1] }] }]), ['INVALID_REPLICA_ASSIGNMENT']);
  assert.deepEqual(await refused([{ topic, partitionAssignment: [{ partition: 0, replicas: [1, 99] }] }]), ['INVALID_REPLICA_ASSIGNMENT']);
  assert.deepEqual(await refused([{ topic, partitionAssignment: [{ partition: 0, replicas: [] }] }]), ['INVALID_REPLICA_ASSIGNMENT']);
  assert.deepEqual((await partitionsOf(topic))[0].replicas, [2, 3], 'nothing moved');
});

test('mq brokers decommission --wait with -b only moves every replica off a broker', async () => {
  await allRegistered();
  const topic = uniqueTopic('rb-decom');
  const controller = await cluster.controllerId();
  const leaving = [3, 2, 1].find((id) => id !== controller)!;
  const stay = [1, 2, 3].filter((id) => id !== leaving);
  await createOn(topic, [[leaving, stay[0]], [stay[1], leaving], [stay[0], stay[1]]]);
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 600, keys: 30, paceMs: 300, acks: -1 });
  assert.equal((await workload.run()).acknowledged, 600);

  const r = await run(['brokers', 'decommission', String(leaving), '-b', cluster.bootstrap, '--wait', '--timeout', '90'], { env: { MQ_ETCD: '' }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`broker ${leaving} holds no replicas; it is safe to stop it`));
  const md = await cluster.metadata(null);
  for (const tp of md.topics) {
    for (const p of tp.partitions) {
      assert.ok(!p.replicaNodes.includes(leaving), `${tp.name}-${p.partitionIndex} still on broker ${leaving}: ${p.replicaNodes}`);
      assert.notEqual(p.leaderId, leaving);
    }
  }
  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 30_000 });
  assert.equal(verify.lost, 0);
});
