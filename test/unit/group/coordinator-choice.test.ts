// Rendezvous hashing of group ids over live brokers: deterministic, spread evenly, and a change in
// the broker list moves only the groups that must move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coordinatorFor } from '../../../src/group/coordinator-choice.js';

const groups = Array.from({ length: 3000 }, (_v, i) => `group-${i}`);

test('no live broker: -1; one broker: always that one', () => {
  assert.equal(coordinatorFor('g', []), -1);
  for (const g of groups.slice(0, 50)) assert.equal(coordinatorFor(g, [7]), 7);
});

test('deterministic and independent of the order of the broker list', () => {
  for (const g of groups.slice(0, 200)) {
    assert.equal(coordinatorFor(g, [1, 2, 3, 4]), coordinatorFor(g, [4, 2, 3, 1]));
  }
});

test('spreads groups over the brokers', () => {
  const counts = new Map<number, number>();
  for (const g of groups) {
    const id = coordinatorFor(g, [1, 2, 3]);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [1, 2, 3]);
  for (const n of counts.values()) assert.ok(n > 800 && n < 1200, `each broker gets about a third, got ${[...counts.values()]}`);
});

test('removing a broker moves only its groups; adding one moves groups only to it', () => {
  let movedToNew = 0;
  for (const g of groups) {
    const before = coordinatorFor(g, [1, 2, 3]);
    const without2 = coordinatorFor(g, [1, 3]);
    if (before !== 2) assert.equal(without2, before, `${g} stays on ${before}`);
    const with4 = coordinatorFor(g, [1, 2, 3, 4]);
    if (with4 !== before) {
      assert.equal(with4, 4);
      movedToNew++;
    }
  }
  assert.ok(movedToNew > 600 && movedToNew < 900, `about a quarter moves to the new broker, got ${movedToNew}`);
});
