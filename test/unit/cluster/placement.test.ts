// Replica placement: even leaders and replicas, never two replicas of a partition on one broker,
// rack spread when racks are set, existing load taken into account, and clear refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeReplicas, type PlacementBroker } from '../../../src/cluster/placement.js';

const three: PlacementBroker[] = [{ brokerId: 1, rack: null }, { brokerId: 2, rack: null }, { brokerId: 3, rack: null }];

function counts(lists: number[][], leadersOnly: boolean): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of lists) for (const id of leadersOnly ? l.slice(0, 1) : l) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

test('6 partitions with replication factor 1 put 2 leaders on each of 3 brokers', () => {
  const out = placeReplicas({ brokers: three, count: 6, replicationFactor: 1 });
  assert.equal(out.length, 6);
  assert.deepEqual([...counts(out, true).entries()].sort(), [[1, 2], [2, 2], [3, 2]]);
});

test('replication factor 3: distinct replicas, even leaders and replicas', () => {
  const out = placeReplicas({ brokers: three, count: 6, replicationFactor: 3 });
  for (const l of out) assert.equal(new Set(l).size, 3, `duplicate replica in ${l}`);
  assert.deepEqual([...counts(out, true).values()], [2, 2, 2]);
  assert.deepEqual([...counts(out, false).values()], [6, 6, 6]);
});

test('replication factor 2 over 5 brokers spreads replicas within one of each other', () => {
  const brokers = [1, 2, 3, 4, 5].map((brokerId) => ({ brokerId, rack: null }));
  const out = placeReplicas({ brokers, count: 7, replicationFactor: 2 });
  const r = [...counts(out, false).values()];
  assert.ok(Math.max(...r) - Math.min(...r) <= 1, `uneven replicas ${r}`);
  const l = [...counts(out, true).values()];
  assert.ok(Math.max(...l) - Math.min(...l) <= 1, `uneven leaders ${l}`);
  for (const list of out) assert.notEqual(list[0], list[1]);
});

test('rack-aware: every partition spans both racks when it can', () => {
  const brokers = [{ brokerId: 1, rack: 'a' }, { brokerId: 2, rack: 'a' }, { brokerId: 3, rack: 'b' }, { brokerId: 4, rack: 'b' }];
  const out = placeReplicas({ brokers, count: 8, replicationFactor: 2 });
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
  for (const l of out) assert.notEqual(rackOf.get(l[0]), rackOf.get(l[1]), `partition ${l} sits on one rack`);
  assert.deepEqual([...counts(out, false).values()], [4, 4, 4, 4]);
});

test('existing load steers new partitions to the least loaded brokers', () => {
  const out = placeReplicas({ brokers: three, count: 2, replicationFactor: 1, existing: [[1], [1], [2]] });
  assert.deepEqual(out.map((l) => l[0]).sort(), [2, 3]);
});

test('the result does not depend on the order brokers are listed in', () => {
  const a = placeReplicas({ brokers: three, count: 5, replicationFactor: 2 });
  const b = placeReplicas({ brokers: [...three].reverse(), count: 5, replicationFactor: 2 });
  assert.deepEqual(a, b);
});

test('a replication factor above the live broker count is refused', () => {
  assert.throws(() => placeReplicas({ brokers: three, count: 1, replicationFactor: 4 }), (err: Error & { code?: string }) => err.code === 'INVALID_REPLICATION_FACTOR' && /3 live brokers/.test(err.message));
  assert.throws(() => placeReplicas({ brokers: three, count: 1, replicationFactor: 0 }), /at least 1/);
});
