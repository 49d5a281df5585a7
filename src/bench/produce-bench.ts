// `mq bench produce`: --count records of --record-size bytes from --producers producers, as fast as
// they are taken or at --rate, for at most --duration; reports records/s and MB/s over the time from
// the first send to the last ack, and each record's send -> ack latency. Stops at the first failed
// record (and reports it as the error).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Admin, Producer } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { benchResult, type BenchResult } from './bench-result.js';
import { benchSignal } from './bench-signal.js';
import { ensureTopic } from './ensure-topic.js';
import { produceLoad, warmUp } from './produce-load.js';

export interface ProduceBenchOptions {
  topic: string;
  recordSize: number;
  count: number;
  partitions: number;
  timeoutMs: number;
  /** Send for at most this long (a planned end, not a timeout). */
  durationMs?: number;
  /** Records per second over all producers; omitted: unlimited. */
  ratePerSec?: number;
  /** Configs for the topic when the bench creates it (e.g. flush.policy). */
  topicConfigs?: Record<string, string>;
}

export async function runProduceBench(admin: Admin, producers: Producer | Producer[], opts: ProduceBenchOptions, signal?: AbortSignal): Promise<BenchResult> {
  const list = Array.isArray(producers) ? producers : [producers];
  await ensureTopic(admin, opts.topic, opts.partitions, opts.topicConfigs);
  await warmUp(list, opts.topic, opts.recordSize);
  const run = benchSignal(opts.timeoutMs, signal);
  try {
    const out = await produceLoad(list, {
      topic: opts.topic, recordSize: opts.recordSize, count: opts.count, ratePerSec: opts.ratePerSec ?? Infinity,
      deadline: performance.now() + (opts.durationMs ?? Infinity),
    }, run.signal);
    if (out.failure !== null) throw benchFailed(out.failure, out.acked, out.sent);
    const timedOut = run.timedOut() && out.sent < opts.count;
    return benchResult('produce', opts.topic, out.acked, out.acked * opts.recordSize, out.lastAckAt - out.startedAt, out.latency, timedOut);
  } finally {
    run.dispose();
  }
}

/** The error a bench run ends with when a record was not acknowledged. */
export function benchFailed(failure: unknown, acked: number, sent: number): MqError {
  const why = failure instanceof Error ? failure.message : String(failure);
  return new MqError('BENCH_FAILED', `bench produce: a record was not acknowledged after ${acked} of ${sent}: ${why}`, {
    hint: failure instanceof MqError ? failure.hint : undefined, cause: failure,
  });
}

/** A topic name no earlier run used: bench-<8 hex digits>. */
export function freshBenchTopic(): string {
  return `bench-${randomBytes(4).toString('hex')}`;
}
