// Latency histogram percentiles, record counting from batch headers, and the Prometheus text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrokerMetrics, countRecords } from '../../../src/metrics/broker-metrics.js';
import { bucketBoundSeconds, LatencyHistogram } from '../../../src/metrics/latency-histogram.js';
import { renderPrometheus } from '../../../src/metrics/prometheus-text.js';
import type { StatusView } from '../../../src/metrics/views.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';

function batch(records: number): Buffer {
  const b = new RecordBatchBuilder();
  for (let i = 0; i < records; i++) b.append(null, Buffer.from(`value-${i}`), [], 1700000000000 + i);
  return b.build();
}

describe('LatencyHistogram', () => {
  test('percentiles land within one bucket (19%) of the true value', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.observe(i / 1000); // 1 ms .. 1 s
    assert.equal(h.count, 1000);
    for (const [q, truth] of [[0.5, 0.5], [0.99, 0.99], [0.999, 0.999]]) {
      const got = h.quantileSeconds(q);
      assert.ok(got >= truth && got <= truth * 1.19 + 1e-9, `q${q}: ${got} vs ${truth}`);
    }
    assert.equal(h.maxSeconds, 1);
    assert.ok(Math.abs(h.sumSeconds - 500.5) < 1e-6);
  });

  test('empty reports 0; values beyond the last bound go to the overflow bucket', () => {
    const h = new LatencyHistogram();
    assert.equal(h.quantileSeconds(0.99), 0);
    h.observe(1000);
    assert.equal(h.quantileSeconds(0.5), 1000);
    assert.equal(h.cumulativeBuckets().at(-1)!.count, 0, 'not below the largest finite bound');
  });

  test('cumulative buckets are monotonic at powers of two', () => {
    const h = new LatencyHistogram();
    for (const v of [0.00001, 0.0001, 0.001, 0.01, 0.1]) h.observe(v);
    const b = h.cumulativeBuckets();
    assert.equal(b[0].leSeconds, bucketBoundSeconds(0));
    for (let i = 1; i < b.length; i++) {
      assert.ok(b[i].count >= b[i - 1].count);
      assert.ok(Math.abs(b[i].leSeconds / b[i - 1].leSeconds - 2) < 1e-9);
    }
    assert.equal(b.find((x) => x.leSeconds >= 0.001)!.count, 3);
  });
});

describe('BrokerMetrics', () => {
  test('counts records from batch headers, across several batches in one chunk', () => {
    const one = batch(7);
    const two = batch(5);
    assert.equal(countRecords(Buffer.concat([one, two])), 12);
    const m = new BrokerMetrics();
    m.recordAppend('t', 0, one);
    m.recordAppend('t', 1, two);
    m.recordFetch('t', 0, [Buffer.concat([one, one])]);
    assert.deepEqual({ ...m.partition('t', 0) }, { bytesIn: one.length, recordsIn: 7, bytesOut: 2 * one.length, recordsOut: 14 });
    assert.deepEqual(m.totals(), { bytesIn: one.length + two.length, recordsIn: 12, bytesOut: 2 * one.length, recordsOut: 14 });
  });

  test('requests, errors and latency per API', () => {
    const m = new BrokerMetrics();
    m.recordRequest(0, 0.002, false);
    m.recordRequest(0, 0.004, true);
    assert.equal(m.apis[0]!.requests, 2);
    assert.equal(m.apis[0]!.errors, 1);
    assert.equal(m.apis[1], undefined);
  });
});

describe('renderPrometheus', () => {
  test('emits HELP/TYPE, escaped labels, counters and a well-formed histogram', () => {
    const m = new BrokerMetrics();
    m.recordRequest(0, 0.003, false);
    m.recordRequest(0, 0.5, false);
    const status = {
      nodeId: 1, clusterId: 'c"1', mode: 'embedded', uptimeMs: 1500, underReplicated: 0, offline: 0, leaders: 1, isrShrinks: 0, isrExpands: 0,
      fetchPurgatory: 2, producePurgatory: 0,
      process: { cpuSecondsTotal: 1.5, rssBytes: 1000, heapUsedBytes: 10, openFiles: 12, eventLoopDelayP50Ms: 1, eventLoopDelayP99Ms: 2, eventLoopDelayMaxMs: 3, diskFreeBytes: 99, diskTotalBytes: 100, cpuPercent: 5 },
    } as unknown as StatusView;
    const partition = { topic: 'orders', partition: 3, bytesIn: 100, recordsIn: 4, bytesOut: 50, recordsOut: 2, logStartOffset: 0, logEndOffset: 4, highWatermark: 4, sizeBytes: 100, isr: [1], replicas: [1] };
    const text = renderPrometheus({
      status, partitions: [partition as never], metrics: m, apiName: () => 'Produce',
      groups: [{ groupId: 'g', state: 'Stable', members: 2, lag: 5, partitions: [{ topic: 'orders', partition: 3, committedOffset: 1, highWatermark: 6, lag: 5 }] }],
    });
    assert.match(text, /^# TYPE mq_partition_bytes_in_total counter$/m);
    assert.match(text, /^mq_partition_records_in_total\{topic="orders",partition="3"\} 4$/m);
    assert.match(text, /^mq_broker_info\{node_id="1",cluster_id="c\\"1",mode="embedded"\} 1$/m);
    assert.match(text, /^mq_fetch_purgatory_size 2$/m);
    assert.match(text, /^mq_group_lag\{group="g",topic="orders",partition="3"\} 5$/m);
    assert.match(text, /^mq_request_latency_seconds_count\{api="Produce"\} 2$/m);
    assert.match(text, /^mq_request_latency_seconds_bucket\{api="Produce",le="\+Inf"\} 2$/m);
    const buckets = [...text.matchAll(/^mq_request_latency_seconds_bucket\{api="Produce",le="([^"]+)"\} (\d+)$/gm)].filter((x) => x[1] !== '+Inf').map((x) => [Number(x[1]), Number(x[2])]);
    assert.ok(buckets.length > 10);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i][0] > buckets[i - 1][0] && buckets[i][1] >= buckets[i - 1][1]);
    assert.equal(buckets.find(([le]) => le >= 0.004 && le < 0.5)![1], 1);
    // Every non-comment line is `name{labels} value`.
    for (const line of text.trimEnd().split('\n')) if (!line.startsWith('#')) assert.match(line, /^[a-z_]+(\{.*\})? [-+0-9.eInfNa]+$/, line);
  });
});

describe('partitionViews and statusView', () => {
  test('under-replicated (led here, ISR short of the replicas) and offline (no leader) per hosted replica', async () => {
    const { partitionViews, statusView } = await import('../../../src/broker/broker-view.js');
    const partition = (index: number) => ({
      topic: 'orders', index, leaderEpoch: 3, logStartOffset: 0, logEndOffset: 10, highWatermark: 8, log: { sizeBytes: 500 },
    });
    // The replicas a topic authority hosts, with the leader and ISR it names for each.
    const hosted = [
      { partition: partition(0), replicas: [1], leader: 1, isr: [1] },
      { partition: partition(1), replicas: [1, 2, 3], leader: 1, isr: [1] },
      { partition: partition(2), replicas: [2, 3], leader: -1, isr: [] },
    ];
    const metrics = new BrokerMetrics();
    metrics.recordAppend('orders', 1, batch(4));
    const state = {
      nodeId: 1, clusterId: 'c', advertised: { host: 'h', port: 1 },
      authority: { mode: 'cluster', hostedReplicas: () => hosted, controllerId: () => 1, replicationThrottle: () => null },
    };
    const observed = {
      state, metrics, admin: null, apiName: () => 'x',
      process: { sample: async () => ({ cpuPercent: 0 }) },
    } as never;
    const views = partitionViews(observed);
    assert.deepEqual(views.map((v) => [v.partition, v.leader, v.isr, v.underReplicated, v.offline]), [
      [0, 1, [1], false, false],
      [1, 1, [1], true, false],
      [2, -1, [], false, true],
    ]);
    assert.equal(views[1].recordsIn, 4);
    const status = await statusView(observed);
    assert.deepEqual([status.partitions, status.leaders, status.underReplicated, status.offline, status.recordsIn], [3, 2, 1, 1, 4]);
  });
});
