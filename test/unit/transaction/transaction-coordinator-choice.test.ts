// Which broker coordinates a transactional id: the same answer everywhere, a spread over the brokers,
// and only the ids of a departed broker move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transactionCoordinatorFor } from '../../../src/transaction/transaction-coordinator-choice.js';

const ids = Array.from({ length: 3000 }, (_, i) => `producer-${i}`);

test('the same id picks the same live broker, whatever the order of the list; -1 with none live', () => {
  for (const id of ids.slice(0, 50)) assert.equal(transactionCoordinatorFor(id, [1, 2, 3]), transactionCoordinatorFor(id, [3, 1, 2]));
  assert.equal(transactionCoordinatorFor('tx', []), -1);
  assert.equal(transactionCoordinatorFor('tx', [7]), 7);
});

test('ids spread over the brokers, and when one leaves only its ids move', () => {
  const before = new Map(ids.map((id) => [id, transactionCoordinatorFor(id, [1, 2, 3])]));
  const counts = [1, 2, 3].map((b) => [...before.values()].filter((x) => x === b).length);
  for (const c of counts) assert.ok(c > 800 && c < 1200, `about a third each: ${counts.join(', ')}`);
  for (const id of ids) {
    const after = transactionCoordinatorFor(id, [1, 3]);
    if (before.get(id) !== 2) assert.equal(after, before.get(id), `${id} stays where it was`);
  }
});
