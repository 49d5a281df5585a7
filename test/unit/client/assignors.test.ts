// Table-driven tests of the partition assignors: range, roundrobin and cooperative-sticky (KIP-429).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Assignor, GroupAssignment, MemberSubscription, TopicPartition } from '../../../src/client/assignors/assignor.js';
import { cooperativeStickyAssignor } from '../../../src/client/assignors/cooperative-sticky.js';
import { assignorFor, KAFKAJS_ROUND_ROBIN } from '../../../src/client/assignors/index.js';
import { rangeAssignor } from '../../../src/client/assignors/range.js';
import { roundRobinAssignor } from '../../../src/client/assignors/roundrobin.js';

/** "t-0 t-1 u-3" → partitions */
const tps = (s: string): TopicPartition[] => s.split(/\s+/).filter(Boolean).map((x) => {
  const i = x.lastIndexOf('-');
  return { topic: x.slice(0, i), partition: Number(x.slice(i + 1)) };
});
const show = (a: GroupAssignment): Record<string, string> =>
  Object.fromEntries([...a].map(([m, l]) => [m, l.map((tp) => `${tp.topic}-${tp.partition}`).join(' ')]));
const member = (memberId: string, topics: string[], owned = ''): MemberSubscription => ({ memberId, topics, ownedPartitions: tps(owned) });

interface Case { name: string; members: MemberSubscription[]; partitions: Record<string, number>; want: Record<string, string> }

function table(assignor: Assignor, cases: Case[]): void {
  describe(assignor.name, () => {
    for (const c of cases) {
      test(c.name, () => {
        assert.deepEqual(show(assignor.assign(c.members, new Map(Object.entries(c.partitions)))), c.want);
      });
    }
  });
}

table(rangeAssignor, [
  { name: '6 partitions over 3 members: consecutive pairs', members: [member('c', ['t']), member('a', ['t']), member('b', ['t'])], partitions: { t: 6 },
    want: { a: 't-0 t-1', b: 't-2 t-3', c: 't-4 t-5' } },
  { name: 'uneven: the first members get one more', members: [member('a', ['t']), member('b', ['t'])], partitions: { t: 5 },
    want: { a: 't-0 t-1 t-2', b: 't-3 t-4' } },
  { name: 'per topic, only subscribers', members: [member('a', ['t', 'u']), member('b', ['u'])], partitions: { t: 2, u: 2 },
    want: { a: 't-0 t-1 u-0', b: 'u-1' } },
  { name: 'more members than partitions', members: [member('a', ['t']), member('b', ['t']), member('c', ['t'])], partitions: { t: 2 },
    want: { a: 't-0', b: 't-1', c: '' } },
  { name: 'no members', members: [], partitions: { t: 2 }, want: {} },
]);

table(roundRobinAssignor, [
  { name: '6 partitions over 3 members: interleaved', members: [member('b', ['t']), member('a', ['t']), member('c', ['t'])], partitions: { t: 6 },
    want: { a: 't-0 t-3', b: 't-1 t-4', c: 't-2 t-5' } },
  { name: 'across topics, sorted by topic', members: [member('a', ['t', 'u']), member('b', ['t', 'u'])], partitions: { u: 1, t: 3 },
    want: { a: 't-0 t-2', b: 't-1 u-0' } },
  { name: 'skips members not subscribed', members: [member('a', ['t']), member('b', ['u'])], partitions: { t: 2, u: 1 },
    want: { a: 't-0 t-1', b: 'u-0' } },
]);

table(cooperativeStickyAssignor, [
  { name: 'first generation: balanced', members: [member('a', ['t']), member('b', ['t']), member('c', ['t'])], partitions: { t: 6 },
    want: { a: 't-0 t-3', b: 't-1 t-4', c: 't-2 t-5' } },
  { name: 'stable: everyone keeps what it owns', members: [member('a', ['t'], 't-4 t-5'), member('b', ['t'], 't-0 t-2'), member('c', ['t'], 't-1 t-3')], partitions: { t: 6 },
    want: { a: 't-4 t-5', b: 't-0 t-2', c: 't-1 t-3' } },
  { name: 'a 4th member: one owner gives one up now, the newcomer gets nothing yet (revoke first)',
    members: [member('a', ['t'], 't-0 t-1'), member('b', ['t'], 't-2 t-3'), member('c', ['t'], 't-4 t-5'), member('d', ['t'])], partitions: { t: 6 },
    want: { a: 't-0 t-1', b: 't-2 t-3', c: 't-4', d: '' } },
  { name: 'follow-up rebalance: the revoked partition goes to the newcomer',
    members: [member('a', ['t'], 't-0 t-1'), member('b', ['t'], 't-2 t-3'), member('c', ['t'], 't-4'), member('d', ['t'])], partitions: { t: 6 },
    want: { a: 't-0 t-1', b: 't-2 t-3', c: 't-4', d: 't-5' } },
  { name: 'a member left: its partitions go to the others, nothing else moves',
    members: [member('a', ['t'], 't-0 t-1'), member('c', ['t'], 't-4 t-5')], partitions: { t: 6 },
    want: { a: 't-0 t-1 t-2', c: 't-3 t-4 t-5' } },
  { name: 'a partition claimed twice stays with the first claimant', members: [member('a', ['t'], 't-0'), member('b', ['t'], 't-0 t-1')], partitions: { t: 2 },
    want: { a: 't-0', b: 't-1' } },
  { name: 'owned partitions of a deleted topic are dropped', members: [member('a', ['t'], 'gone-0 t-0'), member('b', ['t'])], partitions: { t: 2 },
    want: { a: 't-0', b: 't-1' } },
]);

describe('assignorFor', () => {
  test('names, and kafkajs\' RoundRobinAssigner as an alias of round robin', () => {
    assert.equal(assignorFor('range'), rangeAssignor);
    assert.equal(assignorFor('roundrobin'), roundRobinAssignor);
    assert.equal(assignorFor('cooperative-sticky')?.cooperative, true);
    const kjs = assignorFor(KAFKAJS_ROUND_ROBIN)!;
    assert.equal(kjs.name, 'RoundRobinAssigner');
    assert.equal(kjs.cooperative, false);
    assert.equal(assignorFor('sticky'), undefined);
  });

  test('every assignor gives each partition to exactly one member', () => {
    for (const a of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]) {
      for (let m = 1; m <= 7; m++) {
        for (const p of [1, 6, 13]) {
          const members = Array.from({ length: m }, (_, i) => member(`m${i}`, ['t']));
          const all = [...a.assign(members, new Map([['t', p]])).values()].flat().map((tp) => tp.partition).sort((x, y) => x - y);
          assert.deepEqual(all, Array.from({ length: p }, (_, i) => i), `${a.name} ${m} members ${p} partitions`);
        }
      }
    }
  });
});
