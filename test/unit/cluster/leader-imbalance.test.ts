// Leader imbalance per live broker (partitions it is preferred leader of but does not lead / partitions
// it is preferred leader of) and which partitions the controller's periodic check elects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaderImbalance, partitionsToElect, type LeaderPlacement } from '../../../src/cluster/leader-imbalance.js';

/** 6 partitions of RF 3 spread 2/2/2 as topic creation places them; `leaders` is the current leader per partition. */
function placements(leaders: number[]): LeaderPlacement[] {
  const replicas = [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2], [2, 1, 3], [3, 2, 1]];
  return replicas.map((r, p) => ({ topic: 't', partition: p, replicas: r, leader: leaders[p] }));
}

test('balanced: every live broker leads all its preferred partitions', () => {
  const p = placements([1, 2, 3, 1, 2, 3]);
  assert.deepEqual(leaderImbalance(p, [1, 2, 3]), [
    { brokerId: 1, preferred: 2, notLed: 0, percentage: 0 },
    { brokerId: 2, preferred: 2, notLed: 0, percentage: 0 },
    { brokerId: 3, preferred: 2, notLed: 0, percentage: 0 },
  ]);
  assert.deepEqual(partitionsToElect(p, [1, 2, 3], 10), []);
});

test('after broker 1 restarted: it leads none of its 2 preferred partitions (100%), and both are due', () => {
  const p = placements([2, 2, 3, 3, 2, 3]);
  const imbalance = leaderImbalance(p, [1, 2, 3]);
  assert.deepEqual(imbalance[0], { brokerId: 1, preferred: 2, notLed: 2, percentage: 100 });
  const due = partitionsToElect(p, [1, 2, 3], 10);
  assert.deepEqual(due.map((d) => d.placement.partition), [0, 3]);
  assert.equal(due[0].imbalance.brokerId, 1);
});

test('a dead preferred broker is skipped (not live), and leaderless partitions count as not led', () => {
  const p = placements([2, 2, 3, 3, -1, 3]);
  assert.deepEqual(leaderImbalance(p, [2, 3]).map((b) => b.brokerId), [2, 3]);
  assert.deepEqual(partitionsToElect(p, [2, 3], 10).map((d) => d.placement.partition), [4]);
});

test('the threshold is "above": 1 of 2 is 50%, due at 49 but not at 50', () => {
  const p = placements([1, 2, 3, 3, 2, 3]);
  assert.equal(leaderImbalance(p, [1, 2, 3])[0].percentage, 50);
  assert.deepEqual(partitionsToElect(p, [1, 2, 3], 49).map((d) => d.placement.partition), [3]);
  assert.deepEqual(partitionsToElect(p, [1, 2, 3], 50), []);
});

test('percentage 0 moves any partition not led by its preferred replica; a broker preferred for nothing is not listed', () => {
  const p: LeaderPlacement[] = [
    { topic: 'a', partition: 0, replicas: [1, 2], leader: 2 },
    { topic: 'b', partition: 0, replicas: [1, 2], leader: 1 },
  ];
  assert.deepEqual(leaderImbalance(p, [1, 2, 4]), [{ brokerId: 1, preferred: 2, notLed: 1, percentage: 50 }]);
  assert.deepEqual(partitionsToElect(p, [1, 2], 0).map((d) => d.placement.topic), ['a']);
});
