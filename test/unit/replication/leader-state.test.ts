// The leader's replication rules with time passed in: caught-up tracking, ISR shrink after the lag time
// (and past replica.lag.max.messages), ISR expansion at the high watermark, high watermark = smallest
// log end offset over the ISR and never decreasing, and the pending-change ("maximal ISR") rule.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderState } from '../../../src/replication/leader-state.js';

const LAG = { replicaLagTimeMaxMs: 1000, replicaLagMaxMessages: -1 };

/** Leader 1 with followers 2 and 3, all in the ISR, log end 0, at time 0. */
function fresh(opts: { isr?: number[]; hwm?: number; epochStart?: number; now?: number } = {}): LeaderState {
  return new LeaderState(1, [1, 2, 3], opts.isr ?? [1, 2, 3], opts.hwm ?? 0, opts.epochStart ?? 0, opts.now ?? 0);
}

describe('LeaderState high watermark', () => {
  test('is the smallest log end offset over the ISR, the leader included', () => {
    const s = fresh();
    assert.equal(s.updateHighWatermark(10), false, 'followers unknown: no advance');
    s.updateFollower(2, 7, 10, 1);
    assert.equal(s.updateHighWatermark(10), false, 'follower 3 still unknown');
    s.updateFollower(3, 5, 10, 1);
    assert.equal(s.updateHighWatermark(10), true);
    assert.equal(s.highWatermark, 5);
    s.updateFollower(3, 10, 10, 2);
    s.updateHighWatermark(10);
    assert.equal(s.highWatermark, 7);
    s.updateFollower(2, 12, 12, 3);
    s.updateHighWatermark(9);
    assert.equal(s.highWatermark, 9, 'the leader\'s own end caps it');
  });

  test('never decreases while leader, even when a follower reports a lower offset', () => {
    const s = fresh({ hwm: 4 });
    s.updateFollower(2, 8, 8, 1);
    s.updateFollower(3, 8, 8, 1);
    s.updateHighWatermark(8);
    assert.equal(s.highWatermark, 8);
    s.updateFollower(3, 2, 8, 2);
    assert.equal(s.updateHighWatermark(8), false);
    assert.equal(s.highWatermark, 8);
  });

  test('starts where the replica last knew it and ignores followers outside the ISR', () => {
    const s = fresh({ isr: [1, 2], hwm: 3 });
    assert.equal(s.highWatermark, 3);
    s.updateFollower(2, 6, 6, 1);
    s.updateHighWatermark(6);
    assert.equal(s.highWatermark, 6, 'follower 3 (not in the ISR, never fetched) does not hold it back');
  });

  test('a pending expansion counts the joining follower; a pending shrink keeps the leaving one', () => {
    const s = fresh({ isr: [1, 2] });
    s.updateFollower(2, 10, 10, 1);
    s.updateFollower(3, 4, 10, 1);
    s.pendingIsr = [1, 2, 3];
    s.updateHighWatermark(10);
    assert.equal(s.highWatermark, 4, 'joining follower 3 counts at once');
    s.pendingIsr = null;
    s.adoptIsr([1, 2, 3]);
    const t = fresh();
    t.updateFollower(2, 10, 10, 1);
    t.pendingIsr = [1, 2];
    assert.equal(t.updateHighWatermark(10), false, 'leaving follower 3 (unknown end) still counts until stored');
    t.pendingIsr = null;
    t.adoptIsr([1, 2]);
    assert.equal(t.updateHighWatermark(10), true);
    assert.equal(t.highWatermark, 10);
  });
});

describe('LeaderState ISR', () => {
  test('a follower fetching at the leader\'s end stays in; one not caught up for the lag time leaves', () => {
    const s = fresh({ now: 0 });
    for (let t = 100; t <= 3000; t += 100) {
      s.updateFollower(2, 50, 50, t);
      s.updateFollower(3, 10, 50, t);
    }
    // 3 was caught up only as of the start (time 0); the lag time is 1000 ms.
    assert.deepEqual(s.outOfSyncReplicas(50, 3000, LAG), [3]);
    assert.deepEqual(s.shrunkIsr(50, 3000, LAG), [1, 2]);
  });

  test('caught up as of the previous fetch when it reaches the leader\'s end at that fetch', () => {
    const s = fresh({ isr: [1, 2], now: 0 });
    s.updateFollower(2, 0, 10, 100);   // leader end 10 at this fetch
    s.updateFollower(2, 10, 20, 900);  // reaches 10: caught up as of time 100
    assert.equal(s.followers.get(2)!.lastCaughtUpTimeMs, 100);
    assert.deepEqual(s.outOfSyncReplicas(20, 1050, LAG), [], 'caught up at 100, within 1000 ms at 1050');
    assert.deepEqual(s.outOfSyncReplicas(20, 1150, LAG), [2], 'not caught up since 100');
  });

  test('followers count as caught up when the leader starts, and nobody is dropped before the lag time', () => {
    const s = fresh({ now: 5000 });
    assert.deepEqual(s.outOfSyncReplicas(0, 5900, LAG), []);
    assert.deepEqual(s.outOfSyncReplicas(0, 6001, LAG), [2, 3]);
  });

  test('replica.lag.max.messages drops a follower further behind than that', () => {
    const s = fresh();
    s.updateFollower(2, 100, 100, 10);
    s.updateFollower(3, 40, 100, 10);
    const limits = { replicaLagTimeMaxMs: 60_000, replicaLagMaxMessages: 50 };
    assert.deepEqual(s.outOfSyncReplicas(100, 20, limits), [3]);
  });

  test('the leader itself is never dropped', () => {
    const s = fresh({ isr: [1] });
    assert.equal(s.shrunkIsr(100, 1_000_000, LAG), null);
  });

  test('a follower outside the ISR joins once it reaches the high watermark and the epoch start', () => {
    const s = fresh({ isr: [1, 2], epochStart: 5 });
    s.updateFollower(2, 20, 20, 1);
    s.updateHighWatermark(20);
    assert.equal(s.highWatermark, 20);
    s.updateFollower(3, 19, 20, 2);
    assert.equal(s.expandedIsr(3), null, 'one short of the high watermark');
    s.updateFollower(3, 20, 20, 3);
    assert.deepEqual(s.expandedIsr(3), [1, 2, 3], 'in replica order');
    assert.equal(s.expandedIsr(2), null, 'already in');
    s.pendingIsr = [1, 2, 3];
    assert.equal(s.expandedIsr(3), null, 'one change at a time');
  });

  test('below the start of the leader\'s epoch a follower does not join, even at the high watermark', () => {
    const s = fresh({ isr: [1], hwm: 0, epochStart: 8 });
    s.updateFollower(2, 4, 10, 1);
    s.updateHighWatermark(10);
    assert.equal(s.highWatermark, 10);
    assert.equal(s.expandedIsr(2), null);
    s.updateFollower(2, 10, 10, 2);
    assert.deepEqual(s.expandedIsr(2), [1, 2]);
  });

  test('adopting a new replica list forgets removed followers', () => {
    const s = fresh();
    s.updateFollower(3, 1, 1, 1);
    s.adoptIsr([1, 2], [1, 2, 4]);
    assert.equal(s.followers.has(3), false);
    assert.deepEqual(s.replicas, [1, 2, 4]);
  });
});
