// The group coordinator behind the wire, in an in-process broker: a parked JoinGroup holds only its
// own connection, shutdown answers it at once, committed offsets survive a restart, and the error
// codes clients rely on (NOT_COORDINATOR aside, which needs a second broker).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/config.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';
import { defer } from '../helpers/in-process-broker.js';

type Ctx = TestContext;

async function broker(t: Ctx, dir: string, over: Partial<BrokerConfig> = {}): Promise<Broker> {
  const b = await startBroker({
    ...defaultBrokerConfig(), dataDir: dir, listen: { host: '127.0.0.1', port: 0 },
    groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000, ...over,
  }, { logger: silentLogger });
  defer(t, async () => b.close());
  return b;
}

async function connect(t: Ctx, b: Broker): Promise<WireSocket> {
  const s = await WireSocket.connect(b.port);
  defer(t, async () => s.close());
  return s;
}

const join = (groupId: string, memberId = '', over: Record<string, unknown> = {}) => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }], ...over,
});

async function createTopic(s: WireSocket, name: string, numPartitions: number): Promise<void> {
  const r = await s.request(ApiKey.CreateTopics, 4, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  assert.equal(r.topics[0].errorCode, 0);
}

test('FindCoordinator names this broker; a v5 join goes through MEMBER_ID_REQUIRED, sync and heartbeat', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const b = await broker(t, d.path);
  const s = await connect(t, b);
  for (const v of [0, 1, 2]) {
    const fc = await s.request(ApiKey.FindCoordinator, v, { key: 'g1', keyType: 0 });
    assert.deepEqual([fc.errorCode, fc.nodeId, fc.host, fc.port], [0, b.nodeId, '127.0.0.1', b.port]);
  }
  // Transactional ids have coordinators too (KeyType 1); an unknown key type is a bad request.
  const txn = await s.request(ApiKey.FindCoordinator, 1, { key: 'tx', keyType: 1 });
  assert.deepEqual([txn.errorCode, txn.nodeId, txn.port], [0, b.nodeId, b.port]);
  assert.equal((await s.request(ApiKey.FindCoordinator, 1, { key: 'tx', keyType: 7 })).errorCode, ErrorCode.INVALID_REQUEST);

  const first = await s.request(ApiKey.JoinGroup, 5, join('g1'));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^mq-test-[0-9a-f-]{36}$/);
  const joined = await s.request(ApiKey.JoinGroup, 5, join('g1', first.memberId));
  assert.deepEqual([joined.errorCode, joined.generationId, joined.leader, joined.protocolName], [0, 1, first.memberId, 'range']);
  const synced = await s.request(ApiKey.SyncGroup, 3, {
    groupId: 'g1', generationId: 1, memberId: first.memberId, groupInstanceId: null,
    assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }],
  });
  assert.equal(synced.assignment.toString(), 'mine');
  assert.equal((await s.request(ApiKey.Heartbeat, 3, { groupId: 'g1', generationId: 1, memberId: first.memberId, groupInstanceId: null })).errorCode, 0);
  assert.equal((await s.request(ApiKey.Heartbeat, 0, { groupId: 'g1', generationId: 0, memberId: first.memberId, groupInstanceId: null })).errorCode, ErrorCode.ILLEGAL_GENERATION);

  const described = await s.request(ApiKey.DescribeGroups, 2, { groups: ['g1', 'nope'] });
  const [g1, nope] = described.groups;
  assert.deepEqual([g1.groupState, g1.protocolType, g1.protocolData, g1.members.length], ['Stable', 'consumer', 'range', 1]);
  assert.deepEqual([g1.members[0].clientId, g1.members[0].clientHost, g1.members[0].memberAssignment.toString()], ['mq-test', '/127.0.0.1', 'mine']);
  assert.deepEqual([nope.errorCode, nope.groupState, nope.members], [0, 'Dead', []]);

  assert.equal((await s.request(ApiKey.DeleteGroups, 1, { groupsNames: ['g1'] })).results[0].errorCode, ErrorCode.NON_EMPTY_GROUP);
  assert.equal((await s.request(ApiKey.LeaveGroup, 2, { groupId: 'g1', memberId: first.memberId })).errorCode, 0);
  assert.equal((await s.request(ApiKey.LeaveGroup, 2, { groupId: 'g1', memberId: first.memberId })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // No members and no offsets left: the group is gone.
  assert.deepEqual((await s.request(ApiKey.ListGroups, 2, {})).groups, []);
  assert.equal((await s.request(ApiKey.DeleteGroups, 0, { groupsNames: ['g1'] })).results[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('JoinGroup errors: session timeout bounds, empty group id, unknown member', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const b = await broker(t, d.path, { groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 60_000 });
  const s = await connect(t, b);
  assert.equal((await s.request(ApiKey.JoinGroup, 1, join('g', '', { sessionTimeoutMs: 5999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await s.request(ApiKey.JoinGroup, 1, join('g', '', { sessionTimeoutMs: 60_001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await s.request(ApiKey.JoinGroup, 1, join(''))).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await s.request(ApiKey.JoinGroup, 1, join('g', 'made-up'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await s.request(ApiKey.SyncGroup, 0, { groupId: 'g', generationId: 1, memberId: 'made-up', groupInstanceId: null, assignments: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // v0 has no rebalance timeout and admits a member without an id.
  const v0 = await s.request(ApiKey.JoinGroup, 0, join('g', '', { sessionTimeoutMs: 6000 }));
  assert.deepEqual([v0.errorCode, v0.generationId], [0, 1]);
});

test('a parked JoinGroup holds only its own connection, and broker shutdown answers it at once', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const b = await startBroker({
    ...defaultBrokerConfig(), dataDir: d.path, listen: { host: '127.0.0.1', port: 0 }, groupInitialRebalanceDelayMs: 60_000,
  }, { logger: silentLogger });
  let closed = false;
  defer(t, async () => (closed ? undefined : b.close()));
  const joiner = await connect(t, b);
  const other = await connect(t, b);
  const parked = joiner.request(ApiKey.JoinGroup, 3, join('slow', '', { rebalanceTimeoutMs: 120_000 }), 30_000);
  const listed = await other.request(ApiKey.ListGroups, 1, {});
  assert.deepEqual(listed.groups, [{ groupId: 'slow', protocolType: 'consumer', groupState: '' }]);
  // v4 (flexible headers and body): each group's state, and the states filter.
  const v4 = await other.request(ApiKey.ListGroups, 4, { statesFilter: [] });
  assert.deepEqual(v4.groups, [{ groupId: 'slow', protocolType: 'consumer', groupState: 'PreparingRebalance' }]);
  assert.deepEqual((await other.request(ApiKey.ListGroups, 4, { statesFilter: ['Stable', 'Empty'] })).groups, []);
  assert.equal((await other.request(ApiKey.ListGroups, 3, { statesFilter: [] })).groups[0].groupState, '', 'v3 has no state');
  const described = await other.request(ApiKey.DescribeGroups, 0, { groups: ['slow'] });
  assert.deepEqual([described.groups[0].groupState, described.groups[0].members.length], ['PreparingRebalance', 1]);
  assert.equal((await other.request(ApiKey.Heartbeat, 1, { groupId: 'slow', generationId: 0, memberId: 'x', groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const started = Date.now();
  await b.close();
  closed = true;
  const answer = await parked;
  assert.equal(answer.errorCode, ErrorCode.NOT_COORDINATOR);
  assert.ok(Date.now() - started < 3000, 'close did not wait for the rebalance');
});

test('committed offsets: standalone commits, per-partition errors, fetch all, survive a restart, deleted with the group', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  {
    const b = await startBroker({ ...defaultBrokerConfig(), dataDir: d.path, listen: { host: '127.0.0.1', port: 0 } }, { logger: silentLogger });
    const s = await WireSocket.connect(b.port);
    await createTopic(s, 'orders', 3);
    const commit = await s.request(ApiKey.OffsetCommit, 2, {
      groupId: 'g/with slash', generationId: -1, memberId: '', retentionTimeMs: -1n,
      topics: [
        { name: 'orders', partitions: [
          { partitionIndex: 0, committedOffset: 17n, committedMetadata: 'm0' },
          { partitionIndex: 2, committedOffset: 5n, committedMetadata: null },
          { partitionIndex: 9, committedOffset: 1n, committedMetadata: null },
          { partitionIndex: 1, committedOffset: 1n, committedMetadata: 'x'.repeat(4097) },
        ] },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] },
      ],
    });
    assert.deepEqual(commit.topics.map((x: any) => [x.name, x.partitions.map((p: any) => [p.partitionIndex, p.errorCode])]), [
      ['orders', [[0, 0], [2, 0], [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [1, ErrorCode.OFFSET_METADATA_TOO_LARGE]]],
      ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    // A member commit to a group that has no members is refused.
    const stale = await s.request(ApiKey.OffsetCommit, 5, {
      groupId: 'other', generationId: 3, memberId: 'm', retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    assert.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.deepEqual((await s.request(ApiKey.ListGroups, 0, {})).groups, [{ groupId: 'g/with slash', protocolType: '', groupState: '' }]);
    assert.deepEqual((await s.request(ApiKey.ListGroups, 4, { statesFilter: ['empty'] })).groups, [{ groupId: 'g/with slash', protocolType: '', groupState: 'Empty' }]);
    s.close();
    await b.close();
  }
  const b = await broker(t, d.path);
  const s = await connect(t, b);
  const v1 = await s.request(ApiKey.OffsetFetch, 1, { groupId: 'g/with slash', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }] });
  assert.deepEqual(v1.topics[0].partitions.map((p: any) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
    [[0, 17n, 'm0', 0], [1, -1n, '', 0], [2, 5n, '', 0]]);
  const all = await s.request(ApiKey.OffsetFetch, 4, { groupId: 'g/with slash', topics: null });
  assert.deepEqual(all.topics.map((x: any) => [x.name, x.partitions.map((p: any) => [p.partitionIndex, p.committedOffset])]), [['orders', [[0, 17n], [2, 5n]]]]);
  assert.equal(all.errorCode, 0);
  const unknown = await s.request(ApiKey.OffsetFetch, 3, { groupId: 'never', topics: [{ name: 'orders', partitionIndexes: [0] }] });
  assert.equal(unknown.topics[0].partitions[0].committedOffset, -1n);

  assert.equal((await s.request(ApiKey.DeleteGroups, 1, { groupsNames: ['g/with slash'] })).results[0].errorCode, 0);
  assert.deepEqual((await s.request(ApiKey.OffsetFetch, 4, { groupId: 'g/with slash', topics: null })).topics, []);
  await b.close();
  const again = await broker(t, d.path);
  const s2 = await connect(t, again);
  assert.deepEqual((await s2.request(ApiKey.OffsetFetch, 4, { groupId: 'g/with slash', topics: null })).topics, [], 'deleted offsets stay deleted');
});

test('member commits: current generation accepted, stale generation refused', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const b = await broker(t, d.path);
  const s = await connect(t, b);
  await createTopic(s, 't', 1);
  const j = await s.request(ApiKey.JoinGroup, 2, join('cg'));
  await s.request(ApiKey.SyncGroup, 1, { groupId: 'cg', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [] });
  const commit = (generationId: number) => s.request(ApiKey.OffsetCommit, 3, {
    groupId: 'cg', generationId, memberId: j.memberId, retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: null }] }],
  });
  assert.equal((await commit(j.generationId)).topics[0].partitions[0].errorCode, 0);
  assert.equal((await commit(j.generationId + 1)).topics[0].partitions[0].errorCode, ErrorCode.ILLEGAL_GENERATION);
  const standalone = await s.request(ApiKey.OffsetCommit, 3, {
    groupId: 'cg', generationId: -1, memberId: '', retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
  });
  assert.equal(standalone.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'no standalone commits while the group has members');
  const fetched = await s.request(ApiKey.OffsetFetch, 2, { groupId: 'cg', topics: [{ name: 't', partitionIndexes: [0] }] });
  assert.equal(fetched.topics[0].partitions[0].committedOffset, 42n);
});

test('DeleteTopics also removes the committed offsets of that topic', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const b = await broker(t, d.path);
  const s = await connect(t, b);
  await createTopic(s, 'short-lived', 2);
  const commit = await s.request(ApiKey.OffsetCommit, 5, {
    groupId: 'dg', generationId: -1, memberId: '', retentionTimeMs: -1n,
    topics: [{ name: 'short-lived', partitions: [{ partitionIndex: 1, committedOffset: 3n, committedMetadata: null }] }],
  });
  assert.equal(commit.topics[0].partitions[0].errorCode, 0);
  assert.equal((await s.request(ApiKey.DeleteTopics, 1, { topicNames: ['short-lived'], timeoutMs: 5000 })).responses[0].errorCode, 0);
  assert.deepEqual((await s.request(ApiKey.OffsetFetch, 4, { groupId: 'dg', topics: null })).topics, []);
  await createTopic(s, 'short-lived', 2);
  const again = await s.request(ApiKey.OffsetFetch, 4, { groupId: 'dg', topics: [{ name: 'short-lived', partitionIndexes: [1] }] });
  assert.equal(again.topics[0].partitions[0].committedOffset, -1n, 'the re-created topic starts without a committed offset');
});
