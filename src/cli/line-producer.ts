// Feeds lines to a Producer, one record per line, with back-pressure: the next line is taken only
// while the producer's buffer (bufferMemory) has room, so the input is read no further ahead than that
// budget plus the chunk in hand. Lines arrive as chunks of whole lines (line-reader.ts) and are walked
// in place: with a producer that takes raw records (producer-raw.ts) each line's key and value go from
// the chunk straight into a batch, with no object per line and one delivery report per batch; any
// other producer gets one record per line through enqueue() (one shared report, the record's byte
// count riding in the tag) or send(). Acks are counted as they arrive, failures grouped by error
// code. Stops reading at the first failure that would fail every later record too (no topic, no
// connection, ...), and when `signal` aborts (records already handed over are still flushed).
//
// Transactions (a producer created with transactionalId, `transactional` set): the lines go in one
// transaction committed at the end of the input, or one per `transactionLines` lines (the lines are
// handed over up to the boundary, the transaction committed, the next begun); stopping early (a
// signal, a fatal failure) aborts the open transaction instead, so none of its records become visible
// to read_committed readers.
import { isRawProducer, rawTarget, type RawDelivery, type RawProducer, type RawTarget } from '../client/producer-raw.js';
import type { DeliveryReport, Producer, RecordHeader, TransactionalProducer } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { deferred, untilAborted, type Deferred } from '../util/promise.js';
import { formatCount } from '../util/units.js';
import { lineEnd } from './line-reader.js';

export interface LineProducerOptions {
  topic: string;
  partition?: number;
  /** Splits key from value at the first occurrence; a line without it has a null key. */
  keySeparator?: string;
  headers?: RecordHeader[];
  now?: () => number;
  /** Write in transactions (the producer must have a transactionalId): one per `lines` lines, or one for all (null). */
  transactional?: { lines: number | null };
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
  /** Transactions committed (0 without transactions). */
  committedTransactions: number;
  /** The open transaction was aborted (stopped early), or committing or aborting it failed: the error. */
  transactionError: Error | null;
  transactionAborted: boolean;
}

/** Whether `p` has the transaction calls (a producer created with transactionalId has them). */
export function isTransactionalProducer(p: Producer): p is TransactionalProducer {
  return typeof (p as Partial<TransactionalProducer>).initTransactions === 'function';
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
  private readonly raw: RawProducer | null;
  private readonly target: RawTarget;
  private readonly separator: Buffer | null;
  /** Where the separator next occurs in the chunk being walked at or after the current line (-1: nowhere). */
  private separatorAt = -1;
  /** Transactions: the producer, the lines per transaction (Infinity: one for all), lines in the open one. */
  private readonly txn: TransactionalProducer | null = null;
  private readonly txnLines: number = Infinity;
  private linesInTxn = 0;
  private committed = 0;
  private txnError: Error | null = null;

  constructor(private readonly producer: Producer, private readonly opts: LineProducerOptions) {
    this.raw = isRawProducer(producer) ? producer : null;
    this.target = rawTarget(opts.topic, opts.partition, opts.headers, this.rawDelivered);
    this.separator = opts.keySeparator === undefined ? null : Buffer.from(opts.keySeparator, 'utf8');
    if (opts.transactional) {
      if (!isTransactionalProducer(producer)) throw new MqError('INVALID_CONFIG', 'transactions need a producer created with a transactional id');
      this.txn = producer;
      this.txnLines = opts.transactional.lines ?? Infinity;
    }
  }

  /** Produces every line of `chunks` (as readLineChunks yields them); resolves once all are settled. */
  async run(chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<LineProducerResult> {
    const now = this.opts.now ?? Date.now;
    const started = now();
    const iterator = chunks[Symbol.asyncIterator]();
    let stoppedEarly = false;
    if (this.txn !== null) {
      await this.txn.initTransactions();
      this.txn.beginTransaction();
    }
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next === null || next.done) { stoppedEarly = signal?.aborted === true; break; }
      const chunk = next.value;
      const timestamp = Date.now(); // one CreateTime per chunk: its lines were read at the same moment
      this.separatorAt = -1;
      // sendLines() stops where the producer's buffer filled up; wait there (no further line is taken,
      // so the input stream stops being read) until acks free some.
      for (let at = 0; at < chunk.length && !this.fatal && !signal?.aborted;) {
        at = this.sendLines(chunk, at, timestamp);
        if (this.linesInTxn >= this.txnLines) await this.nextTransaction();
        else if (at < chunk.length) await this.producer.waitForCapacity();
      }
      if (this.fatal || signal?.aborted) { stoppedEarly = true; break; }
    }
    if (stoppedEarly) void iterator.return?.().catch(() => undefined);
    let transactionError: Error | null = null;
    let transactionAborted = false;
    if (this.txn !== null && this.txnError !== null) {
      transactionAborted = true; // a commit every N lines failed; endTransaction() aborted it
      transactionError = this.txnError;
    } else if (this.txn !== null) {
      // Stopped early, the open transaction is aborted (its unsent records fail); else committed.
      const abort = stoppedEarly || this.fatal;
      transactionError = await this.endTransaction(!abort);
      transactionAborted = abort || transactionError !== null;
    }
    await this.producer.flush().catch(() => undefined); // each record's own failure is counted below
    if (this.stats.acknowledged + this.stats.failed < this.stats.sent) {
      this.drained = deferred<void>();
      await this.drained.promise;
    }
    return {
      topic: this.opts.topic, ...this.stats, elapsedMs: now() - started, stoppedEarly, failures: this.failures,
      committedTransactions: this.committed, transactionError, transactionAborted,
    };
  }

  /** Commits the open transaction (`transactionLines` lines reached) and begins the next. */
  private async nextTransaction(): Promise<void> {
    const err = await this.endTransaction(true);
    if (err !== null) {
      this.txnError = err;
      this.fatal = true;
      return;
    }
    this.txn!.beginTransaction();
  }

  /** Commits (or aborts) the open transaction; the error, or null. A commit that fails is aborted (best effort). */
  private async endTransaction(commit: boolean): Promise<Error | null> {
    this.linesInTxn = 0;
    try {
      if (commit) {
        await this.txn!.commitTransaction();
        this.committed++;
      } else {
        await this.txn!.abortTransaction();
      }
      return null;
    } catch (err) {
      if (commit) await this.txn!.abortTransaction().catch(() => undefined); // e.g. a record failed: nothing of it may stay open
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /**
   * Hands the lines of `chunk` from `start` on to the producer until its buffer is full (or a fatal
   * failure arrives); returns where the next line starts (chunk.length or more: all were handed over).
   */
  private sendLines(chunk: Buffer, start: number, timestamp: number): number {
    const end = chunk.length;
    const raw = this.raw;
    const sep = this.separator;
    while (start < end && !this.fatal && this.linesInTxn < this.txnLines) {
      let nl = chunk.indexOf(10, start);
      if (nl === -1) nl = end;
      const valueEnd = lineEnd(chunk, start, nl);
      let keyStart = -1;
      let keyEnd = -1;
      let valueStart = start;
      if (sep !== null) {
        // The first separator at or after `start`, found once and reused until passed (so lines
        // without one do not each search the rest of the chunk).
        if (this.separatorAt !== -1 && this.separatorAt < start) this.separatorAt = -1;
        if (this.separatorAt === -1) this.separatorAt = chunk.indexOf(sep, start);
        if (this.separatorAt === -1) this.separatorAt = end; // none in the rest of the chunk
        if (this.separatorAt + sep.length <= valueEnd) {
          keyStart = start;
          keyEnd = this.separatorAt;
          valueStart = this.separatorAt + sep.length;
        }
      }
      this.stats.sent++;
      this.linesInTxn++;
      const room = raw !== null
        ? raw.appendRaw(this.target, chunk, keyStart, keyEnd, valueStart, valueEnd, timestamp)
        : this.send(chunk, keyStart, keyEnd, valueStart, valueEnd);
      start = nl + 1;
      if (!room) break;
    }
    return start;
  }

  /** Hands one line to a producer without appendRaw(); false once its buffer is full. */
  private send(chunk: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): boolean {
    const key = keyStart < 0 ? null : chunk.subarray(keyStart, keyEnd);
    const value = chunk.subarray(valueStart, valueEnd);
    const size = value.length + (key?.length ?? 0);
    const record = { topic: this.opts.topic, key, value, headers: this.opts.headers, partition: this.opts.partition };
    if (this.producer.enqueue) return this.producer.enqueue(record, this.delivered, size);
    this.producer.send(record).then(
      () => this.delivered(null, -1, -1, -1, size),
      (err: unknown) => this.delivered(err instanceof Error ? err : new Error(String(err)), -1, -1, -1, size),
    );
    return this.stats.sent % PROMISE_SEND_CHECK_RECORDS !== 0;
  }

  /** The one delivery report of every record sent by send(); `size` is the record's key and value bytes. */
  private readonly delivered: DeliveryReport = (error, _partition, _offset, _timestamp, size) => this.rawDelivered(error, 1, size);

  /** The delivery report of raw records: `records` of them with `bytes` of keys and values settled. */
  private readonly rawDelivered: RawDelivery = (error, records, bytes) => {
    if (error) this.fail(error, records);
    else { this.stats.acknowledged += records; this.stats.bytes += bytes; }
    if (this.drained && this.stats.acknowledged + this.stats.failed === this.stats.sent) this.drained.resolve();
  };

  private fail(err: unknown, records: number): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const code = error instanceof MqError ? error.code : 'ERROR';
    const entry = this.failures.get(code);
    if (entry) entry.count += records;
    else this.failures.set(code, { count: records, error });
    if (!RECORD_ERRORS.has(code)) this.fatal = true;
    this.stats.failed += records;
  }
}

/** Errors of a connection's TLS or SASL set-up (src/client/connection.ts): no record could have been sent. */
const CONNECTION_SETUP_ERRORS = new Set(['SASL_AUTHENTICATION_FAILED', 'SSL_HANDSHAKE_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM', 'INVALID_CONFIG']);

/** The error to exit with when some records were not acknowledged; null when all were. */
export function unacknowledgedError(r: LineProducerResult): MqError | null {
  if (r.failed === 0) return null;
  // Nothing got through because the client could not authenticate or set up TLS: that error is the story.
  const only = r.failures.size === 1 ? [...r.failures][0] : null;
  if (only && r.failed === r.sent && CONNECTION_SETUP_ERRORS.has(only[0]) && only[1].error instanceof MqError) return only[1].error;
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
