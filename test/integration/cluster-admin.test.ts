// Topic administration in cluster mode over a real 3-broker cluster with a replication factor 3 topic:
// `mq topics describe` (replicas, ISR, effective config through any broker), `mq topics alter --config`
// (stored in the topic record, applied by every replica), `mq topics trim` (DeleteRecords on the
// leaders; followers follow the new log start), and retention deleting old segments on every replica.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ brokers: 3, config: { 'log.retention.check.interval.ms': '200' } });
});

after(async () => { await cluster?.close(); });

interface Described {
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; logStartOffset: number; highWatermark: number }[];
  configs: { name: string; value: string; source: string }[];
}

async function describe(topic: string, via: number): Promise<Described> {
  const r = await run(['topics', 'describe', topic, '--json', '-b', `127.0.0.1:${cluster.port(via)}`]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Described;
}

/** Every replica's log start offset for the partitions of `topic`, from each broker's admin endpoint. */
async function replicaLogStarts(topic: string): Promise<number[]> {
  const out: number[] = [];
  for (const id of cluster.ids) {
    const res = await fetch(`http://${cluster.broker(id).admin}/v1/partitions`);
    const list = (await res.json()) as { topic: string; partition: number; logStartOffset: number }[];
    for (const p of list) if (p.topic === topic) out.push(p.logStartOffset);
  }
  return out;
}

test('describe, alter --config and trim a replicated topic through any broker', async () => {
  const topic = uniqueTopic('cadmin');
  const b = cluster.bootstrap;
  const created = await run(['topics', 'create', topic, '-p', '2', '-r', '3', '--config', 'min.insync.replicas=2', '-b', b]);
  assert.equal(created.code, 0, created.stderr);
  const lines = Array.from({ length: 300 }, (_, i) => `r${i}`).join('\n') + '\n';
  for (const partition of ['0', '1']) {
    const produced = await run(['produce', topic, '-p', partition, '-b', b], { input: lines });
    assert.equal(produced.code, 0, produced.stderr);
  }

  for (const via of cluster.ids) {
    const d = await eventually(async () => {
      const x = await describe(topic, via);
      return x.partitions.every((p) => p.isr.length === 3) ? x : null;
    }, { timeoutMs: 15_000 }) as Described;
    assert.deepEqual(d.partitions.map((p) => [p.replicas.length, [...p.isr].sort()]), [[3, [1, 2, 3]], [3, [1, 2, 3]]]);
    assert.equal(d.partitions[0].highWatermark, 300);
    assert.deepEqual(d.configs.find((c) => c.name === 'min.insync.replicas'), { name: 'min.insync.replicas', value: '2', source: 'topic' });
  }

  const altered = await run(['topics', 'alter', topic, '--config', 'retention.bytes=1000000', '-b', b]);
  assert.equal(altered.code, 0, altered.stderr);
  for (const via of cluster.ids) {
    const d = await describe(topic, via);
    assert.equal(d.configs.find((c) => c.name === 'retention.bytes')?.value, '1000000');
    assert.equal(d.configs.find((c) => c.name === 'retention.bytes')?.source, 'topic');
  }

  const trimmed = await run(['topics', 'trim', topic, '--before', '120', '-b', b]);
  assert.equal(trimmed.code, 0, trimmed.stderr);
  const d = await describe(topic, 1);
  assert.equal(d.partitions[0].logStartOffset, 120);
  // Every replica of partition 0 follows the leader's new log start.
  await eventually(async () => (await replicaLogStarts(topic)).filter((o) => o === 120).length === 6, { timeoutMs: 15_000 });
  const consumed = await run(['consume', topic, '-p', '0', '-o', 'beginning', '-e', '-b', b]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout, Array.from({ length: 180 }, (_, i) => `r${i + 120}`).join('\n') + '\n');
});

test('retention deletes old segments on every replica of a cluster topic', async () => {
  const topic = uniqueTopic('cretain');
  const b = cluster.bootstrap;
  const created = await run(['topics', 'create', topic, '-p', '1', '-r', '3', '--config', 'segment.bytes=2000', '-b', b]);
  assert.equal(created.code, 0, created.stderr);
  const lines = Array.from({ length: 400 }, (_, i) => `value-${i}`).join('\n') + '\n';
  const produced = await run(['produce', topic, '--batch-size', '400', '-b', b], { input: lines });
  assert.equal(produced.code, 0, produced.stderr);
  await eventually(async () => (await replicaLogStarts(topic)).length === 3, { timeoutMs: 15_000 });
  assert.deepEqual(await replicaLogStarts(topic), [0, 0, 0]);
  const altered = await run(['topics', 'alter', topic, '--config', 'segment.bytes=2000', '--config', 'retention.bytes=4000', '-b', b]);
  assert.equal(altered.code, 0, altered.stderr);
  await eventually(async () => (await replicaLogStarts(topic)).every((o) => o > 0), { timeoutMs: 15_000 });
});

test('auto-creation through a broker that is not the controller: it forwards the creation (kcat -P)', async () => {
  const controller = await cluster.controllerId();
  const via = cluster.ids.find((id) => id !== controller)!;
  const topic = uniqueTopic('cauto');
  const produced = await run(['-b', `127.0.0.1:${cluster.port(via)}`, '-P', '-t', topic], { cmd: 'kcat', input: 'one\ntwo\nthree\n', timeoutMs: 30_000 });
  assert.equal(produced.code, 0, produced.stderr);
  const consumed = await run(['consume', topic, '-o', 'beginning', '-e', '-b', cluster.bootstrap]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout, 'one\ntwo\nthree\n');
  assert.match(cluster.output(controller), new RegExp(`topic created topic=${topic}`));
});
