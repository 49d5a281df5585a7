// Feeds lines to a Producer, one record per line, with back-pressure: the next line is taken only
// while the producer's buffer (bufferMemory) has room, so the input is read no further ahead than that
// budget plus the group in hand. Records go through enqueue() with one shared delivery report (no
// promise or closure per record; the record's byte count rides in the tag), acks are counted as they
// arrive, failures grouped by error code. Stops reading at the first failure that would fail every
// later record too (no topic, no connection, ...), and when `signal` aborts (records already handed
// over are still flushed).
import type { DeliveryReport, Producer, RecordHeader } from '../client/types.js';
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

// A producer without enqueue() (a fake) is asked for capacity once per this many records.
const PROMISE_SEND_CHECK_RECORDS = 256;

// Failures that concern one record only; any other failure stops the input.
const RECORD_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP']);

export class LineProducer {
  /** Live counters, readable while run() is in progress (progress display). */
  readonly stats = { sent: 0, acknowledged: 0, failed: 0, bytes: 0 };
  private readonly failures = new Map<string, { count: number; error: Error }>();
  private fatal = false;
  /** Created once the input is done, resolved when the last outstanding record settles. */
  private drained: Deferred<void> | null = null;
  /** Resolved when the first record settles: the producer has the topic's metadata (or has failed). */
  private readonly firstSettled = deferred<void>();

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
        // send() says whether the buffer still has room after this record; when it has not, wait
        // here (no further line is taken, so the input stream stops being read) until acks free some.
        if (!this.send(group[i])) await this.producer.waitForCapacity();
      }
      // Until the topic's metadata is known the producer holds records as objects (not yet encoded
      // into batches), far bigger than the bytes its buffer counts: after the first input chunk, the
      // rest waits until its first record has settled.
      await untilAborted(this.firstSettled.promise, signal);
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

  /** Hands one line to the producer; false once the producer's buffer is full. */
  private send(line: Buffer): boolean {
    const sep = this.opts.keySeparator;
    let key: Buffer | null = null;
    let value = line;
    if (sep !== undefined) {
      const at = line.indexOf(sep);
      if (at !== -1) { key = line.subarray(0, at); value = line.subarray(at + Buffer.byteLength(sep)); }
    }
    const size = value.length + (key?.length ?? 0);
    this.stats.sent++;
    const record = { topic: this.opts.topic, key, value, headers: this.opts.headers, partition: this.opts.partition };
    if (this.producer.enqueue) return this.producer.enqueue(record, this.delivered, size);
    this.producer.send(record).then(
      () => this.delivered(null, -1, -1, -1, size),
      (err: unknown) => this.delivered(err instanceof Error ? err : new Error(String(err)), -1, -1, -1, size),
    );
    return this.stats.sent % PROMISE_SEND_CHECK_RECORDS !== 0;
  }

  /** The one delivery report of every record; `size` is the record's key and value bytes. */
  private readonly delivered: DeliveryReport = (error, _partition, _offset, _timestamp, size) => {
    if (error) this.fail(error);
    else { this.stats.acknowledged++; this.stats.bytes += size; }
    this.settle();
  };

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
    this.firstSettled.resolve();
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
