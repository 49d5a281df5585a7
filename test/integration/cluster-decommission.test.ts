// Issue 8, "brokers in and out": a 4-broker cluster whose topic (6 partitions, RF 3,
// min.insync.replicas=2) has a replica of every partition on broker 4, and 2 partitions led by it, is
// emptied with `mq brokers decommission 4 --wait` while a producer in this process sends keyed acks=all
// records. Meanwhile Metadata is sampled every 200 ms: no partition's ISR may drop below
// min.insync.replicas. Afterwards no partition names broker 4, each has 3 replicas in its ISR, nothing
// acknowledged is lost; then broker 4 is stopped and produce + consume still work.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';
import { KeyedWorkload } from '../chaos/keyed-workload.js';
import { verifyLog } from '../chaos/verify-log.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ brokers: 4 });
});

after(async () => {
  await cluster?.close();
});

async function partitionsOf(topic: string): Promise<{ partition: number; replicas: number[]; isr: number[]; leader: number }[]> {
  const md = await cluster.metadata([topic]);
  return [...md.topics[0].partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
    .map((p) => ({ partition: p.partitionIndex, replicas: [...p.replicaNodes], isr: [...p.isrNodes], leader: p.leaderId }));
}

test('mq brokers decommission 4 --wait empties broker 4 under acks=all traffic; ISR never below min.insync.replicas, 0 lost', async (t) => {
  const topic = uniqueTopic('decommission');
  // Broker 4 carries a replica of every partition and leads partitions 0 and 3.
  const assignment = [[4, 1, 2], [1, 4, 3], [2, 3, 4], [4, 2, 3], [3, 4, 1], [1, 2, 4]];
  const kafka = new Kafka({ brokers: cluster.bootstrapList, clientId: 'mq-decommission-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({
      topics: [{ topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })), configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    }), true);
  } finally {
    await admin.disconnect();
  }
  await eventually(async () => (await partitionsOf(topic)).every((p) => p.isr.length === 3), { timeoutMs: 20_000 });
  assert.deepEqual((await partitionsOf(topic)).filter((p) => p.leader === 4).map((p) => p.partition), [0, 3], 'broker 4 leads partitions 0 and 3');

  let acked = 0;
  const workload = new KeyedWorkload({ bootstrap: cluster.bootstrapList, topic, records: 8000, keys: 120, paceMs: 8000, acks: -1, onAck: () => { acked++; } });
  const running = workload.run();
  await eventually(() => acked > 500, { timeoutMs: 20_000 });

  // Sample every partition's ISR size while the decommission runs.
  let sampling = true;
  let samples = 0;
  let smallest = { size: Infinity, at: '' };
  const sampler = (async () => {
    while (sampling) {
      try {
        for (const p of await partitionsOf(topic)) {
          if (p.isr.length < smallest.size) smallest = { size: p.isr.length, at: `partition ${p.partition} replicas ${p.replicas} isr ${p.isr}` };
        }
        samples++;
      } catch {
        // A broker that did not answer this round is not an ISR measurement.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  let decommissioned;
  try {
    decommissioned = await run(['brokers', 'decommission', '4', '--etcd', cluster.etcd.endpoint, '--wait'], { timeoutMs: 60_000 });
  } finally {
    sampling = false;
    await sampler;
  }
  t.diagnostic(`mq brokers decommission 4 --wait: ${decommissioned.stdout.trim().split('\n').join(' | ')} (${samples} ISR samples, smallest ISR ${smallest.size})`);
  assert.equal(decommissioned.code, 0, decommissioned.stderr);
  assert.match(decommissioned.stdout, /moving \d+ partitions? off broker 4 onto 1,2,3 \(it holds 6\)/);
  assert.match(decommissioned.stdout, /broker 4: \d+ partitions? left/, 'progress lines');
  assert.match(decommissioned.stdout, /broker 4 holds no replicas; it is safe to stop it\n$/);
  assert.ok(samples >= 3, `only ${samples} ISR samples`);
  assert.ok(smallest.size >= 2, `an ISR dropped below min.insync.replicas: ${smallest.size} (${smallest.at})`);

  const result = await running;
  assert.equal(result.failed, 0, JSON.stringify(result.failures));
  assert.equal(result.acknowledged, 8000);

  const afterMove = await partitionsOf(topic);
  for (const p of afterMove) {
    assert.ok(!p.replicas.includes(4), `partition ${p.partition} still lists broker 4: ${p.replicas}`);
    assert.equal(new Set(p.replicas).size, 3, `partition ${p.partition}: ${p.replicas}`);
    assert.notEqual(p.leader, 4);
  }
  await eventually(async () => (await partitionsOf(topic)).every((p) => p.isr.length === 3 && [...p.isr].sort().join() === [...p.replicas].sort().join()), { timeoutMs: 20_000 })
    .catch(async () => assert.fail(`ISR not full: ${JSON.stringify(await partitionsOf(topic))}`));

  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 60_000 });
  assert.ok(verify.complete, 'the consumer read every partition to its high watermark');
  assert.equal(verify.lost, 0, `lost: ${verify.samples.lost.join(', ')}`);
  assert.equal(verify.acknowledged, result.acknowledged);

  // Once more: nothing is left to move, so it is safe right away.
  const again = await run(['brokers', 'decommission', '4', '--etcd', cluster.etcd.endpoint]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /broker 4 holds no replicas; it is safe to stop it/);
  const json = await run(['brokers', 'decommission', '4', '--etcd', cluster.etcd.endpoint, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { broker: 4, targets: [1, 2, 3], holding: 0, moving: 0, plan: { version: 1, partitions: [] } });

  // Broker 4 leaves; the rest of the cluster keeps serving the topic.
  await cluster.stop(4);
  const rest = [1, 2, 3].map((id) => `127.0.0.1:${cluster.port(id)}`).join(',');
  const marker = `after-decommission-${Date.now()}`;
  const produced = await run(['produce', topic, '-b', rest, '-k', ':'], { input: `${marker}:1\n${marker}:2\n${marker}:3\n` });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(['consume', topic, '-b', rest, '-o', 'beginning', '-e', '-f', '%k\\n'], { timeoutMs: 60_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.split('\n').filter((k) => k === marker).length, 3, 'the 3 records produced after broker 4 stopped are consumed');
});

test('mq brokers decommission refuses when fewer brokers than the replication factor would remain', async () => {
  await cluster.stop(4); // (done already when the first test got that far)
  const topic = uniqueTopic('decommission-rf3');
  const kafka = new Kafka({ brokers: cluster.upIds().map((id) => `127.0.0.1:${cluster.port(id)}`), clientId: 'mq-decommission-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true }), true);
  } finally {
    await admin.disconnect();
  }
  const registered = cluster.upIds();
  const victim = registered[0];
  // Broker 4 may still be registered until its lease ends after the first test stopped it.
  await eventually(async () => {
    const r = await run(['brokers', 'list', '-b', `127.0.0.1:${cluster.port(victim)}`, '--json']);
    return r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === registered.length;
  }, { timeoutMs: 20_000 });
  const refused = await run(['brokers', 'decommission', String(victim), '--etcd', cluster.etcd.endpoint]);
  assert.equal(refused.code, 2, refused.stderr); // INVALID_ARGUMENT: a usage error
  assert.match(refused.stderr, new RegExp(`cannot decommission broker ${victim}: topic '[^']+' has replication factor 3 but only 2 other brokers are registered`));
  const status = await run(['reassign', 'status', '--etcd', cluster.etcd.endpoint]);
  assert.match(status.stdout, /no reassignments in progress/, 'nothing was requested');
});
