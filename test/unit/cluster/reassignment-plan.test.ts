// Reassignment planning: a grown cluster is balanced with the fewest moves, a decommissioned broker is
// emptied, no partition gets a broker twice, racks are kept distinct, leaders spread, and plan files
// are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReassignmentPlan, planReassignment, type PlanPartition } from '../../../src/cluster/reassignment-plan.js';
import type { PlacementBroker } from '../../../src/cluster/placement.js';

const brokers = (...ids: number[]): PlacementBroker[] => ids.map((brokerId) => ({ brokerId, rack: null }));

/** The replica lists after applying the plan. */
function apply(parts: PlanPartition[], plan: { partitions: PlanPartition[] }): PlanPartition[] {
  return parts.map((p) => plan.partitions.find((q) => q.topic === p.topic && q.partition === p.partition) ?? p);
}

function counts(parts: PlanPartition[], leadersOnly = false): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of parts) for (const id of leadersOnly ? p.replicas.slice(0, 1) : p.replicas) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

function moves(before: PlanPartition[], after: PlanPartition[]): number {
  return before.reduce((n, p, i) => n + p.replicas.filter((id) => !after[i].replicas.includes(id)).length, 0);
}

const sixOnThree: PlanPartition[] = [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2], [2, 1, 3], [3, 2, 1]]
  .map((replicas, partition) => ({ topic: 'orders', partition, replicas }));

test('growing 3 brokers to 4 moves the fewest replicas onto the new broker and balances', () => {
  const plan = planReassignment({ partitions: sixOnThree, brokers: brokers(1, 2, 3, 4) });
  assert.equal(plan.version, 1);
  const after = apply(sixOnThree, plan);
  const c = counts(after);
  // 18 replicas over 4 brokers: 4 or 5 each; broker 4 needs 4, so 4 moves are the fewest.
  for (const id of [1, 2, 3, 4]) assert.ok(c.get(id)! >= 4 && c.get(id)! <= 5, `broker ${id} has ${c.get(id)}`);
  assert.equal(moves(sixOnThree, after), 4);
  for (const p of after) assert.equal(new Set(p.replicas).size, 3, `${p.partition}: ${p.replicas}`);
  for (const [, n] of counts(after, true)) assert.ok(n <= 2);
  assert.ok(counts(after, true).has(4), 'the new broker leads something');
});

test('an already balanced cluster needs no moves', () => {
  const plan = planReassignment({ partitions: sixOnThree, brokers: brokers(1, 2, 3) });
  assert.deepEqual(plan.partitions, []);
});

test('a broker left out of the target set is emptied', () => {
  const parts = sixOnThree.map((p) => ({ ...p, replicas: p.replicas.slice(0, 2) }));
  const plan = planReassignment({ partitions: parts, brokers: brokers(1, 2, 4) });
  const after = apply(parts, plan);
  assert.ok(!counts(after).has(3));
  for (const p of after) assert.equal(new Set(p.replicas).size, 2);
  for (const [, n] of counts(after)) assert.equal(n, 4);
});

test('with racks, a move goes to a broker on a rack the partition does not use', () => {
  const parts: PlanPartition[] = [{ topic: 't', partition: 0, replicas: [1, 2] }, { topic: 't', partition: 1, replicas: [1, 2] }];
  const racked: PlacementBroker[] = [{ brokerId: 1, rack: 'a' }, { brokerId: 2, rack: 'b' }, { brokerId: 3, rack: 'a' }, { brokerId: 4, rack: 'c' }];
  const plan = planReassignment({ partitions: parts, brokers: racked.filter((b) => b.brokerId !== 1) });
  const after = apply(parts, plan);
  // Broker 1 (rack a) leaves: its replicas go where racks stay distinct from broker 2's rack b.
  for (const p of after) assert.ok(!p.replicas.includes(1) && p.replicas.includes(2));
  assert.deepEqual(new Set(after.map((p) => p.replicas.find((id) => id !== 2))), new Set([3, 4]));
});

test('more replicas than target brokers is refused', () => {
  assert.throws(() => planReassignment({ partitions: sixOnThree, brokers: brokers(1, 2) }), /only 2 target brokers/);
});

test('plan files are checked', () => {
  assert.deepEqual(parseReassignmentPlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}').partitions, [{ topic: 't', partition: 0, replicas: [1, 2] }]);
  assert.throws(() => parseReassignmentPlan('{'), /not JSON/);
  assert.throws(() => parseReassignmentPlan('{"version":2,"partitions":[]}'), /version/);
  assert.throws(() => parseReassignmentPlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}'), /twice/);
  assert.throws(() => parseReassignmentPlan('{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}'), /twice/);
});
