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
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { silentLogger } from '../../../src/util/logger.js';

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
