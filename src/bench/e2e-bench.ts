// `mq bench e2e`: produces (as `mq bench produce` does) while one consumer reads the same topic from
// its end, and measures each record's latency from send to receive. Producer and consumer run in this
// process, so the send time travels in the record: the first 8 bytes of each value hold
// performance.now() at send (float64 LE), and the receive time is read on the same clock.
// Throughput is received records over the time from the first send to the last receive. Ends when
// every acknowledged record has arrived, or E2E_GRACE_MS after the producers finished, or at the timeout.
import { performance } from 'node:perf_hooks';
import type { Admin, Consumer, Producer } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { benchResult, type BenchResult } from './bench-result.js';
import { benchSignal } from './bench-signal.js';
import { ensureTopic } from './ensure-topic.js';
import { Histogram } from './histogram.js';
import { produceLoad, warmUp } from './produce-load.js';
import { benchFailed, type ProduceBenchOptions } from './produce-bench.js';

/** How long the consumer may still take after the last ack before the run ends without the rest. */
const E2E_GRACE_MS = 10_000;

export async function runE2eBench(
  admin: Admin, producers: Producer[], consumer: Consumer, opts: ProduceBenchOptions, signal?: AbortSignal,
): Promise<BenchResult> {
  if (opts.recordSize < 8) throw new MqError('INVALID_ARGUMENT', 'bench e2e needs --record-size of at least 8 (the send time travels in the value)');
  await ensureTopic(admin, opts.topic, opts.partitions, opts.topicConfigs);
  await warmUp(producers, opts.topic, opts.recordSize);
  await consumer.assign([{ topic: opts.topic, start: { kind: 'end' } }]);
  const run = benchSignal(opts.timeoutMs, signal);
  const stopConsumer = new AbortController();
  const onRunAbort = (): void => stopConsumer.abort();
  run.signal.addEventListener('abort', onRunAbort, { once: true });
  const latency = new Histogram();
  let received = 0;
  let bytes = 0;
  let lastReceiveAt = 0;
  let expected = Infinity;
  let grace: NodeJS.Timeout | null = null;
  const consuming = (async () => {
    for await (const r of consumer.records({ signal: stopConsumer.signal })) {
      const now = performance.now();
      const v = r.value;
      if (v === null || v.length < 8) continue;
      latency.record(now - v.readDoubleLE(0));
      received++;
      bytes += v.length + (r.key?.length ?? 0);
      lastReceiveAt = now;
      if (received >= expected) break;
    }
  })();
  try {
    const out = await produceLoad(producers, {
      topic: opts.topic, recordSize: opts.recordSize, count: opts.count, ratePerSec: opts.ratePerSec ?? Infinity,
      deadline: performance.now() + (opts.durationMs ?? Infinity), stampSendTime: true,
    }, run.signal);
    if (out.failure !== null) throw benchFailed(out.failure, out.acked, out.sent);
    expected = out.acked;
    if (received >= expected) stopConsumer.abort();
    else grace = setTimeout(() => stopConsumer.abort(), E2E_GRACE_MS);
    await consuming;
    const timedOut = received < expected;
    return benchResult('e2e', opts.topic, received, bytes, (lastReceiveAt || performance.now()) - out.startedAt, latency, timedOut);
  } finally {
    if (grace) clearTimeout(grace);
    stopConsumer.abort();
    await consuming.catch(() => undefined);
    run.signal.removeEventListener('abort', onRunAbort);
    run.dispose();
  }
}
