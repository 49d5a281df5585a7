// The group membership state machine under a fake clock: joins (with MEMBER_ID_REQUIRED), rejoins,
// leaves, session expiry, rebalance and sync timeouts, SyncGroup parking, generation checks, protocol
// selection and static members. Time only moves when a test says so; nothing sleeps.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Group, type GroupEvent, type JoinParams } from '../../../src/group/group.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { JoinGroupResponse } from '../../../src/protocol/messages/join-group.js';

const PENDING = Symbol('pending');
/** The value of `p` if it is already settled, else PENDING (one macrotask turn is enough: the machine resolves synchronously). */
async function peek<T>(p: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([p, new Promise<typeof PENDING>((r) => setImmediate(() => r(PENDING)))]);
}

const protocols = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(`meta-${name}`) }));

function newGroup(initialRebalanceDelayMs = 0) {
  let n = 0;
  const events: GroupEvent[] = [];
  const g = new Group('g', {
    initialRebalanceDelayMs,
    newMemberId: (prefix) => `${prefix}-${++n}`,
    onEvent: (_g, e) => events.push(e),
  });
  return { g, events };
}

function params(over: Partial<JoinParams> = {}): JoinParams {
  return {
    memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1',
    sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, protocolType: 'consumer',
    protocols: protocols('range'), requireKnownMemberId: false, ...over,
  };
}

/** Joins a new dynamic member (v4 flow: MEMBER_ID_REQUIRED, then the real join) and returns its parked join. */
async function joinNew(g: Group, now: number, over: Partial<JoinParams> = {}): Promise<{ memberId: string; join: Promise<JoinGroupResponse> }> {
  const first = await g.join(params({ ...over, requireKnownMemberId: true }), now);
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.ok(first.memberId.startsWith(`${over.clientId ?? 'c'}-`));
  return { memberId: first.memberId, join: g.join(params({ ...over, memberId: first.memberId, requireKnownMemberId: true }), now) };
}

/** A Stable group with the given members (each syncing), at generation `generationId`; returns member ids. */
async function stableGroup(g: Group, now: number, count: number): Promise<string[]> {
  const joins: { memberId: string; join: Promise<JoinGroupResponse> }[] = [];
  // Start them together: the first join completes at once when alone, so park everyone first
  // by joining the first one with a pending second.
  for (let i = 0; i < count; i++) joins.push(await joinNew(g, now, { clientId: `c${i}` }));
  // Members that joined after an earlier completion must rejoin until everyone is in one generation.
  for (;;) {
    const answers = await Promise.all(joins.map(async (j) => peek(j.join)));
    const pending = joins.filter((_j, i) => answers[i] === PENDING);
    if (pending.length === 0 && g.state === 'CompletingRebalance') break;
    for (const j of joins) {
      if ((await peek(j.join)) !== PENDING) j.join = g.join(params({ memberId: j.memberId, clientId: 'c' }), now);
    }
  }
  const leader = g.leaderId!;
  const gen = g.generationId;
  const syncs = joins.map((j) => g.sync({
    memberId: j.memberId, groupInstanceId: null, generationId: gen,
    assignments: j.memberId === leader ? joins.map((x) => ({ memberId: x.memberId, assignment: Buffer.from(`a-${x.memberId}`) })) : [],
  }, now));
  for (const s of await Promise.all(syncs)) assert.equal(s.errorCode, 0);
  assert.equal(g.state, 'Stable');
  return joins.map((j) => j.memberId);
}

describe('join and sync', () => {
  test('MEMBER_ID_REQUIRED hands out an id; the rejoin completes a one-member generation at once', async () => {
    const { g, events } = newGroup();
    const { memberId, join } = await joinNew(g, 0);
    const r = await join;
    assert.deepEqual([r.errorCode, r.generationId, r.protocolName, r.leader, r.memberId], [0, 1, 'range', memberId, memberId]);
    assert.deepEqual(r.members.map((m) => [m.memberId, m.metadata.toString()]), [[memberId, 'meta-range']]);
    assert.equal(g.state, 'CompletingRebalance');
    assert.deepEqual(events, [{ type: 'rebalanced', generationId: 1, members: 1, protocol: 'range', leader: memberId }]);
  });

  test('before v4 a member without an id is admitted directly', async () => {
    const { g } = newGroup();
    const r = await g.join(params(), 0);
    assert.equal(r.errorCode, 0);
    assert.equal(r.memberId, 'c-1');
    assert.equal(g.members.size, 1);
  });

  test('a second member parks until the first rejoins; only the leader gets the member list', async () => {
    const { g } = newGroup();
    const [a] = await stableGroup(g, 0, 1);
    const { memberId: b, join: joinB } = await joinNew(g, 10, { clientId: 'b' });
    assert.equal(await peek(joinB), PENDING);
    assert.equal(g.state, 'PreparingRebalance');
    assert.equal(g.heartbeat({ memberId: a, groupInstanceId: null, generationId: 1 }, 20), ErrorCode.REBALANCE_IN_PROGRESS);
    const joinA = g.join(params({ memberId: a }), 30);
    const [ra, rb] = await Promise.all([joinA, joinB]);
    assert.equal(ra.generationId, 2);
    assert.equal(rb.generationId, 2);
    assert.equal(ra.leader, a, 'the old leader stays leader');
    assert.deepEqual(ra.members.map((m) => m.memberId).sort(), [a, b].sort());
    assert.deepEqual(rb.members, []);
  });

  test('followers\' SyncGroup parks until the leader sends the assignment', async () => {
    const { g } = newGroup();
    const a = (await joinNew(g, 0, { clientId: 'a' }));
    const b = (await joinNew(g, 0, { clientId: 'b' }));
    // a completed alone (generation 1), then b's join started generation 2's rebalance; a rejoins.
    await a.join;
    const ra = await Promise.all([g.join(params({ memberId: a.memberId }), 0), b.join]);
    const gen = ra[0].generationId;
    const syncB = g.sync({ memberId: b.memberId, groupInstanceId: null, generationId: gen, assignments: [] }, 5);
    assert.equal(await peek(syncB), PENDING);
    const syncA = g.sync({
      memberId: a.memberId, groupInstanceId: null, generationId: gen,
      assignments: [{ memberId: a.memberId, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }],
    }, 6);
    assert.equal((await syncA).assignment.toString(), 'A');
    assert.equal((await syncB).assignment.toString(), 'B');
    assert.equal(g.state, 'Stable');
    // Stable: a late SyncGroup gets the stored assignment at once.
    assert.equal((await g.sync({ memberId: b.memberId, groupInstanceId: null, generationId: gen, assignments: [] }, 7)).assignment.toString(), 'B');
  });

  test('a join during CompletingRebalance fails parked followers\' SyncGroup with REBALANCE_IN_PROGRESS', async () => {
    const { g } = newGroup();
    const a = await joinNew(g, 0, { clientId: 'a' });
    await a.join;
    const b = await joinNew(g, 0, { clientId: 'b' });
    const [ra] = await Promise.all([g.join(params({ memberId: a.memberId }), 0), b.join]);
    const syncB = g.sync({ memberId: b.memberId, groupInstanceId: null, generationId: ra.generationId, assignments: [] }, 1);
    assert.equal(await peek(syncB), PENDING);
    const c = await joinNew(g, 2, { clientId: 'c' });
    assert.equal((await syncB).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(g.state, 'PreparingRebalance');
    assert.equal(await peek(c.join), PENDING);
  });

  test('initial rebalance delay: members arriving within the delay land in one generation', async () => {
    const { g } = newGroup(3000);
    const a = await joinNew(g, 0, { clientId: 'a' });
    const b = await joinNew(g, 1000, { clientId: 'b' });
    g.tick(2999);
    assert.equal(await peek(a.join), PENDING);
    g.tick(3999);
    assert.equal(await peek(a.join), PENDING, 'the delay restarted when b joined');
    g.tick(4000);
    const [ra, rb] = await Promise.all([a.join, b.join]);
    assert.deepEqual([ra.generationId, rb.generationId], [1, 1]);
    assert.equal(ra.members.length + rb.members.length, 2);
  });

  test('a repeated join in CompletingRebalance with the same metadata gets the same answer again', async () => {
    const { g } = newGroup();
    const a = await joinNew(g, 0);
    const first = await a.join;
    const again = await g.join(params({ memberId: a.memberId }), 1);
    assert.deepEqual(again, first);
    assert.equal(g.generationId, 1);
  });
});

describe('rejoining a Stable group', () => {
  test('a follower with unchanged metadata learns the current generation; new metadata starts a rebalance', async () => {
    const { g } = newGroup();
    const [a, b] = await stableGroup(g, 0, 2);
    const follower = a === g.leaderId ? b : a;
    const gen = g.generationId;
    const same = await g.join(params({ memberId: follower }), 10);
    assert.deepEqual([same.errorCode, same.generationId, same.members], [0, gen, []]);
    assert.equal(g.state, 'Stable');
    const changed = g.join(params({ memberId: follower, protocols: [{ name: 'range', metadata: Buffer.from('new topics') }] }), 11);
    assert.equal(await peek(changed), PENDING);
    assert.equal(g.state, 'PreparingRebalance');
  });

  test('the leader rejoining always starts a rebalance', async () => {
    const { g } = newGroup();
    await stableGroup(g, 0, 2);
    const r = g.join(params({ memberId: g.leaderId! }), 10);
    assert.equal(await peek(r), PENDING);
    assert.equal(g.state, 'PreparingRebalance');
  });
});

describe('leaving, expiry and timeouts', () => {
  test('LeaveGroup starts a rebalance at once; the remaining member rejoins into the next generation', async () => {
    const { g, events } = newGroup();
    const [a, b] = await stableGroup(g, 0, 2);
    const gen = g.generationId;
    assert.equal(g.leave(b, 100), 0);
    assert.equal(g.state, 'PreparingRebalance');
    assert.ok(events.some((e) => e.type === 'member-removed' && e.memberId === b && e.reason === 'left'));
    assert.equal(g.heartbeat({ memberId: a, groupInstanceId: null, generationId: gen }, 101), ErrorCode.REBALANCE_IN_PROGRESS);
    const r = await g.join(params({ memberId: a }), 102);
    assert.deepEqual([r.generationId, r.members.map((m) => m.memberId)], [gen + 1, [a]]);
    assert.equal(g.leave('nobody', 103), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('the last member leaving empties the group', async () => {
    const { g } = newGroup();
    const [a] = await stableGroup(g, 0, 1);
    assert.equal(g.leave(a, 1), 0);
    assert.equal(g.state, 'Empty');
    assert.equal(g.generationId, 2);
    assert.equal(g.isEmpty, true);
  });

  test('a member silent for its session timeout is removed; heartbeats keep the others', async () => {
    const { g, events } = newGroup();
    const [a, b] = await stableGroup(g, 0, 2);
    const gen = g.generationId;
    for (const t of [4000, 8000]) assert.equal(g.heartbeat({ memberId: a, groupInstanceId: null, generationId: gen }, t), 0);
    g.tick(9999);
    assert.equal(g.members.size, 2);
    g.tick(10_000);
    assert.deepEqual([...g.members.keys()], [a]);
    assert.ok(events.some((e) => e.type === 'member-removed' && e.memberId === b && e.reason === 'session-timeout'));
    assert.equal(g.heartbeat({ memberId: b, groupInstanceId: null, generationId: gen }, 10_001), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(g.heartbeat({ memberId: a, groupInstanceId: null, generationId: gen }, 10_001), ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('members that do not rejoin within the rebalance timeout are dropped and the rest proceed', async () => {
    const { g, events } = newGroup();
    const [a, b] = await stableGroup(g, 0, 2);
    const gen = g.generationId;
    const c = await joinNew(g, 1000, { clientId: 'late' });
    const joinA = g.join(params({ memberId: a }), 1001);
    // b keeps heartbeating (it is alive) but never rejoins.
    assert.equal(g.heartbeat({ memberId: b, groupInstanceId: null, generationId: gen }, 25_000), ErrorCode.REBALANCE_IN_PROGRESS);
    g.tick(30_999);
    assert.equal(await peek(joinA), PENDING);
    g.tick(31_000);
    const [ra, rc] = await Promise.all([joinA, c.join]);
    assert.equal(ra.generationId, gen + 1);
    assert.equal(rc.generationId, gen + 1);
    assert.deepEqual([...g.members.keys()].sort(), [a, c.memberId].sort());
    assert.ok(events.some((e) => e.type === 'member-removed' && e.memberId === b && e.reason === 'rebalance-timeout'));
  });

  test('a leader that never sends SyncGroup is dropped after the rebalance timeout; parked followers rejoin', async () => {
    const { g } = newGroup();
    const a = await joinNew(g, 0, { clientId: 'a' });
    await a.join;
    const b = await joinNew(g, 0, { clientId: 'b' });
    const [ra] = await Promise.all([g.join(params({ memberId: a.memberId }), 0), b.join]);
    const syncB = g.sync({ memberId: b.memberId, groupInstanceId: null, generationId: ra.generationId, assignments: [] }, 1);
    g.tick(30_000);
    assert.equal((await syncB).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(g.members.has(a.memberId), false);
  });

  test('parked members do not expire while they wait', async () => {
    const { g } = newGroup();
    const [a, b] = await stableGroup(g, 0, 2);
    const join = g.join(params({ memberId: a }), 100);
    // b stays alive without rejoining, so the rebalance waits; a's session would have ended at 10 100.
    assert.equal(g.heartbeat({ memberId: b, groupInstanceId: null, generationId: g.generationId }, 9000), ErrorCode.REBALANCE_IN_PROGRESS);
    g.tick(15_000);
    assert.ok(g.members.has(a));
    assert.equal(await peek(join), PENDING);
  });

  test('a member id handed out with MEMBER_ID_REQUIRED holds the rebalance only until its session timeout', async () => {
    const { g } = newGroup();
    const [a] = await stableGroup(g, 0, 1);
    const first = await g.join(params({ requireKnownMemberId: true, clientId: 'ghost' }), 100);
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const join = g.join(params({ memberId: a }), 101);
    // Not a rebalance trigger by itself, so a's rejoin as leader starts one, which waits for the ghost.
    assert.equal(await peek(join), PENDING);
    g.tick(10_100);
    assert.equal((await join).generationId, 2);
  });
});

describe('generation and membership checks', () => {
  const cases: { name: string; call: (g: Group, ids: string[], gen: number) => number | Promise<number>; expect: number }[] = [
    { name: 'heartbeat, current generation', call: (g, [a], gen) => g.heartbeat({ memberId: a, groupInstanceId: null, generationId: gen }, 1), expect: 0 },
    { name: 'heartbeat, stale generation', call: (g, [a], gen) => g.heartbeat({ memberId: a, groupInstanceId: null, generationId: gen - 1 }, 1), expect: ErrorCode.ILLEGAL_GENERATION },
    { name: 'heartbeat, unknown member', call: (g, _ids, gen) => g.heartbeat({ memberId: 'x', groupInstanceId: null, generationId: gen }, 1), expect: ErrorCode.UNKNOWN_MEMBER_ID },
    { name: 'sync, stale generation', call: async (g, [a], gen) => (await g.sync({ memberId: a, groupInstanceId: null, generationId: gen + 1, assignments: [] }, 1)).errorCode, expect: ErrorCode.ILLEGAL_GENERATION },
    { name: 'sync, unknown member', call: async (g, _ids, gen) => (await g.sync({ memberId: 'x', groupInstanceId: null, generationId: gen, assignments: [] }, 1)).errorCode, expect: ErrorCode.UNKNOWN_MEMBER_ID },
    { name: 'join, unknown member id', call: async (g) => (await g.join(params({ memberId: 'x' }), 1)).errorCode, expect: ErrorCode.UNKNOWN_MEMBER_ID },
    { name: 'commit, member of the current generation', call: (g, [a], gen) => g.checkCommit({ memberId: a, groupInstanceId: null, generationId: gen }, 1), expect: 0 },
    { name: 'commit, stale generation', call: (g, [a], gen) => g.checkCommit({ memberId: a, groupInstanceId: null, generationId: gen - 1 }, 1), expect: ErrorCode.ILLEGAL_GENERATION },
    { name: 'commit, standalone while the group has members', call: (g) => g.checkCommit({ memberId: '', groupInstanceId: null, generationId: -1 }, 1), expect: ErrorCode.UNKNOWN_MEMBER_ID },
    { name: 'join, another protocol type', call: async (g) => (await g.join(params({ protocolType: 'connect' }), 1)).errorCode, expect: ErrorCode.INCONSISTENT_GROUP_PROTOCOL },
    { name: 'join, no common protocol', call: async (g) => (await g.join(params({ protocols: protocols('sticky') }), 1)).errorCode, expect: ErrorCode.INCONSISTENT_GROUP_PROTOCOL },
    { name: 'join, no protocols at all', call: async (g) => (await g.join(params({ protocols: [] }), 1)).errorCode, expect: ErrorCode.INCONSISTENT_GROUP_PROTOCOL },
  ];
  for (const c of cases) {
    test(`${c.name} -> ${c.expect}`, async () => {
      const { g } = newGroup();
      const ids = await stableGroup(g, 0, 2);
      assert.equal(await c.call(g, ids, g.generationId), c.expect);
    });
  }

  test('commits: standalone only while empty; refused while the assignment is being distributed; allowed while preparing', async () => {
    const { g } = newGroup();
    assert.equal(g.checkCommit({ memberId: '', groupInstanceId: null, generationId: -1 }, 0), 0);
    const a = await joinNew(g, 0);
    await a.join;
    assert.equal(g.state, 'CompletingRebalance');
    assert.equal(g.checkCommit({ memberId: a.memberId, groupInstanceId: null, generationId: 1 }, 1), ErrorCode.REBALANCE_IN_PROGRESS);
    await g.sync({ memberId: a.memberId, groupInstanceId: null, generationId: 1, assignments: [] }, 2);
    await joinNew(g, 3, { clientId: 'b' });
    assert.equal(g.state, 'PreparingRebalance');
    assert.equal(g.checkCommit({ memberId: a.memberId, groupInstanceId: null, generationId: 1 }, 4), 0,
      'a member saves its progress before it gives partitions up');
  });
});

describe('protocol selection', () => {
  const cases: { offers: string[][]; chosen: string }[] = [
    { offers: [['range', 'roundrobin'], ['roundrobin', 'range'], ['roundrobin']], chosen: 'roundrobin' },
    { offers: [['range', 'roundrobin'], ['range', 'roundrobin'], ['roundrobin', 'range']], chosen: 'range' },
    { offers: [['cooperative-sticky', 'range'], ['range', 'cooperative-sticky']], chosen: 'cooperative-sticky' },
    { offers: [['a', 'b', 'c'], ['c', 'b'], ['b', 'c']], chosen: 'b' },
  ];
  for (const c of cases) {
    test(`${JSON.stringify(c.offers)} -> ${c.chosen}`, async () => {
      const { g } = newGroup(1000);
      const joins = [];
      for (const [i, offer] of c.offers.entries()) joins.push((await joinNew(g, 0, { clientId: `m${i}`, protocols: protocols(...offer) })).join);
      g.tick(1000);
      const answers = await Promise.all(joins);
      for (const r of answers) assert.equal(r.protocolName, c.chosen);
      const leader = answers.find((r) => r.members.length > 0)!;
      for (const m of leader.members) assert.equal(m.metadata.toString(), `meta-${c.chosen}`);
    });
  }
});

describe('static membership', () => {
  test('a restarted static member takes its old place without a rebalance; the old id is fenced', async () => {
    const { g } = newGroup();
    const first = await g.join(params({ groupInstanceId: 'host-1', requireKnownMemberId: true }), 0);
    assert.equal(first.errorCode, 0, 'static members get no MEMBER_ID_REQUIRED round');
    const oldId = first.memberId;
    assert.ok(oldId.startsWith('host-1-'));
    await g.sync({ memberId: oldId, groupInstanceId: 'host-1', generationId: 1, assignments: [{ memberId: oldId, assignment: Buffer.from('p0') }] }, 1);
    assert.equal(g.state, 'Stable');
    const again = await g.join(params({ groupInstanceId: 'host-1' }), 100);
    assert.equal(again.errorCode, 0);
    assert.notEqual(again.memberId, oldId);
    assert.equal(again.generationId, 1, 'no new generation');
    assert.equal(g.state, 'Stable');
    const s = await g.sync({ memberId: again.memberId, groupInstanceId: 'host-1', generationId: 1, assignments: [] }, 101);
    assert.equal(s.assignment.toString(), 'p0', 'it keeps its assignment');
    assert.equal(g.heartbeat({ memberId: oldId, groupInstanceId: 'host-1', generationId: 1 }, 102), ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(g.heartbeat({ memberId: oldId, groupInstanceId: null, generationId: 1 }, 102), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a static member with new metadata triggers a rebalance; its old parked join is fenced', async () => {
    const { g } = newGroup();
    const [a] = await stableGroup(g, 0, 1);
    // host-1 joins (a rebalance), which completes once a rejoins.
    const [s1] = await Promise.all([g.join(params({ groupInstanceId: 'host-1', clientId: 's' }), 1), g.join(params({ memberId: a }), 2)]);
    assert.equal(s1.errorCode, 0);
    assert.equal(g.state, 'CompletingRebalance');
    const parked = g.join(params({ memberId: s1.memberId, groupInstanceId: 'host-1', protocols: protocols('range', 'roundrobin') }), 3);
    assert.equal(await peek(parked), PENDING);
    const replaced = g.join(params({ groupInstanceId: 'host-1', protocols: protocols('range', 'roundrobin') }), 4);
    assert.equal((await parked).errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(await peek(replaced), PENDING);
    assert.equal(g.state, 'PreparingRebalance');
  });

  test('a static member that stops heartbeating is removed by its session timeout', async () => {
    const { g } = newGroup();
    const r = await g.join(params({ groupInstanceId: 'host-1' }), 0);
    await g.sync({ memberId: r.memberId, groupInstanceId: 'host-1', generationId: 1, assignments: [] }, 0);
    g.tick(10_000);
    assert.equal(g.members.size, 0);
    assert.equal(g.state, 'Empty');
  });
});

describe('shutdown', () => {
  test('abortParked answers every parked join and sync', async () => {
    const { g } = newGroup(5000);
    const a = await joinNew(g, 0);
    g.abortParked(ErrorCode.NOT_COORDINATOR);
    assert.equal((await a.join).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});
