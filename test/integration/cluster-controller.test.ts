// The controller (issue 5) with a real etcd and 4 real broker processes (broker.session.timeout.ms
// 3000, replica.restore.delay.ms 3000): etcd killed (-9) for 10 s leaves produce and fetch to existing
// partitions working and the cluster as it was (same registrations, same controller) afterwards;
// kill -9 of the controller moves control within about the lease TTL (the figure is printed); kill -9
// of a broker gives its partitions new leaders from the ISR with a bigger leader epoch, and after the
// restore delay its replicas are re-created on the 4th broker and it leaves the replica lists once the
// new replicas are in the ISR; a clean stop (SIGTERM) of the controller moves its leaderships away
// before it resigns. Partition states are read from etcd through an EtcdStore.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { ControllerElection } from '../../src/cluster/controller-election.js';
import { EtcdStore } from '../../src/cluster/etcd-store.js';
import type { PartitionState, TopicRecord } from '../../src/cluster/topic-records.js';
import { ApiKey } from '../../src/protocol/api.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { WireSocket } from '../helpers/wire.js';
import { startBrokerProcess, tempDir, uniqueTopic, run, eventually, type BrokerProcess } from '../helpers/mq-process.js';

const TTL_MS = 3000;
const IDS = [1, 2, 3, 4];
let etcd: EtcdProcess;
let store: EtcdStore;
let dir: { path: string; remove(): Promise<void> };
const brokers = new Map<number, BrokerProcess>();
/** Output of brokers' earlier runs. */
const pastOutput = new Map<number, string>();

async function start(id: number): Promise<void> {
  brokers.set(id, await startBrokerProcess(`${dir.path}/b${id}`, { args: ['--id', String(id), '--etcd', etcd.endpoint, '--config', `${dir.path}/broker.properties`] }));
}

async function kill9(id: number): Promise<void> {
  const b = brokers.get(id)!;
  await b.kill9();
  pastOutput.set(id, (pastOutput.get(id) ?? '') + b.output());
  brokers.delete(id);
}

before(async () => {
  etcd = await startEtcd();
  dir = await tempDir('mq-controller-');
  await writeFile(`${dir.path}/broker.properties`, [
    `broker.session.timeout.ms=${TTL_MS}`,
    'replica.restore.delay.ms=3000',
    'replica.lag.time.max.ms=3000',
    'replica.fetch.wait.max.ms=200',
  ].join('\n') + '\n');
  await Promise.all(IDS.map(start));
  store = await EtcdStore.connect({ endpoints: etcd.endpoint });
  await eventually(async () => (await store.range('brokers/')).length === 4);
});

after(async () => {
  await Promise.all([...brokers.values()].map((b) => b.stop()));
  await store?.close();
  await etcd?.close();
  await dir?.remove();
});

const bootstrap = (): string => [...brokers.values()].map((b) => b.bootstrap).join(',');

async function controllerId(): Promise<number> {
  return (await eventually(async () => (await ControllerElection.current(store))?.brokerId ?? 0, { timeoutMs: 20_000 }));
}

async function states(topic: string): Promise<PartitionState[]> {
  const kvs = await store.range(`partitions/${topic}/`);
  return kvs.sort((a, b) => Number(a.key.split('/').pop()) - Number(b.key.split('/').pop())).map((kv) => JSON.parse(kv.value) as PartitionState);
}

async function topicRecord(topic: string): Promise<TopicRecord> {
  return JSON.parse((await store.get(`topics/${topic}`))!.value) as TopicRecord;
}

async function produce(topic: string, partition: number, lines: string[], via = bootstrap()): Promise<void> {
  const res = await run(['produce', topic, '-b', via, '-p', String(partition)], { input: lines.join('\n') + '\n', timeoutMs: 30_000 });
  assert.equal(res.code, 0, res.stderr);
}

async function consume(topic: string, partition: number, via = bootstrap()): Promise<string[]> {
  const res = await run(['consume', topic, '-b', via, '-p', String(partition), '-o', 'beginning', '-e'], { timeoutMs: 30_000 });
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter((l) => l !== '');
}

test('etcd killed for 10 s: produce and fetch to existing partitions keep working; afterwards the same brokers, the same controller, and topic creation works', async () => {
  const topic = uniqueTopic('outage');
  const created = await run(['topics', 'create', topic, '-p', '4', '-r', '1', '-b', bootstrap()]);
  assert.equal(created.code, 0, created.stderr);
  await eventually(async () => (await states(topic)).length === 4);
  for (let p = 0; p < 4; p++) await produce(topic, p, [`before-${p}`]);
  const registrations = new Map((await store.range('brokers/')).map((kv) => [kv.key, kv.version]));
  const ctl = await controllerId();

  await etcd.kill9();
  const outageStart = Date.now();
  let round = 0;
  let lastRoundStartMs = 0;
  while (Date.now() - outageStart < 10_000) {
    lastRoundStartMs = Date.now() - outageStart;
    const p = round % 4;
    await produce(topic, p, [`during-${round}`]);
    assert.ok((await consume(topic, p)).includes(`during-${round}`), `round ${round}: fetched what was just produced`);
    round++;
  }
  const outageMs = Date.now() - outageStart;
  await etcd.restart();
  console.log(`etcd outage: ${round} produce+fetch rounds succeeded in ${outageMs} ms, the last one started ${lastRoundStartMs} ms in`);
  assert.ok(lastRoundStartMs > 2 * TTL_MS, 'produce and fetch still worked when every lease would long have expired');

  const next = uniqueTopic('after-outage');
  await eventually(async () => (await run(['topics', 'create', next, '-p', '2', '-b', bootstrap()], { timeoutMs: 20_000 })).code === 0, { timeoutMs: 20_000 });
  await eventually(async () => (await states(next)).length === 2);
  assert.equal(await controllerId(), ctl, 'still the same controller');
  const after = new Map((await store.range('brokers/')).map((kv) => [kv.key, kv.version]));
  assert.deepEqual(after, registrations, 'every broker kept its registration (its lease was refreshed, not lost)');
  for (const [id, b] of brokers) assert.doesNotMatch(b.output(), /registration lost/, `broker ${id} never fenced itself`);
  await produce(next, 0, ['x']);
  for (let p = 0; p < 4; p++) assert.equal((await consume(topic, p))[0], `before-${p}`);
});

test('kill -9 of the controller: another broker is controller within about the lease TTL', async () => {
  const ctl = await controllerId();
  const killedAt = Date.now();
  await kill9(ctl);
  const next = (await eventually(async () => {
    const c = await ControllerElection.current(store);
    return c && c.brokerId !== ctl ? c.brokerId : null;
  }, { timeoutMs: 3 * TTL_MS, intervalMs: 20 }))!;
  const failoverMs = Date.now() - killedAt;
  console.log(`controller failover: broker ${ctl} killed, broker ${next} controller after ${failoverMs} ms (lease TTL ${TTL_MS} ms)`);
  assert.ok(brokers.has(next));
  // The new controller serves admin requests.
  const topic = uniqueTopic('newctl');
  const created = await run(['topics', 'create', topic, '-p', '1', '-b', bootstrap()]);
  assert.equal(created.code, 0, created.stderr);
  await start(ctl);
  await eventually(async () => (await store.get(`brokers/${ctl}`)) !== null);
});

test('kill -9 of a broker: its partitions get leaders from the ISR with a bigger epoch; after the restore delay its replicas move to the 4th broker', async () => {
  const topic = uniqueTopic('rf3');
  const created = await run(['topics', 'create', topic, '-p', '4', '-r', '3', '-b', bootstrap()]);
  assert.equal(created.code, 0, created.stderr);
  await eventually(async () => (await states(topic)).length === 4);
  const ctl = await controllerId();
  const before = await states(topic);
  const record = await topicRecord(topic);
  for (let p = 0; p < 4; p++) await produce(topic, p, [`r${p}-a`, `r${p}-b`]);
  const victim = IDS.find((id) => id !== ctl && before.some((s) => s.leader === id))!;
  const killedAt = Date.now();
  await kill9(victim);

  const moved = (await eventually(async () => {
    const s = await states(topic);
    return s.every((x) => x.leader !== victim && !x.isr.includes(victim)) ? s : null;
  }, { timeoutMs: 3 * TTL_MS }))!;
  console.log(`leader failover: broker ${victim} killed, its partitions led elsewhere after ${Date.now() - killedAt} ms`);
  before.forEach((b, p) => {
    if (b.leader !== victim) return;
    assert.ok(b.isr.includes(moved[p].leader), `partition ${p}: new leader ${moved[p].leader} came from the ISR ${b.isr}`);
    assert.ok(moved[p].leaderEpoch > b.leaderEpoch, `partition ${p}: leader epoch ${b.leaderEpoch} -> ${moved[p].leaderEpoch}`);
    assert.equal(moved[p].leader, record.replicas[p].find((id) => id !== victim), 'the next replica in preferred order');
  });
  // The controller logs after its write reaches etcd, so its line may arrive a moment after the states.
  await brokers.get(ctl)!.waitForOutput(new RegExp(`partition leader elected topic=${topic} partition=\\d+ from=${victim} to=\\d+ leaderEpoch=\\d+`));
  // Nothing acknowledged is lost (acks=all to replication factor 3).
  for (let p = 0; p < 4; p++) assert.deepEqual((await consume(topic, p)).slice(0, 2), [`r${p}-a`, `r${p}-b`]);

  // Replica restore: every partition that had the victim gets the one broker it lacked, and loses the
  // victim once that broker is in its ISR (its follower fetches from the leader and catches up).
  const withVictim = record.replicas.flatMap((l, p) => (l.includes(victim) ? [p] : []));
  assert.ok(withVictim.length > 0);
  let seen = '';
  const restored = (await eventually(async () => {
    const r = await topicRecord(topic);
    const s = await states(topic);
    const pending = await store.range(`reassignments/${topic}/`);
    seen = `replicas ${JSON.stringify(r.replicas)} states ${JSON.stringify(s)} reassignments ${pending.map((kv) => kv.value).join(' ')}`;
    const done = r.replicas.every((l, p) => l.length === 3 && !l.includes(victim) && [...l].sort().join() === [...s[p].isr].sort().join());
    return done && pending.length === 0 ? r : null;
  }, { timeoutMs: 30_000 }).catch(() => assert.fail(`replica restore did not finish: ${seen}`)))!;
  console.log(`replica restore: broker ${victim} gone, its replicas recreated and in the ISR after ${Date.now() - killedAt} ms`);
  for (const p of withVictim) {
    const spare = IDS.find((id) => !record.replicas[p].includes(id))!;
    assert.deepEqual(restored.replicas[p], record.replicas[p].map((id) => (id === victim ? spare : id)), `partition ${p}: replaced in place`);
  }
  const ctlNow = await controllerId();
  const restoreLogged = (): boolean => new RegExp(`replica restore finished topic=${topic}`).test(brokers.get(ctlNow)!.output());
  await eventually(restoreLogged, { timeoutMs: 5000 }).catch(() => undefined);
  const ctlOut = brokers.get(ctlNow)!.output();
  assert.match(ctlOut, new RegExp(`replica restore started topic=${topic}`));
  assert.match(ctlOut, new RegExp(`replica restore finished topic=${topic}`));
  for (let p = 0; p < 4; p++) assert.deepEqual((await consume(topic, p)).slice(0, 2), [`r${p}-a`, `r${p}-b`]);
  // What a user sees: `mq topics describe` shows every partition at full replication, without the victim.
  const described = await run(['topics', 'describe', topic, '--json', '-b', bootstrap()]);
  assert.equal(described.code, 0, described.stderr);
  for (const p of (JSON.parse(described.stdout) as { partitions: { replicas: number[]; isr: number[] }[] }).partitions) {
    assert.equal(p.replicas.length, 3);
    assert.deepEqual([...p.isr].sort(), [...p.replicas].sort());
    assert.ok(!p.replicas.includes(victim));
  }

  // The victim comes back: it is not listed anywhere, and its stale folders go.
  await start(victim);
  await eventually(async () => {
    const entries = await readdir(`${dir.path}/b${victim}`);
    return !entries.some((e) => e.startsWith(`${topic}-`) && !e.endsWith('.topic-id'));
  }, { timeoutMs: 15_000 });
});

test('SIGTERM of the controller: it moves its own leaderships away (logged by itself) before it resigns', async () => {
  const topic = uniqueTopic('cs');
  const ctl = await controllerId();
  // Every partition has the controller as preferred leader.
  const others = IDS.filter((id) => id !== ctl);
  const s0 = await WireSocket.connect(brokers.get(ctl)!.port);
  try {
    const res = await s0.request(ApiKey.CreateTopics, 1, {
      topics: [{
        name: topic, numPartitions: -1, replicationFactor: -1, configs: [],
        assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [ctl, others[p % 3], others[(p + 1) % 3]] })),
      }],
      timeoutMs: 5000, validateOnly: false,
    });
    assert.equal(res.topics[0].errorCode, 0);
  } finally {
    s0.close();
  }
  await eventually(async () => (await states(topic)).length === 3);
  const led = (await states(topic)).flatMap((s, p) => (s.leader === ctl ? [p] : []));
  assert.deepEqual(led, [0, 1, 2]);
  const stopping = brokers.get(ctl)!;
  const code = await stopping.stop();
  brokers.delete(ctl);
  assert.equal(code, 0, stopping.output());
  const out = stopping.output();
  const s = await states(topic);
  for (const p of led) {
    assert.notEqual(s[p].leader, ctl);
    assert.match(out, new RegExp(`partition leader elected topic=${topic} partition=${p} from=${ctl} to=${s[p].leader} .*reason="leader ${ctl} shutting-down"`));
  }
  // ... all before it gave up control.
  const lastMove = Math.max(...[...out.matchAll(new RegExp(`partition leader elected topic=${topic} `, 'g'))].map((m) => m.index!));
  const resigned = out.search(/no longer controller .*reason=resigned/);
  assert.ok(resigned > lastMove, `moves logged before resigning:\n${out.slice(lastMove - 2000)}`);
  const next = await eventually(async () => { const c = await controllerId(); return c !== ctl ? c : null; });
  assert.ok(brokers.has(next!));
});
