// Issue 8, "reassignment": a 4-broker cluster whose topic lives on brokers 1-3 only (explicit replica
// assignment) is balanced onto broker 4 with `mq reassign plan` + `execute` while a producer in this
// process sends keyed acks=all records; afterwards every partition has 3 replicas, no broker carries
// more than ceil(mean)+1 of them, broker 4 carries some, and a consumer finds every acknowledged record.
// Then `mq reassign cancel` rolls back a move that cannot finish (its new broker is paused with SIGSTOP,
// so it cannot catch up, deterministically; a long broker session timeout keeps it registered meanwhile): every partition is back on its old replicas at full ISR.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { KeyedWorkload } from '../chaos/keyed-workload.js';
import { verifyLog } from '../chaos/verify-log.js';

let cluster: TestCluster;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  // A long session timeout: the cancel test pauses a broker for a few seconds and it must stay
  // registered; no restore may start meanwhile.
  cluster = await startCluster({ brokers: 4, config: { 'broker.session.timeout.ms': '30000', 'replica.restore.delay.ms': '600000' } });
  dir = await tempDir('mq-reassign-');
});

after(async () => {
  await cluster?.close();
  await dir?.remove();
});

async function createOn(topic: string, assignment: number[][]): Promise<void> {
  const kafka = new Kafka({ brokers: cluster.bootstrapList, clientId: 'mq-reassign-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ok = await admin.createTopics({
      topics: [{ topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })), configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    assert.equal(ok, true);
  } finally {
    await admin.disconnect();
  }
}

async function partitionsOf(topic: string): Promise<{ partition: number; replicas: number[]; isr: number[]; leader: number }[]> {
  const md = await cluster.metadata([topic]);
  return [...md.topics[0].partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ partition: p.partitionIndex, replicas: [...p.replicaNodes], isr: [...p.isrNodes], leader: p.leaderId }));
}

async function status(): Promise<{ topic: string; partition: number; state: string; adding: number[]; progress: { broker: number; inIsr: boolean }[] }[]> {
  const r = await run(['reassign', 'status', '--etcd', cluster.etcd.endpoint, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { reassignments: [] }).reassignments;
}

test('plan + execute move replicas onto a new broker under acks=all traffic; balanced, 0 acknowledged lost', async () => {
  const topic = uniqueTopic('reassign');
  const before = [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2], [2, 1, 3], [3, 2, 1]];
  await createOn(topic, before);

  let acked = 0;
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 20_000, keys: 200, paceMs: 12_000, acks: -1, onAck: () => { acked++; } });
  const running = workload.run();
  await eventually(() => acked > 1000, { timeoutMs: 20_000 });

  const planned = await run(['reassign', 'plan', '--brokers', '1,2,3,4', '--topics', topic, '-b', cluster.bootstrap]);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout) as { version: number; partitions: { topic: string; partition: number; replicas: number[] }[] };
  assert.equal(plan.version, 1);
  assert.ok(plan.partitions.some((p) => p.replicas.includes(4)), planned.stdout);
  const planFile = join(dir.path, 'plan.json');
  await writeFile(planFile, planned.stdout);

  const executed = await run(['reassign', 'execute', planFile, '--etcd', cluster.etcd.endpoint]);
  assert.equal(executed.code, 0, executed.stderr);
  assert.match(executed.stdout, new RegExp(`reassignment requested for ${plan.partitions.length} partition`));

  await eventually(async () => (await status()).length === 0, { timeoutMs: 60_000 })
    .catch(async () => assert.fail(`reassignments still in progress: ${JSON.stringify(await status())}`));
  const text = await run(['reassign', 'status', '--etcd', cluster.etcd.endpoint]);
  assert.match(text.stdout, /no reassignments in progress/);
  const started = (): number => cluster.ids.map((id) => cluster.output(id)).join('\n')
    .match(new RegExp(`reassignment started.*${topic}|${topic}.*reassignment started`, 'g'))?.length ?? 0;
  await eventually(() => started() >= plan.partitions.length, { timeoutMs: 5000 }).catch(() => undefined);
  assert.equal(started(), plan.partitions.length, 'the controller started one reassignment per planned partition');

  const result = await running;
  assert.equal(result.failed, 0, JSON.stringify(result.failures));

  // The planned lists are in place, replicated 3 times, balanced, and broker 4 carries replicas.
  const want = new Map(before.map((l, p) => [p, l]));
  for (const p of plan.partitions) want.set(p.partition, p.replicas);
  await eventually(async () => (await partitionsOf(topic)).every((p) => p.isr.length === 3), { timeoutMs: 30_000 });
  const after = await partitionsOf(topic);
  const count = new Map<number, number>();
  for (const p of after) {
    assert.deepEqual(p.replicas, want.get(p.partition), `partition ${p.partition}`);
    assert.equal(new Set(p.replicas).size, 3);
    for (const id of p.replicas) count.set(id, (count.get(id) ?? 0) + 1);
  }
  const limit = Math.ceil(18 / 4) + 1;
  for (const [id, n] of count) assert.ok(n <= limit, `broker ${id} carries ${n} replicas (limit ${limit})`);
  assert.ok((count.get(4) ?? 0) >= 4, `broker 4 carries ${count.get(4) ?? 0} replicas`);

  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 60_000 });
  assert.ok(verify.complete, 'the consumer read every partition to its high watermark');
  assert.equal(verify.lost, 0, `lost: ${verify.samples.lost.join(', ')}`);
  assert.equal(verify.acknowledged, result.acknowledged);
});

test('mq reassign cancel rolls back moves that have not finished: old replicas, full ISR', async (t) => {
  const controller = await cluster.controllerId();
  const paused = [4, 3, 2, 1].find((id) => id !== controller)!;
  const others = [1, 2, 3, 4].filter((id) => id !== paused);
  const topic = uniqueTopic('reassign-cancel');
  const original = [[others[0], others[1]], [others[1], others[2]], [others[2], others[0]]];
  await createOn(topic, original);
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 600, keys: 30, paceMs: 300, acks: -1 });
  const result = await workload.run();
  assert.equal(result.acknowledged, 600);

  // Each partition gets the paused broker as a third replica: it cannot catch up while paused.
  const planFile = join(dir.path, 'cancel-plan.json');
  await writeFile(planFile, JSON.stringify({ version: 1, partitions: original.map((replicas, partition) => ({ topic, partition, replicas: [...replicas, paused] })) }));
  const pid = cluster.broker(paused).proc.pid!;
  process.kill(pid, 'SIGSTOP');
  let resumed = false;
  const resume = (): void => { if (!resumed) { resumed = true; process.kill(pid, 'SIGCONT'); } };
  t.after(resume);

  const executed = await run(['reassign', 'execute', planFile, '--etcd', cluster.etcd.endpoint]);
  assert.equal(executed.code, 0, executed.stderr);
  // The controller has started all three moves (records exist, the paused broker is not in any ISR).
  await eventually(async () => {
    const s = await status();
    return s.length === 3 && s.every((r) => r.state === 'moving' && r.adding.join() === String(paused) && !r.progress[0].inIsr);
  }, { timeoutMs: 15_000 });
  await eventually(async () => (await partitionsOf(topic)).every((p) => p.replicas.join() === [...original[p.partition], paused].join()), { timeoutMs: 10_000 });

  const cancelled = await run(['reassign', 'cancel', '--etcd', cluster.etcd.endpoint]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /cancel requested for 3 partitions/);
  await eventually(async () => (await status()).length === 0, { timeoutMs: 15_000 });
  resume();

  await eventually(async () => (await partitionsOf(topic)).every((p) => p.replicas.join() === original[p.partition].join()), { timeoutMs: 10_000 });
  for (const p of await partitionsOf(topic)) {
    assert.deepEqual(p.replicas, original[p.partition]);
    assert.deepEqual([...p.isr].sort(), [...original[p.partition]].sort(), `partition ${p.partition} is at full ISR`);
    assert.ok(original[p.partition].includes(p.leader));
  }
  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 30_000 });
  assert.equal(verify.lost, 0);
});
