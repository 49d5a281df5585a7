// mq bench's arithmetic on fixed inputs: rates, percentiles, pacing, count shares and the /proc parsing
// behind the broker's CPU and memory figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { benchResult, formatBenchResult, mbPerSec, ratePerSec } from '../../../src/bench/bench-result.js';
import { listeningInodes, parseCpuSeconds } from '../../../src/bench/broker-process.js';
import { Histogram } from '../../../src/bench/histogram.js';
import { Pacer } from '../../../src/bench/pacer.js';
import { shareOf } from '../../../src/bench/produce-load.js';
import { sharedClockMs } from '../../../src/bench/shared-clock.js';
import { DEFAULT_BENCH_COUNT, produceOptions, type BenchFlags } from '../../../src/bench/run-bench.js';

describe('rates', () => {
  test('records/s and MB/s over the elapsed time', () => {
    assert.equal(ratePerSec(1_000_000, 800), 1_250_000);
    assert.equal(ratePerSec(3, 2000), 2); // 1.5 rounds up
    assert.equal(ratePerSec(10, 0), 0);
    assert.equal(mbPerSec(100_000_000, 800), 125);
    assert.equal(mbPerSec(1234, 1000), 0.001);
    assert.equal(mbPerSec(5, 0), 0);
  });

  test('a result from fixed samples: rates, rounded percentiles, text form', () => {
    const h = new Histogram();
    for (let i = 1; i <= 100; i++) h.record(i / 10); // 0.1 .. 10 ms
    const r = benchResult('e2e', 't', 500_000, 50_000_000, 400, h, false);
    assert.equal(r.recordsPerSec, 1_250_000);
    assert.equal(r.mbPerSec, 125);
    const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) / b <= 0.01, `${a} vs ${b}`);
    near(r.latencyMs.p50, 5);
    near(r.latencyMs.p95, 9.5);
    near(r.latencyMs.p99, 9.9);
    near(r.latencyMs.p999, 10);
    assert.equal(r.latencyMs.max, 10);
    const text = formatBenchResult({ ...r, broker: { pid: 42, cpuSeconds: 1.5, peakRssMb: 87.25 } }).join('\n');
    assert.match(text, /^produced and consumed 500,000 records \(50\.0 MB\) to t in 400 ms\n/);
    assert.match(text, /records\/s +1,250,000\nMB\/s +125\.00\n/);
    assert.match(text, /\(send -> receive\)\nbroker +cpu 1\.50 s +peak rss 87\.3 MB +\(pid 42\)$/);
  });

  test('percentiles of a skewed sample: 990 fast, 10 slow', () => {
    const h = new Histogram();
    for (let i = 0; i < 990; i++) h.record(0.2);
    for (let i = 0; i < 10; i++) h.record(40);
    const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) / b <= 0.01, `${a} vs ${b}`);
    near(h.percentile(50), 0.2);
    near(h.percentile(99), 0.2); // rank 990 is still a fast one
    assert.ok(Math.abs(h.percentile(99.9) - 40) / 40 <= 0.01);
    assert.equal(h.max, 40);
  });
});

describe('Pacer', () => {
  test('record i is due i/rate seconds after the start; late senders do not wait', () => {
    const p = new Pacer(10_000, 1000);
    assert.equal(p.paced, true);
    assert.equal(p.waitMs(0, 1000), 0);
    assert.ok(Math.abs(p.waitMs(5, 1000) - 0.5) < 1e-9);
    assert.ok(Math.abs(p.waitMs(10_000, 1500) - 500) < 1e-9);
    assert.equal(p.waitMs(10, 1002), 0);
  });

  test('no rate means no waiting', () => {
    for (const rate of [Infinity, 0]) {
      const p = new Pacer(rate, 0);
      assert.equal(p.paced, false);
      assert.equal(p.waitMs(1e9, 0), 0);
    }
  });
});

test('shareOf splits a count evenly, the first producers taking the remainder', () => {
  assert.deepEqual([0, 1, 2].map((i) => shareOf(10, i, 3)), [4, 3, 3]);
  assert.deepEqual([0, 1].map((i) => shareOf(1, i, 2)), [1, 0]);
  assert.equal(shareOf(Infinity, 1, 4), Infinity);
});

test('produceOptions: --duration alone lifts the count; --flush-policy becomes a topic config', () => {
  const flags: BenchFlags = {
    bootstrap: ['127.0.0.1:9092'], recordSize: 100, partitions: 1, producers: 1, acks: 1, lingerMs: 5,
    batchSize: 65536, compression: 'none', timeoutMs: 60_000,
  };
  assert.equal(produceOptions(flags, 't').count, DEFAULT_BENCH_COUNT);
  assert.equal(produceOptions(flags, 't').topicConfigs, undefined);
  const timed = produceOptions({ ...flags, duration: 3, rate: 10_000, flushPolicy: 'batch' }, 't');
  assert.equal(timed.count, Infinity);
  assert.equal(timed.durationMs, 3000);
  assert.equal(timed.ratePerSec, 10_000);
  assert.deepEqual(timed.topicConfigs, { 'flush.policy': 'batch' });
  assert.equal(produceOptions({ ...flags, duration: 3, count: 7 }, 't').count, 7);
});

describe('/proc parsing', () => {
  test('CPU seconds are utime + stime (fields 14, 15) in ticks of 1/100 s, even with spaces in the name', () => {
    const stat = '4242 (node mq (x)) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 566 0 0 20 0 11 0 100 1000000 20000 18446744073709551615';
    assert.equal(parseCpuSeconds(stat), 18);
  });

  test('listening sockets by port from /proc/net/tcp', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:4A39 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:4A39 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 777777 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(listeningInodes(table, 0x4a39), ['123456']); // the established one is not listening
    assert.deepEqual(listeningInodes(table, 8080), ['999']);
    assert.deepEqual(listeningInodes(table, 9092), []);
  });
});

describe('histogram state (e2e consumer process -> bench)', () => {
  test('a histogram survives toState/fromState with its percentiles, min and max', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 100); // 0.01 .. 10 ms
    const state = JSON.parse(JSON.stringify(h.toState())) as ReturnType<Histogram['toState']>;
    const back = Histogram.fromState(state);
    assert.equal(back.count, 1000);
    assert.deepEqual(back.summary(), h.summary());
    assert.equal(back.max, 10);
  });

  test('an empty histogram stays empty', () => {
    const back = Histogram.fromState(new Histogram().toState());
    assert.equal(back.count, 0);
    assert.deepEqual(back.summary(), { p50: 0, p95: 0, p99: 0, p999: 0, max: 0 });
  });
});

describe('shared clock', () => {
  test('reads CLOCK_MONOTONIC (process.hrtime) in ms, the clock another process on the machine reads too', () => {
    const before = Number(process.hrtime.bigint()) / 1e6;
    const shared = sharedClockMs();
    const after = Number(process.hrtime.bigint()) / 1e6;
    // A wide margin: only which clock it is matters here (performance.now() or Date.now() would be far off).
    assert.ok(shared >= before - 50 && shared <= after + 50, `${before} <= ${shared} <= ${after}`);
  });
});
