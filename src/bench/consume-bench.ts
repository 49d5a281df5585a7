// `mq bench consume`: reads `count` records (or up to the end of the log) of a topic from the
// beginning and measures the consumer's waits for fetched data: each time the record iterator had to
// wait for I/O (an event-loop turn passed), how long it waited. Bounded by count and by timeoutMs.
import { performance } from 'node:perf_hooks';
import type { Consumer } from '../client/types.js';
import { benchResult, type BenchResult } from './bench-result.js';
import { benchSignal } from './bench-signal.js';
import { Histogram } from './histogram.js';

export interface ConsumeBenchOptions {
  topic: string;
  /** Stop after this many records; omitted: at the end of the log. */
  count?: number;
  timeoutMs: number;
}

export async function runConsumeBench(consumer: Consumer, opts: ConsumeBenchOptions, signal?: AbortSignal): Promise<BenchResult> {
  await consumer.assign([{ topic: opts.topic, start: { kind: 'beginning' } }]);
  const run = benchSignal(opts.timeoutMs, signal);
  const waits = new Histogram();
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  // `turn` advances once per event-loop turn while records are being awaited: a next() that resolves
  // from buffered records never lets the immediate run, a next() waiting on a fetch always does.
  let turn = 0;
  let armed = false;
  const arm = (): void => {
    if (!armed) { armed = true; setImmediate(() => { armed = false; turn++; }); }
  };
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  let finished = started;
  const iterator = consumer.records({ signal: run.signal, exitAtEnd: true })[Symbol.asyncIterator]();
  try {
    // One clock read per record: a wait starts when the previous record was handed over.
    while (records < limit) {
      arm();
      const before = turn;
      const next = await iterator.next();
      if (next.done) break;
      const now = performance.now();
      if (turn !== before) waits.record(now - finished);
      records++;
      bytes += (next.value.value?.length ?? 0) + (next.value.key?.length ?? 0);
      finished = now;
    }
  } finally {
    run.dispose();
    await iterator.return?.();
  }
  return benchResult('consume', opts.topic, records, bytes, finished - started, waits, run.timedOut() && records < limit);
}
