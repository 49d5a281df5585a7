// The side-by-side table of bench/compare.sh on a fixed report: figures, n/a for what a peer was not
// measured on, and ratios oriented so that >1x always means mq is better.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCompare, type CompareReport } from '../../../src/bench/compare.js';

test('ratios: throughput mq/peer, latency peer/mq; n/a and blank ratios where a peer has no figure', () => {
  const report: CompareReport = {
    recordSize: 100, count: 1_000_000,
    machine: { loopbackMbPerSec: 4200, diskDsyncMbPerSec: 310, fdatasyncsPerSec: 4750 },
    rows: [
      { label: 'produce', mq: 1_200_000, nats: 300_000, redis: 600_000, unit: 'rec/s', higherIsBetter: true },
      { label: 'p50 ms', mq: 2, nats: 5, redis: 1, unit: 'ms', higherIsBetter: false },
      { label: 'fsync', mq: 800_000, nats: null, redis: 160_000, unit: 'rec/s', higherIsBetter: true },
    ],
    mq: {},
  };
  const lines = formatCompare(report);
  assert.match(lines[0], /^1,000,000 records of 100 B/);
  assert.match(lines[1], /^MEASURE +MQ +NATS JETSTREAM +REDIS STREAMS +MQ VS NATS +MQ VS REDIS$/);
  assert.match(lines[2], /^produce +1,200,000 +300,000 +600,000 +4\.00x +2\.00x$/);
  assert.match(lines[3], /^p50 ms +2 +5 +1 +2\.50x +0\.50x$/);
  assert.match(lines[4], /^fsync +800,000 +n\/a +160,000 +5\.00x$/);
  assert.match(lines.at(-1)!, /loopback TCP 4,200 MB\/s .*disk 310 MB\/s .*4,750 fdatasyncs\/s/);
});
