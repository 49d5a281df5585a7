// Quota resolution by Kafka's precedence, and the sampled rate's throttle: a simulated client that waits
// out each throttle it is given settles at the quota (what a real producer under a 1 MB/s quota does).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidateEntities, resolveQuota, SampledRate, TokenBucket, type QuotaEntry } from '../../../src/security/quota.js';

describe('quota resolution', () => {
  const entries: QuotaEntry[] = [
    { entity: { clientId: null }, values: { producer_byte_rate: 1 } },
    { entity: { clientId: 'etl' }, values: { producer_byte_rate: 2 } },
    { entity: { user: null }, values: { producer_byte_rate: 3, consumer_byte_rate: 30 } },
    { entity: { user: 'alice' }, values: { producer_byte_rate: 4 } },
    { entity: { user: 'alice', clientId: 'etl' }, values: { producer_byte_rate: 5 } },
  ];

  test('the most specific configured entity wins, key by key', () => {
    assert.equal(resolveQuota(entries, 'alice', 'etl', 'producer_byte_rate')?.bound, 5);
    assert.equal(resolveQuota(entries, 'alice', 'other', 'producer_byte_rate')?.bound, 4);
    assert.equal(resolveQuota(entries, 'alice', 'other', 'consumer_byte_rate')?.bound, 30, 'alice has no consumer quota of her own: the default user\'s');
    assert.equal(resolveQuota(entries, 'bob', 'etl', 'producer_byte_rate')?.bound, 3, 'default user comes before client-id');
    assert.equal(resolveQuota(entries.slice(0, 2), 'bob', 'etl', 'producer_byte_rate')?.bound, 2);
    assert.equal(resolveQuota(entries.slice(0, 2), 'bob', 'x', 'producer_byte_rate')?.bound, 1);
    assert.equal(resolveQuota([], 'bob', 'x', 'producer_byte_rate'), undefined);
    assert.equal(candidateEntities('u', 'c').length, 8);
  });
});

describe('SampledRate', () => {
  /** A client sending `chunk` units as often as its throttles let it, for `seconds`; its rate over the second half. */
  function obeyingClient(bound: number, chunk: number, seconds: number): number {
    const r = new SampledRate({ samples: 11, windowMs: 1000 });
    let blockedUntil = 0;
    let sentLate = 0;
    for (let t = 0; t < seconds * 1000; t += 5) {
      if (t < blockedUntil) continue;
      r.record(chunk, t);
      if (t >= (seconds * 1000) / 2) sentLate += chunk;
      blockedUntil = t + r.throttleMs(bound, t);
    }
    return sentLate / (seconds / 2);
  }

  test('a client that waits out its throttles settles at the quota (within 10%)', () => {
    for (const [bound, chunk] of [[1_000_000, 65_536], [1_000_000, 16_384], [50_000_000, 1_048_576]]) {
      const rate = obeyingClient(bound, chunk, 120);
      assert.ok(Math.abs(rate - bound) / bound < 0.1, `quota ${bound}/s, chunks of ${chunk}: settled at ${Math.round(rate)}/s`);
    }
  });

  test('under the quota nothing is throttled; far over it the throttle is capped at the whole sample span', () => {
    const r = new SampledRate({ samples: 11, windowMs: 1000 });
    r.record(500, 0);
    assert.equal(r.throttleMs(1000, 10), 0);
    r.record(1e9, 20);
    assert.equal(r.throttleMs(1000, 30), 11_000);
  });

  test('a first burst is measured over samples-1 windows, not over the milliseconds it took', () => {
    const r = new SampledRate({ samples: 11, windowMs: 1000 });
    r.record(10_000, 0);
    assert.ok(Math.abs(r.rate(1) - 1000) < 1, `rate ${r.rate(1)}`);
  });
});

describe('TokenBucket (what the broker throttles with)', () => {
  /** A client sending `chunk` units as often as its throttles let it; the units sent by each ms mark. */
  function obeyingClient(bound: number, chunk: number, seconds: number): (atMs: number) => number {
    const b = new TokenBucket(1000);
    const marks: [number, number][] = [];
    let sent = 0;
    for (let t = 0; t < seconds * 1000;) {
      const holdMs = b.record(chunk, bound, t);
      sent += chunk;
      marks.push([t, sent]);
      t += holdMs + 5;
    }
    return (atMs) => marks.filter(([t]) => t <= atMs).at(-1)?.[1] ?? 0;
  }

  test('any 30 s of a client that waits out its throttles are within 5% of the quota (1 MiB/s; 64 KiB, 256 KiB and 1 MiB requests)', () => {
    for (const chunk of [65_536, 262_144, 1_048_576]) {
      const sentBy = obeyingClient(1_048_576, chunk, 120);
      for (let from = 0; from <= 90_000; from += 7_000) {
        const rate = (sentBy(from + 30_000) - sentBy(from)) / 30;
        assert.ok(Math.abs(rate - 1_048_576) / 1_048_576 < 0.05, `chunks of ${chunk}, ${from / 1000}..${from / 1000 + 30} s: ${Math.round(rate)}/s`);
      }
    }
  });

  test('one window of credit, then a debt repaid at the quota', () => {
    const b = new TokenBucket(1000);
    assert.equal(b.record(1000, 1000, 0), 0, 'a full second of credit');
    assert.equal(b.record(500, 1000, 0), 500, '500 units over: half a second');
    assert.equal(b.record(0, 1000, 500), 0, 'repaid after the hold');
    assert.equal(b.record(2000, 1000, 10_000), 1000, 'credit never exceeds one window');
  });
});
