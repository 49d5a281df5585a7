// The coordinator around the state machine, on a real LocalStore in a temp dir and a fake clock:
// NOT_COORDINATOR for groups another broker owns, session expiry through tick(), offsets coalesced
// into few store transactions, and closed coordinators refusing work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/cluster/local-store.js';
import type { MetadataStore } from '../../../src/cluster/metadata-store.js';
import { coordinatorFor } from '../../../src/group/coordinator-choice.js';
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../../src/group/group-coordinator.js';
import { offsetKey } from '../../../src/group/offset-store.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/mq-process.js';

type Ctx = { after(fn: () => unknown): void };

async function setup(t: Ctx, over: Partial<GroupCoordinatorOptions> = {}, wrap?: (s: MetadataStore) => MetadataStore) {
  const dir = await mkdtemp(join(tmpdir(), 'mq-group-'));
  const store = await LocalStore.open(dir);
  t.after(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  const clock = { t: 1_000_000, now() { return this.t; } };
  const c = await GroupCoordinator.open({
    nodeId: 0, store: wrap ? wrap(store) : store, logger: silentLogger, clock, tickIntervalMs: 0,
    initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, ...over,
  });
  t.after(() => c.close());
  return { c, clock, store };
}

const origin = { clientId: 'unit', clientHost: '/127.0.0.1' };
const joinReq = (groupId: string, memberId = '') => ({
  groupId, sessionTimeoutMs: 5000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
});
const commitReq = (groupId: string, offsets: [string, number, bigint][], generationId = -1, memberId = '') => ({
  groupId, generationId, memberId, retentionTimeMs: -1n,
  topics: [...new Set(offsets.map(([t]) => t))].map((name) => ({
    name,
    partitions: offsets.filter(([t]) => t === name).map(([, p, o]) => ({ partitionIndex: p, committedOffset: o, committedMetadata: null })),
  })),
});

test('groups hashed to another broker answer NOT_COORDINATOR and are not listed', async (t) => {
  const { c } = await setup(t, { liveBrokerIds: () => [0, 1, 2] });
  const theirs = Array.from({ length: 50 }, (_v, i) => `g${i}`).find((g) => coordinatorFor(g, [0, 1, 2]) !== 0)!;
  const ours = Array.from({ length: 50 }, (_v, i) => `g${i}`).find((g) => coordinatorFor(g, [0, 1, 2]) === 0)!;
  assert.equal(c.coordinatorId(theirs), coordinatorFor(theirs, [0, 1, 2]));
  assert.equal((await c.joinGroup(joinReq(theirs), 3, origin)).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(c.heartbeat({ groupId: theirs, memberId: 'm', groupInstanceId: null, generationId: 1 }), ErrorCode.NOT_COORDINATOR);
  assert.equal((await c.commitOffsets(commitReq(theirs, [['t', 0, 1n]]))).topics[0].partitions[0].errorCode, ErrorCode.NOT_COORDINATOR);
  const fetched = c.fetchOffsets({ groupId: theirs, topics: [{ name: 't', partitionIndexes: [0] }] });
  assert.deepEqual([fetched.errorCode, fetched.topics[0].partitions[0].errorCode], [ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR]);
  assert.equal(c.describeGroups([theirs]).groups[0].errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal((await c.deleteGroups([theirs])).results[0].errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal((await c.commitOffsets(commitReq(ours, [['t', 0, 1n]]))).topics[0].partitions[0].errorCode, 0);
  assert.deepEqual(c.listGroups().groups.map((g) => g.groupId), [ours]);
});

test('tick() on the injected clock expires a silent member and empties the group', async (t) => {
  const { c, clock } = await setup(t);
  const j = await c.joinGroup(joinReq('g'), 3, origin);
  assert.equal(j.errorCode, 0);
  await c.syncGroup({ groupId: 'g', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [] });
  clock.t += 4999;
  c.tick();
  assert.equal(c.describeGroups(['g']).groups[0].groupState, 'Stable');
  clock.t += 1;
  c.tick();
  // No members and no offsets: the group is forgotten.
  assert.equal(c.describeGroups(['g']).groups[0].groupState, 'Dead');
  assert.equal(c.heartbeat({ groupId: 'g', memberId: j.memberId, groupInstanceId: null, generationId: j.generationId }), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('commits arriving together share store transactions and all become visible', async (t) => {
  let txns = 0;
  const { c } = await setup(t, {}, (s) => new Proxy(s, {
    get(target, prop, receiver) {
      if (prop === 'txn') return (...a: Parameters<MetadataStore['txn']>) => { txns++; return target.txn(...a); };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }));
  const answers = await Promise.all(Array.from({ length: 100 }, (_v, i) => c.commitOffsets(commitReq(`g${i}`, [['t', 0, BigInt(i)], ['t', 1, BigInt(i + 1)]]))));
  for (const a of answers) assert.deepEqual(a.topics[0].partitions.map((p) => p.errorCode), [0, 0]);
  assert.ok(txns < 10, `100 commits took ${txns} store transactions`);
  for (let i = 0; i < 100; i += 33) {
    assert.deepEqual(c.fetchOffsets({ groupId: `g${i}`, topics: null }).topics[0].partitions.map((p) => p.committedOffset), [BigInt(i), BigInt(i + 1)]);
  }
});

test('after close() requests get NOT_COORDINATOR and pending offset writes are on disk', async (t) => {
  const { c, store } = await setup(t);
  const pending = c.commitOffsets(commitReq('g', [['t', 3, 99n]]));
  await c.close();
  assert.equal((await pending).topics[0].partitions[0].errorCode, 0);
  assert.ok(await store.get('groups/g/offsets/t/3'));
  assert.deepEqual(JSON.parse((await store.get('groups/g/offsets/t/3'))!.value).offset, 99);
  assert.equal((await c.joinGroup(joinReq('g'), 3, origin)).errorCode, ErrorCode.NOT_COORDINATOR);
});

test('deleting a topic forgets its committed offsets in every group', async (t) => {
  const { c, store } = await setup(t);
  await c.commitOffsets(commitReq('g1', [['gone', 0, 5n], ['kept', 0, 7n]]));
  await c.commitOffsets(commitReq('g2', [['gone', 1, 9n]]));
  await c.deleteTopicOffsets('gone');
  assert.deepEqual(c.fetchOffsets({ groupId: 'g1', topics: null }).topics.map((x) => x.name), ['kept']);
  assert.deepEqual(c.listGroups().groups.map((g) => g.groupId), ['g1'], 'g2 held nothing else and is gone');
  assert.equal(await store.get('groups/g2/offsets/gone/1'), null);
  assert.ok(await store.get('groups/g1/offsets/kept/0'));
});

test('cluster mode: a broker that becomes a group\'s coordinator serves the offsets the previous one committed after this broker started', async (t) => {
  let live = [0, 1];
  const { c: c0, store, clock } = await setup(t, { nodeId: 0, liveBrokerIds: () => live });
  const c1 = await GroupCoordinator.open({
    nodeId: 1, store, logger: silentLogger, clock, tickIntervalMs: 0, liveBrokerIds: () => live,
    initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000,
  });
  t.after(() => c1.close());
  const groupId = Array.from({ length: 50 }, (_v, i) => `g${i}`).find((g) => coordinatorFor(g, [0, 1]) === 0)!;
  const fetched = (c: GroupCoordinator) => c.fetchOffsets({ groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }] }).topics[0].partitions.map((p) => p.committedOffset);

  assert.equal((await c0.commitOffsets(commitReq(groupId, [['t', 0, 42n], ['t', 1, 7n]]))).topics[0].partitions[0].errorCode, 0);
  clock.t += 10;
  assert.equal((await c0.commitOffsets(commitReq(groupId, [['t', 0, 43n]]))).topics[0].partitions[0].errorCode, 0);
  live = [1]; // broker 0 died: broker 1 coordinates the group now
  await eventually(() => fetched(c1)[0] === 43n, { timeoutMs: 5000, intervalMs: 10 });
  assert.deepEqual(fetched(c1), [43n, 7n]);
  assert.deepEqual(c1.listGroups().groups.map((g) => g.groupId), [groupId]);

  // The new coordinator's own commits are not undone by the store echoing them (or older ones) back.
  for (let i = 0; i < 20; i++) {
    clock.t += 1;
    assert.equal((await c1.commitOffsets(commitReq(groupId, [['t', 0, BigInt(100 + i)]]))).topics[0].partitions[0].errorCode, 0);
  }
  await settle();
  assert.deepEqual(fetched(c1), [119n, 7n]);

  // Deleted by its coordinator (DeleteGroups): the other brokers forget the offsets too.
  live = [0, 1];
  await settle();
  assert.deepEqual(c0.fetchOffsets({ groupId, topics: null }).topics[0].partitions.map((p) => p.committedOffset), [119n, 7n], 'broker 0 followed broker 1\'s commits');
  assert.deepEqual((await c0.deleteGroups([groupId])).results[0].errorCode, 0);
  assert.equal(await store.get(offsetKey(groupId, 't', 0)), null);
  await settle();
  live = [1];
  assert.deepEqual(fetched(c1), [-1n, -1n]);
});

/** Lets the store's watch deliver what it has (LocalStore delivers within a few turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

test('cluster mode: when the store ends the watch on commits, the broker reads them again and follows a new watch', async (t) => {
  let watches = 0;
  // The first watch fails at once, as etcd does when the history was compacted under it.
  const failingFirstWatch = (s: MetadataStore): MetadataStore => Object.assign(Object.create(s) as MetadataStore, {
    watch(prefix: string, signal: AbortSignal) {
      watches += 1;
      if (watches > 1) return s.watch(prefix, signal);
      return (async function* failed() { throw new Error('watch compacted'); })();
    },
  });
  let live = [0, 1];
  const { c: c0, store, clock } = await setup(t, { nodeId: 0, liveBrokerIds: () => live }, failingFirstWatch);
  const groupId = Array.from({ length: 50 }, (_v, i) => `g${i}`).find((g) => coordinatorFor(g, [0, 1]) === 1)!;
  // Broker 1 coordinates the group and commits; broker 0 (whose first watch failed) must still learn of it.
  const c1 = await GroupCoordinator.open({
    nodeId: 1, store, logger: silentLogger, clock, tickIntervalMs: 0, liveBrokerIds: () => live,
    initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000,
  });
  t.after(() => c1.close());
  assert.equal((await c1.commitOffsets(commitReq(groupId, [['t', 0, 5n]]))).topics[0].partitions[0].errorCode, 0);
  clock.t += 10;
  await eventually(() => watches === 2, { timeoutMs: 5000, intervalMs: 10 });
  assert.equal((await c1.commitOffsets(commitReq(groupId, [['t', 0, 6n]]))).topics[0].partitions[0].errorCode, 0);
  await settle();
  live = [0]; // broker 1 died: broker 0 answers for the group now
  const atBroker0 = () => c0.fetchOffsets({ groupId, topics: null }).topics[0]?.partitions[0]?.committedOffset;
  await eventually(() => atBroker0() === 6n, { timeoutMs: 5000, intervalMs: 10 });
});

test('OffsetDelete: unknown group, a partition of a subscribed topic refused, others deleted from the store, the group forgotten when empty', async (t) => {
  const { c, store } = await setup(t);
  const none = await c.deleteOffsets({ groupId: 'nobody', topics: [{ name: 'a', partitions: [{ partitionIndex: 0 }] }] });
  assert.deepEqual([none.errorCode, none.topics], [ErrorCode.GROUP_ID_NOT_FOUND, []]);
  await c.commitOffsets(commitReq('g', [['a', 0, 5n], ['a', 1, 6n], ['b', 0, 7n]]));
  // A live member subscribed to topic a (consumer-protocol subscription v0: version, topics, user data).
  const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x61, 0xff, 0xff, 0xff, 0xff]);
  const joined = await c.joinGroup({ ...joinReq('g'), protocols: [{ name: 'range', metadata: subscription }] }, 3, origin);
  assert.equal(joined.errorCode, 0);
  assert.deepEqual(c.listGroups(['CompletingRebalance']).groups.map((g) => [g.groupId, g.groupState]), [['g', 'CompletingRebalance']]);
  assert.deepEqual(c.listGroups(['Empty']).groups, []);
  const res = await c.deleteOffsets({ groupId: 'g', topics: [{ name: 'a', partitions: [{ partitionIndex: 0 }] }, { name: 'b', partitions: [{ partitionIndex: 0 }] }] });
  assert.equal(res.errorCode, 0);
  assert.deepEqual(res.topics.map((x) => [x.name, x.partitions.map((p) => p.errorCode)]), [['a', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]], ['b', [0]]]);
  const fetched = c.fetchOffsets({ groupId: 'g', topics: [{ name: 'a', partitionIndexes: [0] }, { name: 'b', partitionIndexes: [0] }] });
  assert.deepEqual(fetched.topics.map((x) => x.partitions[0].committedOffset), [5n, -1n]);
  assert.equal(await store.get(offsetKey('g', 'b', 0)), null, 'gone from the store');
  assert.equal(c.leaveGroup({ groupId: 'g', memberId: joined.memberId }), 0);
  const rest = await c.deleteOffsets({ groupId: 'g', topics: [{ name: 'a', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }] });
  assert.deepEqual(rest.topics[0].partitions.map((p) => p.errorCode), [0, 0]);
  assert.deepEqual(c.listGroups().groups, [], 'no members and no offsets: forgotten');
});
