// Leader rebalance (issue 8) on real clusters: etcd + 3 `mq broker start --id N --etcd URL` processes.
// A topic with 6 partitions and replication factor 3 starts with each partition led by its preferred
// replica (replicas[0]), 2 per broker. kill -9 of one broker and a restart leave its partitions led by
// others; `mq rebalance leaders` moves them back once it is in the ISR again (every partition then led
// by replicas[0], read with `mq topics describe --json`), the records produced before are all still
// there, and a second run says "already preferred". With leader.imbalance.check.interval.seconds=2 the
// controller does it on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

interface Described { partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[] }

async function mq(args: string[], input?: string): Promise<string> {
  const r = await run(args, { input, timeoutMs: 60_000 });
  assert.equal(r.code, 0, `mq ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function describeTopic(c: TestCluster, topic: string): Promise<Described> {
  return JSON.parse(await mq(['topics', 'describe', topic, '--json', '-b', c.bootstrap])) as Described;
}

/** Creates the topic, checks the 2/2/2 preferred spread, produces `count` records; returns the records. */
async function topicWithRecords(c: TestCluster, topic: string, count: number): Promise<string[]> {
  await mq(['topics', 'create', topic, '-p', '6', '-r', '3', '-b', c.bootstrap]);
  const d = await describeTopic(c, topic);
  assert.equal(d.partitions.length, 6);
  for (const p of d.partitions) {
    assert.equal(p.replicas.length, 3);
    assert.equal(p.leader, p.replicas[0], `partition ${p.partition} starts led by its preferred replica`);
  }
  for (const id of c.ids) assert.equal(d.partitions.filter((p) => p.replicas[0] === id).length, 2, `broker ${id} is preferred for 2 partitions`);
  const records = Array.from({ length: count }, (_, i) => `k${i % 37}\tv${i}`);
  await mq(['produce', topic, '-b', c.bootstrap, '--key-separator', '\t'], records.join('\n') + '\n');
  return records.map((r) => r.split('\t')[1]);
}

/** kill -9 and restart a broker that is not the controller; resolves once its preferred partitions are led by others and every ISR is full again. */
async function bounce(c: TestCluster, topic: string): Promise<number> {
  const controller = await c.controllerId();
  const victim = c.ids.find((id) => id !== controller)!;
  await c.kill(victim);
  await c.restart(victim);
  await eventually(async () => {
    const md = await c.metadata([topic]);
    const parts = md.topics[0].partitions;
    return parts.every((p) => p.isrNodes.length === 3 && p.leaderId >= 0)
      && parts.filter((p) => p.replicaNodes[0] === victim).every((p) => p.leaderId !== victim);
  }, { timeoutMs: 30_000, intervalMs: 200 });
  return victim;
}

test('mq rebalance leaders moves leadership back to preferred replicas after a broker restart, losing nothing', async (t) => {
  const c = await startCluster({ brokers: 3, config: { 'replica.fetch.wait.max.ms': '200' } });
  t.after(() => c.close());
  const topic = uniqueTopic('leaders');
  const values = await topicWithRecords(c, topic, 600);
  const victim = await bounce(c, topic);
  const before = await describeTopic(c, topic);
  const displaced = before.partitions.filter((p) => p.leader !== p.replicas[0]);
  assert.equal(displaced.length, 2, `broker ${victim}'s partitions are led by others: ${JSON.stringify(before.partitions)}`);

  const first = await run(['rebalance', 'leaders', '-b', c.bootstrap], { timeoutMs: 60_000 });
  assert.equal(first.code, 0, first.stderr);
  const rows = first.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/));
  assert.equal(rows.filter((r) => r[0] === topic).length, 6);
  for (const p of displaced) {
    assert.ok(rows.some((r) => r[0] === topic && r[1] === String(p.partition) && r[2] === `moved to ${p.replicas[0]}`), `${topic}-${p.partition} moved:\n${first.stdout}`);
  }
  assert.match(first.stderr, new RegExp(`${displaced.length} moved, ${6 - displaced.length} already preferred, 0 not available, 0 failed`));

  const after = await describeTopic(c, topic);
  for (const p of after.partitions) assert.equal(p.leader, p.replicas[0], `partition ${p.partition} led by its preferred replica`);
  for (const id of c.ids) assert.equal(after.partitions.filter((p) => p.leader === id).length, 2, `broker ${id} leads 2`);
  // A broker logs after its write reaches etcd: give its line a moment to arrive.
  const requested = /partition leader elected .*reason="preferred leader election requested"/;
  const ctl = await c.controllerId();
  await eventually(() => requested.test(c.output(ctl)), { timeoutMs: 5000 }).catch(() => undefined);
  assert.match(c.output(ctl), requested);

  const consumed = (await mq(['consume', topic, '-o', 'beginning', '-e', '-b', c.bootstrap])).split('\n').filter((l) => l !== '');
  assert.equal(consumed.length, values.length, 'every record produced before is still there');
  assert.deepEqual(new Set(consumed), new Set(values));

  const second = await run(['rebalance', 'leaders', '--topics', topic, '-b', c.bootstrap, '--json'], { timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  const doc = JSON.parse(second.stdout) as { results: { result: string }[]; summary: { alreadyPreferred: number } };
  assert.equal(doc.results.length, 6);
  assert.ok(doc.results.every((r) => r.result === 'already-preferred'), second.stdout);
  const text = await mq(['rebalance', 'leaders', '--topics', topic, '-b', c.bootstrap]);
  assert.equal(text.match(/already preferred/g)?.length, 6);
});

test('auto.leader.rebalance.enable: with leader.imbalance.check.interval.seconds=2 the controller moves leaders back by itself', async (t) => {
  const c = await startCluster({ brokers: 3, config: { 'replica.fetch.wait.max.ms': '200', 'leader.imbalance.check.interval.seconds': '2' } });
  t.after(() => c.close());
  const topic = uniqueTopic('auto-leaders');
  const values = await topicWithRecords(c, topic, 200);
  const controller = await c.controllerId();
  const victim = c.ids.find((id) => id !== controller)!;
  await c.kill(victim);
  // While it is down, its partitions are led by others (the check leaves them: it is not live).
  await eventually(async () => {
    const md = await c.metadata([topic]);
    return md.topics[0].partitions.filter((p) => p.replicaNodes[0] === victim).every((p) => p.leaderId !== victim && p.leaderId >= 0);
  }, { timeoutMs: 20_000, intervalMs: 200 });
  await c.restart(victim);
  const back = (await eventually(async () => {
    const d = await describeTopic(c, topic);
    return d.partitions.every((p) => p.leader === p.replicas[0] && p.isr.length === 3) ? d : null;
  }, { timeoutMs: 40_000, intervalMs: 500 }))!;
  assert.equal(back.partitions.filter((p) => p.leader === victim).length, 2);
  const ctlId = await c.controllerId();
  const imbalanceLines = (): string[] => c.output(ctlId).split('\n').filter((l) => /partition leader elected .*reason="leader imbalance: broker/.test(l));
  await eventually(() => imbalanceLines().length >= 2, { timeoutMs: 5000 }).catch(() => undefined);
  const moved = imbalanceLines();
  assert.equal(moved.length, 2, `one log line per moved partition:\n${moved.join('\n')}`);
  const consumed = (await mq(['consume', topic, '-o', 'beginning', '-e', '-b', c.bootstrap])).split('\n').filter((l) => l !== '');
  assert.deepEqual(new Set(consumed), new Set(values));
  assert.equal(consumed.length, values.length);
});
