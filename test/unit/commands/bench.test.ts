import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBenchResult } from '../../../src/bench/bench-result.js';
import { runConsumeBench } from '../../../src/bench/consume-bench.js';
import { Histogram } from '../../../src/bench/histogram.js';
import { runProduceBench } from '../../../src/bench/produce-bench.js';
import type { Admin, ConsumedRecord, Consumer, Producer } from '../../../src/client/types.js';
import { MqError } from '../../../src/util/mq-error.js';
import { decodedFromRecords } from '../../helpers/fake-decoded.js';

describe('Histogram', () => {
  test('percentiles of 1..1000 ms are within 1%', () => {
    const h = new Histogram();
    for (let i = 1000; i >= 1; i--) h.record(i);
    assert.equal(h.count, 1000);
    const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) / expected <= 0.01, `${actual} vs ${expected}`);
    close(h.percentile(50), 500);
    close(h.percentile(95), 950);
    close(h.percentile(99), 990);
    close(h.percentile(99.9), 999);
    assert.equal(h.max, 1000);
    assert.equal(h.summary().max, 1000);
  });

  test('equal samples give that value exactly; empty gives 0; sub-microsecond and huge values are clamped into range', () => {
    const h = new Histogram();
    assert.deepEqual(h.summary(), { p50: 0, p95: 0, p99: 0, p999: 0, max: 0 });
    for (let i = 0; i < 10; i++) h.record(2.5);
    assert.equal(h.percentile(50), 2.5);
    assert.equal(h.percentile(99.9), 2.5);
    const g = new Histogram();
    g.record(0);
    g.record(1e9);
    assert.equal(g.percentile(1), 0);
    assert.equal(g.max, 1e9);
  });
});

function fakeAdmin(existing: string[]): Admin & { created: string[] } {
  const created: string[] = [];
  return {
    created,
    async createTopic({ topic }) {
      if (existing.includes(topic)) throw new MqError('TOPIC_ALREADY_EXISTS', `topic ${topic} already exists`);
      created.push(topic);
    },
  } as Admin & { created: string[] };
}

describe('runProduceBench', () => {
  test('sends count records of record-size bytes, creates the topic, reports rates and latency', async () => {
    const admin = fakeAdmin([]);
    const sizes = new Set<number>();
    let sent = 0;
    const producer: Producer = {
      async send(r) { sent++; sizes.add(r.value!.length); await new Promise((res) => setImmediate(res)); return { topic: r.topic, partition: 0, offset: 0, timestamp: 0 }; },
      async waitForCapacity() {},
      async flush() {},
      async close() {},
    };
    const r = await runProduceBench(admin, producer, { topic: 'b1', recordSize: 100, count: 500, partitions: 2, timeoutMs: 60_000 });
    assert.deepEqual(admin.created, ['b1']);
    assert.equal(sent, 501); // one warm-up record (metadata before the clock starts), not counted
    assert.deepEqual([...sizes], [100]);
    assert.equal(r.records, 500);
    assert.equal(r.bytes, 50_000);
    assert.ok(r.recordsPerSec > 0 && r.mbPerSec > 0);
    assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max);
    assert.equal(r.timedOut, false);
    assert.match(formatBenchResult(r).join('\n'), /^produced 500 records \(0\.1 MB\) to b1 in .*\nrecords\/s +[\d,]+\nMB\/s +[\d.]+\nlatency ms +p50 [\d.]+ +p95 [\d.]+ +p99 [\d.]+ +p99\.9 [\d.]+ +max [\d.]+/);
  });

  test('an existing topic is used; a failed record fails the bench with its error', async () => {
    const producer: Producer = {
      async send() { throw new MqError('NOT_ENOUGH_REPLICAS', 'fewer in-sync replicas than min.insync.replicas'); },
      async waitForCapacity() {},
      async flush() {},
      async close() {},
    };
    await assert.rejects(
      runProduceBench(fakeAdmin(['b2']), producer, { topic: 'b2', recordSize: 10, count: 100, partitions: 1, timeoutMs: 60_000 }),
      (e: unknown) => e instanceof MqError && /NOT_ENOUGH_REPLICAS|fewer in-sync/.test(e.message),
    );
  });
});

describe('runConsumeBench', () => {
  test('reads from the beginning up to the end (or count) and records fetch waits', async () => {
    const rec = (offset: number): ConsumedRecord => ({ topic: 'c', partition: 0, offset, timestamp: 0, timestampType: 0, key: null, value: Buffer.alloc(10), headers: [] });
    let assigned: unknown = null;
    let exitAtEnd: boolean | undefined;
    const consumer: Consumer = {
      async assign(a) { assigned = a; },
      records(opts) {
        exitAtEnd = opts?.exitAtEnd;
        return (async function* () {
          for (let batch = 0; batch < 10; batch++) {
            await new Promise((res) => setTimeout(res, 1)); // one "fetch"
            for (let i = 0; i < 100; i++) yield rec(batch * 100 + i);
          }
        })();
      },
      decoded(decode, opts) {
        return decodedFromRecords(this.records(opts), decode);
      },
      async close() {},
    };
    const all = await runConsumeBench(consumer, { topic: 'c', timeoutMs: 60_000 });
    assert.deepEqual(assigned, [{ topic: 'c', start: { kind: 'beginning' } }]);
    assert.equal(exitAtEnd, true);
    assert.equal(all.records, 1000);
    assert.equal(all.bytes, 10_000);
    assert.ok(all.latencyMs.p50 >= 0.5, `fetch waits measured: ${JSON.stringify(all.latencyMs)}`);
    const some = await runConsumeBench(consumer, { topic: 'c', count: 250, timeoutMs: 60_000 });
    assert.equal(some.records, 250);
  });
});
