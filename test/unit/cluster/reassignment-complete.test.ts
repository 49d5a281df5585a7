// The replica restore's "complete" step also finishes reassignments requested by `mq reassign execute`
// (reassignment-requests.ts writes the same record, with every broker live): it waits for the adding
// brokers to be in the ISR, then writes the target list, drops the removed brokers from the ISR and
// hands leadership on when a removed broker led. A pure reorder (nothing added) completes at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReplicaRestore, type Reassignment, type RestoreInput } from '../../../src/cluster/replica-restore.js';
import type { PartitionState } from '../../../src/cluster/topic-records.js';

const live = [1, 2, 3, 4].map((brokerId) => ({ brokerId, rack: null }));

function input(replicas: number[], state: PartitionState, r: Reassignment): RestoreInput {
  return {
    topics: new Map([['t', { replicas: [replicas] }]]),
    partition: () => state,
    reassignments: new Map([['t/0', r]]),
    brokers: live,
    expired: new Set(),
  };
}

const move: Reassignment = { target: [4, 2, 3], adding: [4], removing: [1] };

test('a requested move waits while the new broker is not in the ISR', () => {
  assert.deepEqual(planReplicaRestore(input([1, 2, 3, 4], { leader: 1, leaderEpoch: 3, isr: [1, 2, 3] }, move)), []);
});

test('once the new broker is in the ISR the move completes and leadership leaves the removed leader', () => {
  const steps = planReplicaRestore(input([1, 2, 3, 4], { leader: 1, leaderEpoch: 3, isr: [1, 2, 3, 4] }, move));
  assert.deepEqual(steps, [{ kind: 'complete', topic: 't', partition: 0, replicas: [4, 2, 3], state: { leader: 4, leaderEpoch: 4, isr: [2, 3, 4] } }]);
});

test('a removed follower just leaves the ISR; the leader and its epoch stay', () => {
  const steps = planReplicaRestore(input([1, 2, 3, 4], { leader: 2, leaderEpoch: 3, isr: [1, 2, 3, 4] }, move));
  assert.deepEqual(steps, [{ kind: 'complete', topic: 't', partition: 0, replicas: [4, 2, 3], state: { leader: 2, leaderEpoch: 3, isr: [2, 3, 4] } }]);
});

test('a reorder (nothing added or removed) completes at once', () => {
  const steps = planReplicaRestore(input([1, 2, 3], { leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, { target: [2, 1, 3], adding: [], removing: [] }));
  assert.deepEqual(steps, [{ kind: 'complete', topic: 't', partition: 0, replicas: [2, 1, 3], state: { leader: 1, leaderEpoch: 0, isr: [1, 2, 3] } }]);
});
