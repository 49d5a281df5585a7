// Replica restore planning: a broker gone past replica.restore.delay.ms gets its replicas re-created on
// the least loaded live broker not already holding the partition (a new rack first), the gone one is
// dropped only once the new one is in the ISR, and a new replica that dies before catching up is swapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planReplicaRestore, type Reassignment, type RestoreInput } from '../../../src/cluster/replica-restore.js';
import type { PartitionState } from '../../../src/cluster/topic-records.js';
import type { PlacementBroker } from '../../../src/cluster/placement.js';

const brokers = (...ids: number[]): PlacementBroker[] => ids.map((brokerId) => ({ brokerId, rack: null }));

function input(topics: Record<string, number[][]>, states: Record<string, PartitionState>, live: PlacementBroker[], expired: number[], reassignments: Record<string, Reassignment> = {}): RestoreInput {
  return {
    topics: new Map(Object.entries(topics).map(([name, replicas]) => [name, { replicas }])),
    partition: (topic, p) => states[`${topic}/${p}`],
    reassignments: new Map(Object.entries(reassignments)),
    brokers: live,
    expired: new Set(expired),
  };
}

test('nothing is planned while no broker has been gone long enough', () => {
  const plan = planReplicaRestore(input({ t: [[1, 2, 3]] }, { 't/0': { leader: 2, leaderEpoch: 1, isr: [2, 3] } }, brokers(2, 3, 4), []));
  assert.deepEqual(plan, []);
});

test('a gone broker\'s replica goes to a live broker outside the list; the gone one stays until the new one is in sync', () => {
  const plan = planReplicaRestore(input({ t: [[1, 2, 3]] }, { 't/0': { leader: 2, leaderEpoch: 1, isr: [2, 3] } }, brokers(2, 3, 4), [1]));
  assert.deepEqual(plan, [{
    kind: 'start', topic: 't', partition: 0, replicas: [1, 2, 3, 4],
    reassignment: { target: [4, 2, 3], adding: [4], removing: [1] },
  }]);
});

test('no live broker outside the replica list: nothing to do (the partition stays under-replicated)', () => {
  assert.deepEqual(planReplicaRestore(input({ t: [[1, 2, 3]] }, {}, brokers(2, 3), [1])), []);
});

test('replacements go to the least loaded brokers, spreading many partitions of the gone broker', () => {
  const topics = { a: [[1, 2], [1, 3], [1, 2], [1, 3]], b: [[2, 3]] };
  const plan = planReplicaRestore(input(topics, {}, brokers(2, 3, 4, 5), [1]));
  assert.equal(plan.length, 4);
  const added = plan.map((s) => (s.kind === 'start' ? s.reassignment.adding[0] : -1));
  // 4 and 5 start empty, so they take the four replicas between them, two each.
  assert.deepEqual(added.filter((id) => id === 4).length, 2);
  assert.deepEqual(added.filter((id) => id === 5).length, 2);
  for (const step of plan) {
    assert.equal(step.kind, 'start');
    if (step.kind === 'start') assert.ok(!topics.a[step.partition].includes(step.reassignment.adding[0]));
  }
});

test('rack-aware: the replacement goes to a rack the remaining replicas do not use', () => {
  const live: PlacementBroker[] = [{ brokerId: 2, rack: 'r1' }, { brokerId: 3, rack: 'r2' }, { brokerId: 4, rack: 'r1' }, { brokerId: 5, rack: 'r3' }];
  // 4 has less load than 5, but shares r1 with replica 2.
  const plan = planReplicaRestore(input({ t: [[1, 2, 3]], u: [[5, 3]] }, {}, live, [1]));
  assert.equal(plan.length, 1);
  assert.equal(plan[0].kind === 'start' && plan[0].reassignment.adding[0], 5);
});

test('two gone brokers in one partition are both replaced in place in the target list', () => {
  const plan = planReplicaRestore(input({ t: [[1, 2, 3]] }, {}, brokers(3, 4, 5), [1, 2]));
  assert.deepEqual(plan, [{ kind: 'start', topic: 't', partition: 0, replicas: [1, 2, 3, 4, 5], reassignment: { target: [4, 5, 3], adding: [4, 5], removing: [1, 2] } }]);
});

test('in progress: waits until every new replica is in the ISR, then the target list and ISR without the gone ones', () => {
  const reassignment = { target: [4, 2, 3], adding: [4], removing: [1] };
  const topics = { t: [[1, 2, 3, 4]] };
  const waiting = planReplicaRestore(input(topics, { 't/0': { leader: 2, leaderEpoch: 1, isr: [2, 3] } }, brokers(2, 3, 4), [1], { 't/0': reassignment }));
  assert.deepEqual(waiting, []);
  const done = planReplicaRestore(input(topics, { 't/0': { leader: 2, leaderEpoch: 1, isr: [2, 3, 4] } }, brokers(2, 3, 4), [1], { 't/0': reassignment }));
  assert.deepEqual(done, [{ kind: 'complete', topic: 't', partition: 0, replicas: [4, 2, 3], state: { leader: 2, leaderEpoch: 1, isr: [2, 3, 4] } }]);
});

test('in progress: a gone broker that came back (and even leads) is still dropped, leadership moving with a new epoch', () => {
  const reassignment = { target: [4, 2, 3], adding: [4], removing: [1] };
  const plan = planReplicaRestore(input({ t: [[1, 2, 3, 4]] }, { 't/0': { leader: 1, leaderEpoch: 5, isr: [1, 2, 4] } }, brokers(1, 2, 3, 4), [], { 't/0': reassignment }));
  assert.deepEqual(plan, [{ kind: 'complete', topic: 't', partition: 0, replicas: [4, 2, 3], state: { leader: 4, leaderEpoch: 6, isr: [2, 4] } }]);
});

test('in progress: a new replica that is itself gone past the delay before catching up is swapped for another', () => {
  const reassignment = { target: [4, 2, 3], adding: [4], removing: [1] };
  const plan = planReplicaRestore(input({ t: [[1, 2, 3, 4]] }, { 't/0': { leader: 2, leaderEpoch: 1, isr: [2, 3] } }, brokers(2, 3, 5), [1, 4], { 't/0': reassignment }));
  assert.deepEqual(plan, [{ kind: 'replace', topic: 't', partition: 0, replicas: [1, 2, 3, 5], reassignment: { target: [5, 2, 3], adding: [5], removing: [1] } }]);
});

test('a partition with more replicas but no reassignment record is left alone', () => {
  assert.deepEqual(planReplicaRestore(input({ t: [[1, 2, 3, 4]] }, { 't/0': { leader: 1, leaderEpoch: 0, isr: [1, 2, 3, 4] } }, brokers(1, 2, 3, 4), [])), []);
});
