// Feeds lines to a Producer, one record per line: backpressure through waitForCapacity(), acks
// counted as they arrive (no promise kept per record), failures grouped by error code. Stops reading
// at the first failure that would fail every later record too (no topic, no connection, ...), and
// when `signal` aborts (records already handed over are still flushed).
import type { Producer, RecordHeader } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { deferred, untilAborted, type Deferred } from '../util/promise.js';
import { formatCount } from '../util/units.js';

export interface LineProducerOptions {
  topic: string;
  partition?: number;
  /** Splits key from value at the first occurrence; a line without it has a null key. */
  keySeparator?: string;
  headers?: RecordHeader[];
  now?: () => number;
}

export interface LineProducerResult {
  topic: string;
  /** Records handed to the producer. */
  sent: number;
  acknowledged: number;
  failed: number;
  /** Key and value bytes of the acknowledged records. */
  bytes: number;
  elapsedMs: number;
  /** Reading stopped before the end of the input (fatal error or abort). */
  stoppedEarly: boolean;
  /** One entry per error code: how many records failed with it and the first such error. */
  failures: Map<string, { count: number; error: Error }>;
}

const CAPACITY_CHECK_LINES = 256;

// Failures that concern one record only; any other failure stops the input.
const RECORD_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP']);

export class LineProducer {
  /** Live counters, readable while run() is in progress (progress display). */
  readonly stats = { sent: 0, acknowledged: 0, failed: 0, bytes: 0 };
  private readonly failures = new Map<string, { count: number; error: Error }>();
  private fatal = false;
  /** Created once the input is done, resolved when the last outstanding record settles. */
  private drained: Deferred<void> | null = null;

  constructor(private readonly producer: Producer, private readonly opts: LineProducerOptions) {}

  /** Produces every line of `lines` (groups as readLines yields them); resolves once all are settled. */
  async run(lines: AsyncIterable<Buffer[]>, signal?: AbortSignal): Promise<LineProducerResult> {
    const now = this.opts.now ?? Date.now;
    const started = now();
    const iterator = lines[Symbol.asyncIterator]();
    let stoppedEarly = false;
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next === null || next.done) { stoppedEarly = signal?.aborted === true; break; }
      const group = next.value;
      for (let i = 0; i < group.length; i++) {
        if (this.fatal || signal?.aborted) break;
        // Asking once per CAPACITY_CHECK_LINES lines (and per input chunk) keeps the await off the
        // per-line path; the overshoot is at most that many lines of one chunk.
        if (i % CAPACITY_CHECK_LINES === 0) await this.producer.waitForCapacity();
        this.send(group[i]);
      }
      if (this.fatal || signal?.aborted) { stoppedEarly = true; break; }
    }
    if (stoppedEarly) void iterator.return?.().catch(() => undefined);
    await this.producer.flush().catch(() => undefined); // each record's own failure is counted below
    if (this.stats.acknowledged + this.stats.failed < this.stats.sent) {
      this.drained = deferred<void>();
      await this.drained.promise;
    }
    return { topic: this.opts.topic, ...this.stats, elapsedMs: now() - started, stoppedEarly, failures: this.failures };
  }

  private send(line: Buffer): void {
    const sep = this.opts.keySeparator;
    let key: Buffer | null = null;
    let value = line;
    if (sep !== undefined) {
      const at = line.indexOf(sep);
      if (at !== -1) { key = line.subarray(0, at); value = line.subarray(at + Buffer.byteLength(sep)); }
    }
    const size = value.length + (key?.length ?? 0);
    this.stats.sent++;
    this.producer
      .send({ topic: this.opts.topic, key, value, headers: this.opts.headers, partition: this.opts.partition })
      .then(
        () => { this.stats.acknowledged++; this.stats.bytes += size; this.settle(); },
        (err: unknown) => { this.fail(err); this.settle(); },
      );
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const code = error instanceof MqError ? error.code : 'ERROR';
    const entry = this.failures.get(code);
    if (entry) entry.count++;
    else this.failures.set(code, { count: 1, error });
    if (!RECORD_ERRORS.has(code)) this.fatal = true;
    this.stats.failed++;
  }

  private settle(): void {
    if (this.drained && this.stats.acknowledged + this.stats.failed === this.stats.sent) this.drained.resolve();
  }
}

/** The error to exit with when some records were not acknowledged; null when all were. */
export function unacknowledgedError(r: LineProducerResult): MqError | null {
  if (r.failed === 0) return null;
  const causes = [...r.failures].map(([code, f]) => {
    const why = f.error.message.includes(code) ? f.error.message : `${code} ${f.error.message}`;
    return r.failures.size > 1 ? `${why} (${formatCount(f.count)} records)` : why;
  });
  const first = [...r.failures.values()][0].error;
  const stopped = r.stoppedEarly ? '; stopped reading the input' : '';
  return new MqError('PRODUCE_FAILED', `${r.failed} of ${r.sent} records were not acknowledged: ${causes.join('; ')}${stopped}`, {
    hint: first instanceof MqError ? first.hint : undefined,
    cause: first,
  });
}
