// The reassignment throttle's arithmetic on an injected clock: the token bucket refills at its rate up to
// one second of it, goes into debt on an overshoot and pays it back before granting again, and never lets
// more than capacity + rate x time (+ the overshoot) through; ReplicationThrottle throttles only the
// partitions where this broker is an adding replica of a throttled reassignment, at the smallest rate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from '../../../src/replication/token-bucket.js';
import { ReplicationThrottle } from '../../../src/replication/replication-throttle.js';
import type { Reassignment } from '../../../src/cluster/replica-restore.js';

test('the token bucket refills at its rate up to its capacity, and debt delays the next grant', () => {
  let now = 0;
  const b = new TokenBucket({ rateBytesPerSec: 1000, now: () => now });
  assert.equal(b.capacityBytes, 1000);
  assert.equal(b.available(), 1000, 'starts full');
  b.consume(1500); // a response bigger than the tokens (the leader's first batch is always whole)
  assert.equal(b.available(), 0);
  assert.equal(b.msUntil(1), 501);
  now = 500;
  assert.equal(b.available(), 0, 'still paying back the debt');
  now = 1000;
  assert.equal(b.available(), 500);
  now = 60_000;
  assert.equal(b.available(), 1000, 'idle time saves at most one second of the rate');
  b.setRate(100);
  assert.equal(b.available(), 100, 'a lower rate drops tokens above the new capacity');
  assert.equal(b.msUntil(50), 0);
});

test('over a long run the bucket lets through at most capacity + rate x time + one overshoot', () => {
  let now = 0;
  const rate = 2_000_000;
  const b = new TokenBucket({ rateBytesPerSec: rate, now: () => now });
  let through = 0;
  const batch = 700_000; // whole batches bigger than some grants
  for (let step = 0; step < 10_000; step++) {
    now += 7; // a fetch loop every 7 ms
    const grant = b.available();
    if (grant === 0) continue;
    const got = Math.max(batch, Math.min(grant, 1_000_000)); // at least one whole batch
    b.consume(got);
    through += got;
  }
  const allowed = b.capacityBytes + (rate * now) / 1000 + batch;
  assert.ok(through <= allowed, `${through} <= ${allowed}`);
  assert.ok(through >= (rate * now) / 1000 - batch, `${through} close to the rate (${(rate * now) / 1000})`);
});

test('only partitions where this broker is a throttled adding replica are throttled, at the smallest rate', () => {
  let now = 0;
  const records = new Map<string, Reassignment>([
    ['a/0', { target: [4, 2], adding: [4], removing: [1], throttleBytesPerSec: 5000 }],
    ['a/1', { target: [4, 3], adding: [4], removing: [1], throttleBytesPerSec: 3000 }],
    ['b/0', { target: [4, 2], adding: [4], removing: [1] }], // unthrottled move
    ['c/0', { target: [5, 2], adding: [5], removing: [1], throttleBytesPerSec: 1000 }], // another broker catches up
  ]);
  const t = new ReplicationThrottle({ localId: 4, reassignments: () => records, now: () => now });
  assert.equal(t.rateFor('a/0'), 5000);
  assert.equal(t.rateFor('b/0'), null);
  assert.equal(t.rateFor('c/0'), null);
  assert.equal(t.rateFor('d/0'), null, 'an ordinary follower');
  const throttled = t.throttled(['a/0', 'a/1', 'b/0', 'c/0', 'd/0']);
  assert.deepEqual([...throttled].sort(), ['a/0', 'a/1']);
  assert.equal(t.grant(2), 1500, 'the shared bucket (3000 B/s, one second saved) split over two partitions');
  t.received(3000);
  assert.equal(t.grant(2), 0, 'empty: leave them out');
  assert.equal(t.waitMs(2), 1000);
  now = 1000;
  assert.equal(t.grant(2), 1500);
  const v = t.view();
  assert.equal(v.rateBytesPerSec, 3000);
  assert.deepEqual(v.partitions, ['a/0', 'a/1']);
  assert.equal(v.throttledBytes, 3000);
  assert.equal(v.deferredFetches, 1);
  // The throttle goes with the record.
  records.delete('a/0');
  records.delete('a/1');
  assert.equal(t.throttled(['a/0', 'a/1', 'b/0']).size, 0);
  assert.equal(t.view().rateBytesPerSec, null);
});

test('a tiny rate still makes progress and never grants while in debt', () => {
  let now = 0;
  const records = new Map<string, Reassignment>([
    ['a/0', { target: [4], adding: [4], removing: [1], throttleBytesPerSec: 1 }],
    ['a/1', { target: [4], adding: [4], removing: [1], throttleBytesPerSec: 1 }],
  ]);
  const t = new ReplicationThrottle({ localId: 4, reassignments: () => records, now: () => now });
  t.throttled(['a/0', 'a/1']);
  assert.equal(t.grant(2), 1, 'one byte each from a full one-byte bucket');
  t.received(16_000); // the leader's first whole batch
  assert.equal(t.grant(2), 0);
  assert.equal(t.waitMs(2), 16_000 * 1000);
  now = 15_000_000;
  assert.equal(t.grant(2), 0, 'still in debt');
  now = 16_000_000;
  assert.equal(t.grant(2), 1);
});
