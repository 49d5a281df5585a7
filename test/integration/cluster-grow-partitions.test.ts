// Issue 8, "more partitions": a replicated topic on a 3-broker cluster grows from 3 to 6 partitions while
// `mq produce` (keyed, acks=all) and a group of two `mq consume -g` run. The new partitions are placed
// over the brokers, receive records once the producer re-reads the metadata (--metadata-max-age-ms), the
// group rebalances onto them (its leader notices the new count), and every record is consumed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { startMember, type GroupMember } from '../helpers/group-member.js';
import { eventually, run, startKeyedProducer, uniqueTopic } from '../helpers/mq-process.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ brokers: 3, config: { 'group.initial.rebalance.delay.ms': '300' } });
});

after(async () => { await cluster?.close(); });

test('a topic grown from 3 to 6 partitions under keyed produce gets records there, and the group rebalances onto them', async (t) => {
  const topic = uniqueTopic('grow');
  const b = cluster.bootstrap;
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', '3', '--config', 'min.insync.replicas=2', '-b', b]);
  assert.equal(created.code, 0, created.stderr);

  const memberArgs = ['--auto-offset-reset', 'earliest', '--session-timeout-ms', '6000', '--metadata-max-age-ms', '500'];
  const members: GroupMember[] = [0, 1].map(() => startMember(b, topic, `${topic}-g`, memberArgs));
  t.after(() => Promise.all(members.map((m) => m.kill9())));
  await eventually(() => members.every((m) => m.owned().size > 0), { timeoutMs: 30_000 });

  const producer = startKeyedProducer(t, b, topic, 200, ['--metadata-max-age-ms', '500']);
  const send = (n: number): Promise<void> => producer.send(n);

  for (let i = 0; i < 10; i++) { await send(100); await new Promise((r) => setTimeout(r, 100)); }
  const grown = await run(['topics', 'alter', topic, '--partitions', '6', '-b', b]);
  assert.equal(grown.code, 0, grown.stderr);
  // Keep producing for a few metadata refreshes after the growth.
  for (let i = 0; i < 30; i++) { await send(100); await new Promise((r) => setTimeout(r, 100)); }
  assert.equal(await producer.end(), 0, producer.stderr());

  const described = await run(['topics', 'describe', topic, '--json', '-b', b]);
  assert.equal(described.code, 0, described.stderr);
  const parts = (JSON.parse(described.stdout) as { partitions: { partition: number; leader: number; replicas: number[]; highWatermark: number }[] }).partitions;
  assert.equal(parts.length, 6);
  for (const p of parts.slice(3)) {
    assert.equal(p.replicas.length, 3, `partition ${p.partition} is replicated`);
    assert.ok(p.highWatermark > 0, `partition ${p.partition} received records (high watermark ${p.highWatermark})`);
  }
  assert.equal(new Set(parts.slice(3).map((p) => p.leader)).size, 3, 'the new partitions\' leaders are spread over the 3 brokers');

  // The group covers all 6 partitions and consumes every record (at least once).
  await eventually(() => {
    const owned = members.flatMap((m) => [...m.owned()]);
    return new Set(owned).size === 6 && owned.length === 6;
  }, { timeoutMs: 30_000 }).catch(() => assert.fail(`group never covered 6 partitions: ${members.map((m) => [...m.owned()].join(',')).join(' | ')}\n${members.map((m) => m.stderr()).join('\n')}`));
  await eventually(() => new Set(members.flatMap((m) => m.lines())).size === producer.sent, { timeoutMs: 30_000 })
    .catch(() => assert.fail(`consumed ${new Set(members.flatMap((m) => m.lines())).size} of ${producer.sent}`));
  assert.ok(members.some((m) => /now has 6 partitions; rejoining/.test(m.stderr())), 'the group leader noticed the new partitions');
});
