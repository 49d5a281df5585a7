// The controller loop on the embedded LocalStore (the same MetadataStore contract as etcd), with each
// "broker" being the real BrokerRegistry + MetadataCache + ControllerElection + Controller in one process:
// a gone leader is replaced from the ISR with a bigger leader epoch (many partitions, batched), a
// controlled shutdown of the controller itself moves its leaderships before it resigns, a restarted
// broker is treated as gone, and a broker gone past replica.restore.delay.ms gets its replicas
// re-created and is dropped once the new replica is in the ISR.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BrokerRegistry } from '../../../src/cluster/broker-registry.js';
import { Controller } from '../../../src/cluster/controller.js';
import { ControllerElection } from '../../../src/cluster/controller-election.js';
import { LocalStore } from '../../../src/cluster/local-store.js';
import { MetadataCache } from '../../../src/cluster/metadata-cache.js';
import type { MetadataStore } from '../../../src/cluster/metadata-store.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../../src/config/config.js';
import type { PartitionState, TopicRecord } from '../../../src/cluster/topic-records.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/mq-process.js';

interface Node {
  id: number;
  registry: BrokerRegistry;
  cache: MetadataCache;
  election: ControllerElection;
  controller: Controller;
  lines: string[];
  stop(opts?: { deregister?: boolean }): Promise<void>;
}

async function startNode(store: MetadataStore, id: number, overrides: Partial<BrokerConfig> = {}): Promise<Node> {
  const lines: string[] = [];
  const logger = createLogger('info', (l) => lines.push(l));
  const config: BrokerConfig = { ...defaultBrokerConfig(), nodeId: id, ...overrides };
  const cache = new MetadataCache(store, logger);
  await cache.start();
  const registry = new BrokerRegistry(store, { brokerId: id, host: '127.0.0.1', port: 9000 + id, adminPort: null, rack: null, startTimeMs: Date.now() }, { ttlSeconds: 1, logger });
  await registry.register();
  const election = new ControllerElection(store, registry, id, { logger });
  const controller = new Controller(config, store, election, cache, logger);
  election.start();
  let stopped = false;
  return {
    id, registry, cache, election, controller, lines,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      await election.close();
      await registry.close(opts);
      await cache.close();
    },
  };
}

async function cluster(t: { after(fn: () => Promise<void>): void }, ids: number[], overrides: Partial<BrokerConfig> = {}): Promise<{ store: LocalStore; nodes: Map<number, Node>; controller(): Promise<Node> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-controller-loop-'));
  const store = await LocalStore.open(dir);
  const nodes = new Map<number, Node>();
  t.after(async () => {
    for (const n of nodes.values()) await n.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  for (const id of ids) nodes.set(id, await startNode(store, id, overrides));
  const controller = async (): Promise<Node> => (await eventually(() => [...nodes.values()].find((n) => n.election.isController) ?? null))!;
  return { store, nodes, controller };
}

async function states(store: MetadataStore, topic: string): Promise<PartitionState[]> {
  return (await store.range(`partitions/${topic}/`)).sort((a, b) => Number(a.key.split('/')[2]) - Number(b.key.split('/')[2])).map((kv) => JSON.parse(kv.value) as PartitionState);
}

async function record(store: MetadataStore, topic: string): Promise<TopicRecord> {
  return JSON.parse((await store.get(`topics/${topic}`))!.value) as TopicRecord;
}

test('replication factor 3 topics start with leader = first replica, epoch 0, every replica in the ISR', async (t) => {
  const { store, controller } = await cluster(t, [1, 2, 3]);
  const ctl = await controller();
  await ctl.controller.createTopic({ name: 'rf3', numPartitions: 3, replicationFactor: 3, assignments: [], configs: {}, validateOnly: false });
  const rec = await record(store, 'rf3');
  const st = await states(store, 'rf3');
  rec.replicas.forEach((replicas, p) => {
    assert.equal(new Set(replicas).size, 3);
    assert.deepEqual(st[p], { leader: replicas[0], leaderEpoch: 0, isr: replicas });
  });
  await assert.rejects(ctl.controller.createTopic({ name: 'rf4', numPartitions: 1, replicationFactor: 4, assignments: [], configs: {}, validateOnly: false }), /larger than the 3 live brokers/);
  await assert.rejects(ctl.controller.createTopic({ name: 'dup', numPartitions: -1, replicationFactor: -1, assignments: [[1, 1]], configs: {}, validateOnly: false }), /listed twice/);
});

test('a gone broker: its 120 led partitions get the next ISR replica as leader with epoch + 1, and it leaves every ISR', async (t) => {
  const { store, nodes, controller } = await cluster(t, [1, 2, 3]);
  const ctl = await controller();
  await ctl.controller.createTopic({ name: 'many', numPartitions: 180, replicationFactor: 2, assignments: [], configs: {}, validateOnly: false });
  const victim = [1, 2, 3].find((id) => id !== ctl.id)!;
  const before = await states(store, 'many');
  const rec = await record(store, 'many');
  const led = before.filter((s) => s.leader === victim).length;
  assert.equal(led, 60);
  await nodes.get(victim)!.stop({ deregister: true });
  nodes.delete(victim);
  const after = (await eventually(async () => {
    const s = await states(store, 'many');
    return s.every((x) => !x.isr.includes(victim)) ? s : null;
  }))!;
  after.forEach((s, p) => {
    const b = before[p];
    if (b.leader === victim) {
      const next = rec.replicas[p].find((id) => id !== victim)!;
      assert.deepEqual(s, { leader: next, leaderEpoch: 1, isr: [next] }, `partition ${p}`);
    } else {
      assert.equal(s.leader, b.leader);
      assert.equal(s.leaderEpoch, 0, 'an ISR shrink does not bump the leader epoch');
    }
  });
  const elections = (await eventually(() => {
    const l = ctl.lines.filter((x) => /partition leader elected topic=many/.test(x));
    return l.length >= led ? l : null;
  }))!;
  assert.equal(elections.length, led);
  assert.match(elections[0], new RegExp(`from=${victim} to=\\d leaderEpoch=1 .*reason="leader ${victim} absent"`));
});

test('a broker that restarts (re-registers with a newer epoch) is gone for the states written before: leadership moves', async (t) => {
  const { store, nodes, controller } = await cluster(t, [1, 2, 3]);
  const ctl = await controller();
  const other = [1, 2, 3].find((id) => id !== ctl.id)!;
  await ctl.controller.createTopic({ name: 'rs', numPartitions: -1, replicationFactor: -1, assignments: [[other, ctl.id]], configs: {}, validateOnly: false });
  // A "kill -9 and restart" faster than the lease: the new run takes its old key over at once.
  const old = nodes.get(other)!;
  const leaseId = old.registry.leaseId!;
  await old.election.close();
  await old.cache.close();
  const fresh = new BrokerRegistry(store, { brokerId: other, host: '127.0.0.1', port: 1, adminPort: null, rack: null, startTimeMs: Date.now() }, { ttlSeconds: 1, previousLeaseId: leaseId });
  await fresh.register();
  t.after(() => fresh.close());
  const s = (await eventually(async () => { const x = (await states(store, 'rs'))[0]; return x.leader === ctl.id ? x : null; }))!;
  assert.deepEqual(s, { leader: ctl.id, leaderEpoch: 1, isr: [ctl.id] });
  await eventually(() => ctl.lines.some((l) => new RegExp(`reason="leader ${other} restarted"`).test(l)));
  await old.registry.close({ deregister: false });
});

test('controlled shutdown of the controller: it moves its own leaderships away before resigning', async (t) => {
  const { store, nodes, controller } = await cluster(t, [1, 2, 3]);
  const ctl = await controller();
  await ctl.controller.createTopic({ name: 'cs', numPartitions: 6, replicationFactor: 3, assignments: [], configs: {}, validateOnly: false });
  assert.ok((await states(store, 'cs')).some((s) => s.leader === ctl.id));
  await ctl.registry.announceShutdown();
  assert.equal(ctl.registry.registered, true, 'announcing does not cost the registration');
  assert.equal(JSON.parse((await store.get(`brokers/${ctl.id}`))!.value).shuttingDown, true);
  // What the broker's close() does: wait until its cache shows it leads nothing, then resign.
  await eventually(() => [...ctl.cache.partitions.values()].every((s) => s.leader !== ctl.id && !s.isr.includes(ctl.id)));
  assert.ok(ctl.election.isController, 'the moves were made by the shutting-down controller itself');
  await eventually(() => ctl.lines.some((l) => new RegExp(`partition leader elected topic=cs .*from=${ctl.id} .*reason="leader ${ctl.id} shutting-down"`).test(l)));
  for (const s of await states(store, 'cs')) assert.notEqual(s.leader, ctl.id);
  await ctl.stop();
  nodes.delete(ctl.id);
  const next = await controller();
  assert.notEqual(next.id, ctl.id);
  // New topics avoid a shutting-down broker; nothing more to move.
});

test('a new topic is not placed on a shutting-down broker', async (t) => {
  const { store, nodes, controller } = await cluster(t, [1, 2, 3]);
  const ctl = await controller();
  const leaving = [1, 2, 3].find((id) => id !== ctl.id)!;
  await nodes.get(leaving)!.registry.announceShutdown();
  await eventually(() => ctl.cache.brokers.get(leaving)?.shuttingDown === true);
  await ctl.controller.createTopic({ name: 'np', numPartitions: 4, replicationFactor: 2, assignments: [], configs: {}, validateOnly: false });
  for (const list of (await record(store, 'np')).replicas) assert.ok(!list.includes(leaving), `${list}`);
});

test('replica restore: a broker gone past the delay is replaced on the 4th broker, and dropped once the new replica is in the ISR', async (t) => {
  const { store, nodes, controller } = await cluster(t, [1, 2, 3, 4], { replicaRestoreDelayMs: 300 });
  const ctl = await controller();
  const victim = [1, 2, 3, 4].find((id) => id !== ctl.id)!;
  const spare = [1, 2, 3, 4].find((id) => id !== ctl.id && id !== victim)!;
  const third = [1, 2, 3, 4].find((id) => id !== ctl.id && id !== victim && id !== spare)!;
  await ctl.controller.createTopic({ name: 'rr', numPartitions: -1, replicationFactor: -1, assignments: [[victim, ctl.id, third]], configs: {}, validateOnly: false });
  const goneAt = Date.now();
  await nodes.get(victim)!.stop({ deregister: true });
  nodes.delete(victim);
  const started = (await eventually(async () => { const r = await record(store, 'rr'); return r.replicas[0].length === 4 ? r : null; }, { timeoutMs: 5000 }))!;
  assert.ok(Date.now() - goneAt >= 300, 'not before replica.restore.delay.ms');
  assert.deepEqual(started.replicas[0], [victim, ctl.id, third, spare]);
  assert.deepEqual(JSON.parse((await store.get('reassignments/rr/0'))!.value), { target: [spare, ctl.id, third], adding: [spare], removing: [victim] });
  // The leader (elected from the ISR meanwhile) adds the new replica once it has caught up.
  const kv = (await store.get('partitions/rr/0'))!;
  const st = JSON.parse(kv.value) as PartitionState;
  assert.equal(st.leader, ctl.id);
  assert.deepEqual((await record(store, 'rr')).replicas[0].length, 4, 'the gone replica stays until the new one is in sync');
  // Partitions added meanwhile get the topic's replication factor, not the longer list of the restore.
  await ctl.controller.addPartitions('rr', 2, null, false);
  assert.equal((await record(store, 'rr')).replicas[1].length, 3);
  assert.ok(await store.txn([{ key: 'partitions/rr/0', version: kv.version }], [{ put: { key: 'partitions/rr/0', value: JSON.stringify({ ...st, isr: [...st.isr, spare] }) } }]));
  const done = (await eventually(async () => { const r = await record(store, 'rr'); return r.replicas[0].length === 3 ? r : null; }))!;
  assert.deepEqual(done.replicas[0], [spare, ctl.id, third]);
  assert.equal(await store.get('reassignments/rr/0'), null);
  const final = (await states(store, 'rr'))[0];
  assert.ok(!final.isr.includes(victim));
  assert.ok(ctl.lines.some((l) => /replica restore started topic=rr partition=0/.test(l)));
  await eventually(() => ctl.lines.some((l) => /replica restore finished topic=rr partition=0/.test(l)));
});
