// `mq bench produce`: sends `count` records of `recordSize` bytes (one shared random printable
// payload, so gzip cannot cheat) as fast as the producer accepts them, and measures each record's
// send -> ack latency. Bounded by count and by timeoutMs; stops at the first failed record.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Admin, Producer } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { deferred, type Deferred } from '../util/promise.js';
import { benchResult, type BenchResult } from './bench-result.js';
import { benchSignal } from './bench-signal.js';
import { ensureTopic } from './ensure-topic.js';
import { Histogram } from './histogram.js';

export interface ProduceBenchOptions {
  topic: string;
  recordSize: number;
  count: number;
  partitions: number;
  timeoutMs: number;
}

/** A payload of `size` random letters and digits. */
export function benchPayload(size: number): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(size);
  for (let i = 0; i < size; i++) bytes[i] = alphabet.charCodeAt(bytes[i] % alphabet.length);
  return bytes;
}

export async function runProduceBench(admin: Admin, producer: Producer, opts: ProduceBenchOptions, signal?: AbortSignal): Promise<BenchResult> {
  await ensureTopic(admin, opts.topic, opts.partitions);
  const payload = benchPayload(opts.recordSize);
  const latency = new Histogram();
  const run = benchSignal(opts.timeoutMs, signal);
  let sent = 0;
  let acked = 0;
  let settled = 0;
  let failure: unknown = null;
  let lastAckAt = 0;
  // Created after flush() if some callbacks have not run yet; resolved by the last one.
  let drained: Deferred<void> | null = null;
  const settle = (): void => { if (++settled === sent) drained?.resolve(); };
  const started = performance.now();
  try {
    while (sent < opts.count && !run.signal.aborted && failure === null) {
      await producer.waitForCapacity();
      const t0 = performance.now();
      sent++;
      producer.send({ topic: opts.topic, value: payload }).then(
        () => { lastAckAt = performance.now(); latency.record(lastAckAt - t0); acked++; settle(); },
        (err: unknown) => { failure ??= err; settle(); },
      );
    }
    await producer.flush().catch((err: unknown) => { failure ??= err; });
    if (settled < sent) {
      drained = deferred<void>();
      await drained.promise;
    }
  } finally {
    run.dispose();
  }
  if (failure !== null) {
    const why = failure instanceof Error ? failure.message : String(failure);
    throw new MqError('BENCH_FAILED', `bench produce: a record was not acknowledged after ${acked} of ${sent}: ${why}`, {
      hint: failure instanceof MqError ? failure.hint : undefined, cause: failure,
    });
  }
  const timedOut = run.timedOut() && sent < opts.count;
  return benchResult('produce', opts.topic, acked, acked * opts.recordSize, (lastAckAt || performance.now()) - started, latency, timedOut);
}

/** A topic name no earlier run used: bench-<8 hex digits>. */
export function freshBenchTopic(): string {
  return `bench-${randomBytes(4).toString('hex')}`;
}
