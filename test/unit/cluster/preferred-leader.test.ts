// The preferred leader decision, table-driven: replicas[0] takes over only when it is live by
// leader-election.ts's rules (registered, not shutting down, registered before the state was written)
// and in the ISR; the new state bumps the leader epoch and keeps the ISR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePreferredLeader, type PreferredLeaderDecision } from '../../../src/cluster/preferred-leader.js';
import type { ElectionBroker } from '../../../src/cluster/leader-election.js';

/** Brokers 1-3 registered at revision 10 (before the states below, written at 20). */
function brokers(overrides: Record<number, ElectionBroker | null> = {}): Map<number, ElectionBroker> {
  const m = new Map<number, ElectionBroker>();
  for (const id of [1, 2, 3]) {
    const o = overrides[id];
    if (o === null) continue;
    m.set(id, o ?? { brokerEpoch: 10 });
  }
  return m;
}

const cases: { name: string; replicas: number[]; leader: number; isr: number[]; brokers: Map<number, ElectionBroker>; want: PreferredLeaderDecision }[] = [
  {
    name: 'preferred live and in the ISR: elect it, epoch + 1, ISR unchanged',
    replicas: [1, 2, 3], leader: 2, isr: [2, 3, 1], brokers: brokers(),
    want: { kind: 'elect', preferred: 1, state: { leader: 1, leaderEpoch: 5, isr: [2, 3, 1] } },
  },
  {
    name: 'no leader at all, preferred live and in the ISR: elect it',
    replicas: [3, 1], leader: -1, isr: [3], brokers: brokers(),
    want: { kind: 'elect', preferred: 3, state: { leader: 3, leaderEpoch: 5, isr: [3] } },
  },
  {
    name: 'preferred already leads: not needed',
    replicas: [2, 1, 3], leader: 2, isr: [2], brokers: brokers({ 1: null }),
    want: { kind: 'not-needed', preferred: 2 },
  },
  {
    name: 'preferred live but out of the ISR',
    replicas: [1, 2, 3], leader: 2, isr: [2, 3], brokers: brokers(),
    want: { kind: 'not-available', preferred: 1, reason: 'preferred replica 1 not in the ISR' },
  },
  {
    name: 'preferred unregistered (down)',
    replicas: [1, 2, 3], leader: 2, isr: [2, 3, 1], brokers: brokers({ 1: null }),
    want: { kind: 'not-available', preferred: 1, reason: 'preferred replica 1 is down' },
  },
  {
    name: 'preferred shutting down',
    replicas: [1, 2, 3], leader: 2, isr: [1, 2, 3], brokers: brokers({ 1: { brokerEpoch: 10, shuttingDown: true } }),
    want: { kind: 'not-available', preferred: 1, reason: 'preferred replica 1 is shutting down' },
  },
  {
    name: 'preferred restarted after the state was written (still listed in the ISR of its last run)',
    replicas: [1, 2, 3], leader: 2, isr: [1, 2, 3], brokers: brokers({ 1: { brokerEpoch: 25 } }),
    want: { kind: 'not-available', preferred: 1, reason: 'preferred replica 1 has not rejoined the ISR since it restarted' },
  },
  {
    name: 'no replicas',
    replicas: [], leader: 2, isr: [2], brokers: brokers(),
    want: { kind: 'not-available', preferred: -1, reason: 'the partition has no replicas' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const state = { leader: c.leader, leaderEpoch: 4, isr: c.isr };
    const got = decidePreferredLeader({ replicas: c.replicas, state, stateVersion: 20, brokers: c.brokers });
    assert.deepEqual(got, c.want);
    if (got.kind === 'elect') assert.notEqual(got.state.isr, state.isr, 'a copy of the ISR, not the cached array');
  });
}

test('a restarted preferred replica becomes electable once a state written after its registration has it in the ISR', () => {
  const b = brokers({ 1: { brokerEpoch: 25 } });
  const state = { leader: 2, leaderEpoch: 4, isr: [2, 3, 1] };
  assert.equal(decidePreferredLeader({ replicas: [1, 2, 3], state, stateVersion: 20, brokers: b }).kind, 'not-available');
  assert.equal(decidePreferredLeader({ replicas: [1, 2, 3], state, stateVersion: 30, brokers: b }).kind, 'elect');
});
