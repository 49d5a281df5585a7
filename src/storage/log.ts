// One partition replica's log: a folder of segments, each `<baseOffset, 20 digits>.log` with its
// `.index` and `.timeindex` (formats in log-segment.ts, offset-index.ts, time-index.ts). The segments
// are contiguous in offsets; the first one's base offset is the log start offset and only the last one
// (the active segment) is written. `.clean-shutdown` is written by close() after everything is synced
// and removed by open(): one line of JSON, `{"version":1,"logEndOffset":N,"activeBaseOffset":B,
// "activeSizeBytes":S}`. When it is present and matches the active segment, open() trusts the indexes
// and only validates the active segment from its last indexed batch; otherwise it validates every batch
// of every segment (length, magic, CRC-32C, contiguous offsets), truncates at the first bad one and
// rebuilds the indexes, so nothing below logEndOffset ever fails its CRC.
//
// `.log-start-offset` holds the log start offset as decimal text when DeleteRecords moved it inside the
// first segment (written to a temp file, renamed, directory synced); open() takes the larger of it and the
// first segment's base offset. Retention and DeleteRecords delete whole segments front to back, each
// `.log` before its indexes, so a crash in the middle leaves a contiguous log whose orphan index files
// open() removes.
//
// `.recovery-point` (decimal text, written the same way) is the base offset of the first segment not
// known to be synced: every segment below it had its data and indexes fdatasynced by a flush
// (flush.policy batch or interval; with os the log cleaner's pass starts one). After a crash, open()
// checks those segments like a clean stop's (indexes plus the batches after the last index entry) and
// validates every batch only from the recovery point on.
//
// Appends take their offsets synchronously and are queued; one loop writes them in call order, each
// batch whole in one write (appends that queued up meanwhile share one writev). flush(), roll and
// close() run on the same queue, so index files and segment switches never race with a write. A small
// leader append that finds the queue idle (nothing queued or running) is written at once on the event
// loop instead (writeNow: one pwrite into the page cache), which keeps the same order and skips the
// thread pool. The newest batches of the active segment stay in memory (tail-cache.ts) for reads.
//
// `leader-epoch-checkpoint` (format in leader-epoch-cache.ts) maps leader epochs to their first offsets.
// An append whose PartitionLeaderEpoch (stamped by append(), kept by appendAsFollower()) is above the
// latest cached epoch records (epoch, baseOffset) durably on the queue BEFORE its bytes are written, so
// every batch on disk is covered after a crash; open() drops entries at or past the recovered end (written
// entry, lost batch) and raises the one covering the log start, and rebuilds a missing or malformed file
// from the batch headers. Log-start moves (retention, DeleteRecords) raise the covering entry likewise.
//
// Truncation (replication: a follower dropping what its new leader does not have) runs on the queue.
// truncateTo(offset) cuts at the start of the batch holding `offset`, in a crash-safe order: the recovery
// point is lowered to the cut segment, later segments are deleted newest first (a crash leaves a
// contiguous prefix), the cut segment is truncated and fdatasynced and its indexes are trimmed (the
// batches after the last kept index entry are walked again, so the indexes equal what appending the
// kept batches builds), and only then do epoch entries at or past the cut go (a crash before that leaves
// entries past the end, which open() drops). A cut at a segment's base offset leaves that segment empty
// and active.
// Leader appends queued behind a truncation are renumbered from the new end; follower appends queued
// behind it fail with OFFSET_OUT_OF_RANGE. A flush that started before a truncation does not advance the
// flushed end or the recovery point. truncateFullyAndStartAt(offset) deletes every segment newest first,
// creates an empty one at `offset`, writes `.log-start-offset` and clears the epoch cache, in that order.
import { mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  BATCH_HEADER_BYTES, OFF_LEADER_EPOCH, assignOffset, baseOffsetAt, batchSizeAt, lastOffsetDeltaAt,
} from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';
import { deferred, type Deferred } from '../util/promise.js';
import { systemClock, type Clock } from '../util/clock.js';
import { LogSegment } from './log-segment.js';
import type { SegmentTruncation } from './segment-scan.js';
import { defaultFilePool, type FilePool } from './file-pool.js';
import { LeaderEpochCache, type EpochEndOffset, type EpochEntry } from './leader-epoch-cache.js';
import { TailCache } from './tail-cache.js';

export interface LogConfig {
  /** Roll to a new segment when the active one would grow past this (default 1 GiB in the broker). */
  segmentBytes: number;
  /** Bytes of log between offset-index entries (default 4096). */
  indexIntervalBytes: number;
  /** Roll a non-empty active segment this long after it was created (or opened). */
  segmentMs?: number;
}

export interface LogOptions {
  /** Receives one line per truncation or index rebuild during recovery. */
  log?: (msg: string) => void;
  /** Time source for segment.ms. */
  clock?: Clock;
  /** Where segment and index files get their descriptors (default: a process-wide pool). */
  filePool?: FilePool;
}

/** What the log cleaner enforces; -1 disables a limit. */
export interface RetentionPolicy {
  retentionMs: number;
  retentionBytes: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const LOG_START_FILE = '.log-start-offset';
const RECOVERY_POINT_FILE = '.recovery-point';
const SEGMENT_LOG_NAME = /^(\d{20})\.log$/;
const SEGMENT_INDEX_NAME = /^(\d{20})\.(index|timeindex)$/;
/** Relative offsets and positions are INT32 in the index files. */
const MAX_INT32 = 2 ** 31 - 1;
/** Most appends and bytes written together by one writev. */
const MAX_GROUP_BATCHES = 256;
const MAX_GROUP_BYTES = 4 * 1024 * 1024;
/**
 * Leader appends up to this size that find the write queue idle are written synchronously (writeNow):
 * a pwrite of a few KiB into the page cache takes ~10-20 µs, less than the two thread-pool hand-offs
 * of an asynchronous write, which on a busy 2-core machine each wait for a core (the e2e latency tail).
 * Larger batches (throughput) keep the asynchronous path, so the event loop never copies much.
 */
const WRITE_NOW_MAX_BYTES = 64 * 1024;
/** Unwritten index entries that trigger an index-file write from the append loop. */
const PERSIST_INDEX_ENTRIES = 512;
/** Sealed segments per log whose index entries stay in memory after a lookup. */
const SEALED_INDEXES_LOADED = 2;

interface CleanShutdown {
  version: 1;
  logEndOffset: number;
  activeBaseOffset: number;
  activeSizeBytes: number;
}

interface AppendItem {
  kind: 'append';
  /** A batch copied from the leader (appendAsFollower): its offsets must not change. */
  follower: boolean;
  batch: Buffer;
  baseOffset: number;
  count: number;
  leaderEpoch: number;
  done: Deferred<AppendResult>;
}
type QueueItem = AppendItem | { kind: 'op'; run: () => Promise<unknown>; done: Deferred<unknown> };

export class Log {
  private segments: LogSegment[] = [];
  private nextOffset = 0;
  private writtenEnd = 0;
  /** Segments below this base offset are synced (see `.recovery-point`). */
  private recoveryPoint = -1;
  /** First offset readers may ask for; at or above the first segment's base offset. */
  private startOffset = 0;
  /** Offsets below this are known to be on disk (fdatasynced). */
  private flushedEnd = 0;
  /** The fdatasync running now; appends that finish meanwhile share the next one (group commit). */
  private flushInFlight: Promise<void> | null = null;
  private readonly queue: QueueItem[] = [];
  private draining = false;
  /** Appends at the head of the queue to write one at a time (after a failed group write). */
  private singleWrites = 0;
  /** Sealed segments whose .log file no flush has synced yet. */
  private unsyncedSealed: LogSegment[] = [];
  /** Sealed segments whose index entries a lookup loaded, least recent first. */
  private loadedSealed: LogSegment[] = [];
  /** The syncs of sealed segments started by flushes; every later flush waits for them too. */
  private sealedSynced: Promise<void> = Promise.resolve();
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** Truncations so far: a flush that started before one must not advance the flushed end or recovery point. */
  private truncations = 0;
  /** The newest written batches, in memory: reads near the end skip the file (tail-cache.ts). */
  private readonly tail = new TailCache();
  /** Leader epochs by start offset (`leader-epoch-checkpoint`); loaded by open(). */
  private epochCache: LeaderEpochCache;
  private closed: Promise<void> | null = null;
  private readonly logLine: (msg: string) => void;
  private readonly clock: Clock;
  private readonly pool: FilePool;

  private constructor(readonly dir: string, private config: LogConfig, opts: LogOptions) {
    this.logLine = opts.log ?? (() => undefined);
    this.clock = opts.clock ?? systemClock;
    this.pool = opts.filePool ?? defaultFilePool;
    this.epochCache = LeaderEpochCache.empty(dir);
  }

  /** Opens (creating the folder if needed) and recovers the log. */
  static async open(dir: string, config: LogConfig, opts: LogOptions = {}): Promise<Log> {
    checkConfig(config);
    const log = new Log(dir, config, opts);
    try {
      await mkdir(dir, { recursive: true });
      await log.load();
      await log.loadEpochCache();
    } catch (err) {
      throw storageError(err, `open of ${dir}`);
    }
    return log;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Offsets below this are on disk. */
  get flushedEndOffset(): number {
    return this.flushedEnd;
  }

  /** Sealed segments wait for a flush to sync them (and move the recovery point past them). */
  get hasUnsyncedSealedSegments(): boolean {
    return this.unsyncedSealed.length > 0;
  }

  /** Number of segments (for tests and metrics). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Applies a changed segment.bytes / segment.ms to the next roll decision. */
  updateConfig(config: LogConfig): void {
    checkConfig(config);
    this.config = config;
  }

  /** Next offset to assign (advances synchronously inside append()). */
  get logEndOffset(): number {
    return this.nextOffset;
  }

  /** End offset of the batches whose write to the file has completed; readers see only below this. */
  get writtenEndOffset(): number {
    return this.writtenEnd;
  }

  /** Bytes of .log files over all segments. */
  get sizeBytes(): number {
    let total = 0;
    for (const seg of this.segments) total += seg.sizeBytes;
    return total;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  // ---- appending -----------------------------------------------------------------------------------

  /**
   * Appends ONE complete, already-validated RecordBatch v2: rewrites BaseOffset and PartitionLeaderEpoch
   * in place now, writes the bytes with one write, in call order. Resolves when written (not fsynced).
   * A failed write rejects with KAFKA_STORAGE_ERROR and gives its offsets back to later appends.
   */
  append(batch: Buffer, leaderEpoch: number): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const problem = this.checkBatch(batch);
    if (problem !== null) return Promise.reject(problem);
    const count = lastOffsetDeltaAt(batch) + 1;
    const item: AppendItem = { kind: 'append', follower: false, batch, baseOffset: this.nextOffset, count, leaderEpoch, done: deferred<AppendResult>() };
    assignOffset(batch, item.baseOffset, leaderEpoch);
    this.nextOffset += count;
    if (batch.length <= WRITE_NOW_MAX_BYTES && !this.draining && this.queue.length === 0 && this.writeNow(item)) {
      return Promise.resolve({ baseOffset: item.baseOffset, lastOffset: item.baseOffset + count - 1 });
    }
    this.queue.push(item);
    this.kick();
    return item.done.promise;
  }

  /**
   * Writes a leader append at once, on this thread, when nothing is queued or running before it and it
   * needs no epoch entry and no roll. False when it cannot or the write failed: the caller queues the
   * append, whose asynchronous write then retries it and reports any failure as usual.
   */
  private writeNow(item: AppendItem): boolean {
    if (item.leaderEpoch > this.epochCache.latestEpoch) return false;
    const seg = this.active;
    const lastOffset = item.baseOffset + item.count - 1;
    if (seg.sizeBytes > 0 && this.shouldRoll(seg, item.batch.length, lastOffset)) return false;
    try {
      if (!seg.writeNow([item.batch])) return false;
    } catch {
      return false;
    }
    this.writtenEnd = lastOffset + 1;
    this.tail.add(item.batch, item.baseOffset, lastOffset);
    if (seg.index.unpersisted + seg.timeIndex.unpersisted >= PERSIST_INDEX_ENTRIES) {
      void this.runOp(() => this.maybePersistIndexes(seg));
    }
    return true;
  }

  /**
   * Appends ONE whole batch copied from the leader, keeping its BaseOffset and PartitionLeaderEpoch (the
   * caller has checked its CRC). OFFSET_OUT_OF_RANGE unless its BaseOffset is logEndOffset. Same queue,
   * group writes, indexes and rolls as append(); the batch's epoch goes into the epoch cache when it is
   * above the latest one. If a write fails, the follower appends queued behind it fail too (their offsets
   * would no longer follow on).
   */
  appendAsFollower(batch: Buffer): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const problem = this.checkBatch(batch);
    if (problem !== null) return Promise.reject(problem);
    const baseOffset = baseOffsetAt(batch);
    if (baseOffset !== this.nextOffset) {
      return Promise.reject(new MqError('OFFSET_OUT_OF_RANGE',
        `a replicated batch at offset ${baseOffset} does not continue the log ${this.dir}, which ends at ${this.nextOffset}`));
    }
    const count = lastOffsetDeltaAt(batch) + 1;
    const leaderEpoch = batch.readInt32BE(OFF_LEADER_EPOCH);
    const item: AppendItem = { kind: 'append', follower: true, batch, baseOffset, count, leaderEpoch, done: deferred<AppendResult>() };
    this.nextOffset += count;
    this.queue.push(item);
    this.kick();
    return item.done.promise;
  }

  /** Why `batch` cannot be appended (not one whole batch, too large, no records), or null. */
  private checkBatch(batch: Buffer): MqError | null {
    if (batch.length < BATCH_HEADER_BYTES || batchSizeAt(batch) !== batch.length) {
      return new MqError('CORRUPT_MESSAGE', `a ${batch.length}-byte buffer is not one whole record batch`);
    }
    if (batch.length > this.config.segmentBytes) {
      return new MqError('RECORD_LIST_TOO_LARGE', `a ${batch.length}-byte batch does not fit in a ${this.config.segmentBytes}-byte segment`);
    }
    const count = lastOffsetDeltaAt(batch) + 1;
    if (count < 1) return new MqError('CORRUPT_MESSAGE', `LastOffsetDelta ${count - 1} is negative`);
    return null;
  }

  /** The latest leader epoch in the epoch cache, -1 when it is empty. */
  get latestEpoch(): number {
    return this.epochCache.latestEpoch;
  }

  /**
   * Kafka's OffsetForLeaderEpoch answer: the largest cached epoch E <= `epoch` and the offset after E's
   * last batch (the next epoch's start, or the written end when E is the latest); { -1, -1 } when none.
   * The written end, not logEndOffset: appends still queued may belong to a newer epoch not cached yet.
   */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.epochCache.endOffsetFor(epoch, this.writtenEnd);
  }

  /** The epoch cache entries, oldest first (for tests and tools). */
  epochEntries(): EpochEntry[] {
    return this.epochCache.list();
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  /**
   * The single writer: runs queued operations and appends in order. Appends already queued behind each
   * other are written together with one writev (each batch still whole and unchanged); if that fails they
   * are retried one by one, so each append fails or succeeds on its own. Never rejects.
   */
  private async drain(): Promise<void> {
    for (let item = this.queue[0]; item !== undefined; item = this.queue[0]) {
      if (item.kind === 'op') {
        this.queue.shift();
        try {
          item.done.resolve(await item.run());
        } catch (err) {
          item.done.reject(err);
        }
        continue;
      }
      if (this.singleWrites === 0 && (await this.writeGroup())) continue;
      this.queue.shift();
      if (this.singleWrites > 0) this.singleWrites -= 1;
      try {
        await this.writeAppend(item);
        item.done.resolve({ baseOffset: item.baseOffset, lastOffset: item.baseOffset + item.count - 1 });
      } catch (err) {
        const failure = storageError(err, `append to ${this.dir} at offset ${item.baseOffset}`);
        // Later appends took offsets after this one's; renumber them so the log stays contiguous.
        this.rebaseQueued(item.baseOffset, failure);
        // An epoch entry made for this batch (or, after a failed group write, a later one) names no batch.
        await this.epochCache.truncateFromEnd(item.baseOffset)
          .catch((e: unknown) => this.logLine(`${this.dir}: leader epoch checkpoint write failed: ${String(e)}`));
        this.logLine(`${failure.code}: ${failure.message}; the partial write was cut away`);
        item.done.reject(failure);
      }
    }
    this.draining = false;
  }

  /**
   * Writes the appends at the head of the queue that fit in the active segment with one writev.
   * Returns false (nothing done) when fewer than two are queued or the first one needs a roll.
   */
  private async writeGroup(): Promise<boolean> {
    const seg = this.active;
    const group: AppendItem[] = [];
    let bytes = 0;
    for (const q of this.queue) {
      if (q.kind !== 'append' || group.length === MAX_GROUP_BATCHES) break;
      const size = q.batch.length;
      const lastOffset = q.baseOffset + q.count - 1;
      if (group.length === 0 ? seg.sizeBytes > 0 && this.shouldRoll(seg, size, lastOffset)
        : bytes + size > MAX_GROUP_BYTES || seg.sizeBytes + bytes + size > this.config.segmentBytes
          || lastOffset - seg.baseOffset > MAX_INT32) {
        break;
      }
      group.push(q);
      bytes += size;
    }
    if (group.length < 2) return false;
    try {
      for (const q of group) await this.noteEpoch(q);
      await seg.write(group.map((q) => q.batch));
    } catch {
      // Nothing of the group stays in the file; write its appends one at a time to fail them singly.
      this.singleWrites = group.length;
      return true;
    }
    this.queue.splice(0, group.length);
    const last = group[group.length - 1];
    this.writtenEnd = last.baseOffset + last.count;
    for (const q of group) this.tail.add(q.batch, q.baseOffset, q.baseOffset + q.count - 1);
    for (const q of group) q.done.resolve({ baseOffset: q.baseOffset, lastOffset: q.baseOffset + q.count - 1 });
    await this.maybePersistIndexes(seg);
    return true;
  }

  private async maybePersistIndexes(seg: LogSegment): Promise<void> {
    if (seg.index.unpersisted + seg.timeIndex.unpersisted >= PERSIST_INDEX_ENTRIES) {
      // The batches are written; an index-file failure is retried by flush() and close(), which report it.
      await seg.persistIndexes().catch((err: Error) => this.logLine(`${this.dir}: index write failed: ${err.message}`));
    }
  }

  /**
   * Records the batch's epoch in the epoch cache (durably) before the batch is written, when it is above
   * the latest, so every batch on disk is covered by an entry even after a crash.
   */
  private async noteEpoch(item: AppendItem): Promise<void> {
    if (item.leaderEpoch > this.epochCache.latestEpoch) await this.epochCache.assign(item.leaderEpoch, item.baseOffset);
  }

  private async writeAppend(item: AppendItem): Promise<void> {
    const { batch, baseOffset } = item;
    const lastOffset = baseOffset + item.count - 1;
    await this.noteEpoch(item);
    let seg = this.active;
    if (seg.sizeBytes > 0 && this.shouldRoll(seg, batch.length, lastOffset)) {
      await this.roll(baseOffset);
      seg = this.active;
    }
    await seg.write([batch]);
    this.writtenEnd = lastOffset + 1;
    this.tail.add(batch, baseOffset, lastOffset);
    await this.maybePersistIndexes(seg);
  }

  private shouldRoll(seg: LogSegment, batchBytes: number, lastOffset: number): boolean {
    if (seg.sizeBytes + batchBytes > this.config.segmentBytes) return true;
    if (lastOffset - seg.baseOffset > MAX_INT32) return true;
    const segmentMs = this.config.segmentMs;
    return segmentMs !== undefined && this.clock.now() - seg.createdMs >= segmentMs;
  }

  /** Starts a new active segment at `baseOffset` and seals the old one; the next flush syncs its data. */
  private async roll(baseOffset: number): Promise<void> {
    this.tail.clear(); // it holds the active segment's batches only: a read gets one buffer per segment
    const old = this.active;
    const seg = await LogSegment.create(this.dir, baseOffset, this.config.indexIntervalBytes, this.clock.now(), this.pool);
    this.segments.push(seg);
    this.unsyncedSealed.push(old);
    await syncDir(this.dir);
    await old.seal();
    old.releaseIndexes();
  }

  /**
   * Gives the appends still queued the offsets from `from` on, in queue order: a leader append is
   * renumbered, a follower append keeps its offsets only when they still follow on and otherwise fails
   * with `failure` (or OFFSET_OUT_OF_RANGE). Sets logEndOffset after them.
   */
  private rebaseQueued(from: number, failure: MqError | null): void {
    let next = from;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.kind !== 'append') continue;
      if (!q.follower) {
        if (q.baseOffset !== next) {
          q.baseOffset = next;
          assignOffset(q.batch, q.baseOffset, q.leaderEpoch);
        }
      } else if (q.baseOffset !== next) {
        this.queue.splice(i, 1);
        i -= 1;
        q.done.reject(failure ?? new MqError('OFFSET_OUT_OF_RANGE',
          `the replicated batch at offset ${q.baseOffset} no longer continues the log ${this.dir}, which now ends at ${next}`));
        continue;
      }
      next += q.count;
    }
    this.nextOffset = next;
  }

  /** Runs `run` on the write queue, after every append and operation queued before it. */
  private runOp<T>(run: () => Promise<T>): Promise<T> {
    const done = deferred<unknown>();
    this.queue.push({ kind: 'op', run, done });
    this.kick();
    return done.promise as Promise<T>;
  }

  // ---- reading -------------------------------------------------------------------------------------

  /**
   * Whole stored batches from the one containing `offset`, at most `maxBytes` in total except that the
   * first batch always comes whole, none holding an offset at or past `upTo` (default and ceiling:
   * writtenEndOffset). One buffer per contiguous file range; empty when offset >= upTo. Offsets still in
   * the tail cache are answered from memory with the batches as written (no file read).
   */
  async read(offset: number, maxBytes: number, upTo?: number): Promise<Buffer[]> {
    this.assertReadable();
    if (offset < this.startOffset || offset > this.nextOffset) {
      throw new MqError('OFFSET_OUT_OF_RANGE',
        `offset ${offset} is outside the log ${this.dir} [${this.logStartOffset}, ${this.nextOffset}]`);
    }
    const end = Math.min(upTo ?? this.writtenEnd, this.writtenEnd);
    if (offset >= end) return [];
    const cached = this.tail.read(offset, maxBytes, end);
    if (cached !== null) return cached;
    const out: Buffer[] = [];
    try {
      let i = this.segmentIndexFor(offset);
      let seg = this.segments[i];
      let limit = seg.sizeBytes;
      let loc = await seg.locateOffset(offset, limit);
      this.noteIndexUse(seg);
      let remaining = maxBytes;
      let first = true;
      for (;;) {
        if (loc !== null) {
          const r = await seg.readBatches(loc, remaining, end, first, limit);
          if (r.bytes.length > 0) {
            out.push(r.bytes);
            remaining -= r.bytes.length;
            first = false;
          }
          if (r.stopped || r.lastOffset + 1 >= end || remaining <= 0) break;
        }
        i += 1;
        if (i >= this.segments.length) break;
        seg = this.segments[i];
        limit = seg.sizeBytes;
        loc = await seg.locateFirst(limit);
      }
    } catch (err) {
      throw storageError(err, `read of ${this.dir} at offset ${offset}`);
    }
    return out;
  }

  /**
   * The first stored batch at or past the log start whose MaxTimestamp >= timestampMs (found through the
   * time index), or null.
   */
  async batchForTimestamp(timestampMs: number): Promise<Buffer | null> {
    this.assertReadable();
    const end = this.writtenEnd;
    try {
      for (const seg of this.segments) {
        if (seg.endOffset <= this.startOffset || seg.endOffset === seg.baseOffset || seg.maxTimestampMs < timestampMs) continue;
        const loc = await seg.locateTimestamp(timestampMs, seg.sizeBytes, this.startOffset);
        this.noteIndexUse(seg);
        if (loc === null) continue;
        return loc.lastOffset < end ? await seg.readBatch(loc) : null;
      }
    } catch (err) {
      throw storageError(err, `timestamp lookup in ${this.dir}`);
    }
    return null;
  }

  /** Keeps the indexes of at most SEALED_INDEXES_LOADED recently searched sealed segments in memory. */
  private noteIndexUse(seg: LogSegment): void {
    if (seg === this.active) return;
    const i = this.loadedSealed.indexOf(seg);
    if (i >= 0) this.loadedSealed.splice(i, 1);
    this.loadedSealed.push(seg);
    while (this.loadedSealed.length > SEALED_INDEXES_LOADED) this.loadedSealed.shift()!.releaseIndexes();
  }

  /** Index of the last segment whose base offset is <= offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private assertReadable(): void {
    if (this.state === 'closed') throw this.closedError();
  }

  private closedError(): MqError {
    return new MqError('KAFKA_STORAGE_ERROR', `the log ${this.dir} is closed`, { retriable: true });
  }

  // ---- durability and lifecycle --------------------------------------------------------------------

  /**
   * fdatasync of the active segment and its index files (and of segments sealed since the last flush),
   * covering every append made before the call. Appends go on while the sync runs.
   */
  async flush(): Promise<number> {
    const started = await this.runOp(async () => {
      if (this.state === 'closed') return { synced: Promise.resolve(), end: this.flushedEnd, sealedBelow: -1, truncations: this.truncations };
      const end = this.writtenEnd;
      const seg = this.active;
      const sealedBelow = this.unsyncedSealed.length > 0 ? seg.baseOffset : -1;
      // The data is what a flush promises; the indexes are checked against it and rebuilt by open(). So a
      // failed index write (a full disk) does not fail appends already written: it is logged, and the
      // next flush or close() writes the entries again.
      await seg.persistIndexes().catch((err: Error) => this.logLine(`${this.dir}: index write failed: ${err.message}`));
      this.syncSealed();
      const synced = Promise.all([seg.sync(), this.sealedSynced]);
      // Awaited by the caller right after this op; the handler only covers the microtasks in between.
      void synced.catch(() => undefined);
      return { synced, end, sealedBelow, truncations: this.truncations };
    }).catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    await started.synced.catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    // A truncation since the flush started may have cut what it synced; what is written after it is not synced.
    if (started.truncations !== this.truncations) return Math.min(started.end, this.flushedEnd);
    if (started.end > this.flushedEnd) this.flushedEnd = started.end;
    if (started.sealedBelow > this.recoveryPoint) {
      const point = started.sealedBelow;
      // Only an optimization of the next unclean open: a failed write is logged, the flush still counts.
      await this.runOp(async () => {
        if (point <= this.recoveryPoint || this.state === 'closed' || started.truncations !== this.truncations) return;
        await this.writeOffsetFile(RECOVERY_POINT_FILE, point);
        this.recoveryPoint = point;
      }).catch((err: unknown) => this.logLine(`${this.dir}: recovery-point checkpoint failed: ${String(err)}`));
    }
    return started.end;
  }

  /**
   * Resolves once every offset below `endOffset` (already written) is on disk. Group commit: while one
   * fdatasync runs, every caller that arrives waits for it and then shares the single next one, which
   * covers everything written by the time it starts. Rejects only with the failure of a flush started
   * after the call (a flush already running when it came may not cover it).
   */
  async syncTo(endOffset: number): Promise<void> {
    if (this.flushedEnd >= endOffset) return;
    if (this.flushInFlight !== null) {
      await this.flushInFlight.catch(() => undefined);
      if (this.flushedEnd >= endOffset) return;
    }
    if (this.flushInFlight === null) {
      const p: Promise<void> = this.flush().then(() => undefined).finally(() => {
        if (this.flushInFlight === p) this.flushInFlight = null;
      });
      this.flushInFlight = p;
    }
    await this.flushInFlight;
  }

  // ---- truncation (replication) --------------------------------------------------------------------

  /**
   * Drops every batch at or after `offset`, rounded down to the start of the batch containing it; a no-op
   * when `offset` is at or past the end. Runs on the queue after the appends queued before it; leader
   * appends queued after it are renumbered from the new end, follower appends queued after it fail with
   * OFFSET_OUT_OF_RANGE (await this before appending from the new end). Below the log start it is
   * truncateFullyAndStartAt(offset).
   */
  truncateTo(offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (!Number.isSafeInteger(offset) || offset < 0) return Promise.reject(new MqError('INVALID_REQUEST', `cannot truncate at offset ${offset}`));
    return this.runOp(() => this.truncateOnQueue(offset))
      .catch((err: unknown) => { throw storageError(err, `truncation of ${this.dir} at offset ${offset}`); });
  }

  /** Deletes every segment; the log restarts empty at `offset` (log start = log end = offset), epoch cache cleared. */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (!Number.isSafeInteger(offset) || offset < 0) return Promise.reject(new MqError('INVALID_REQUEST', `cannot restart the log at offset ${offset}`));
    return this.runOp(() => this.truncateFullyOnQueue(offset))
      .catch((err: unknown) => { throw storageError(err, `full truncation of ${this.dir} to offset ${offset}`); });
  }

  /**
   * On the queue. Crash-safe order: the recovery point is lowered to the cut segment (so recovery checks
   * it batch by batch), the later segments are deleted newest first (a crash leaves a contiguous prefix),
   * the cut segment is truncated and fdatasynced, its indexes rewritten, and only then the epoch cache
   * loses its entries past the cut (a crash before that leaves entries past the end, which open() drops).
   */
  private async truncateOnQueue(offset: number): Promise<void> {
    if (this.state !== 'open') throw this.closedError();
    const oldEnd = this.writtenEnd;
    if (offset >= oldEnd) return;
    if (offset < this.startOffset) return this.truncateFullyOnQueue(offset);
    const i = this.segmentIndexFor(offset);
    const seg = this.segments[i];
    const loc = await seg.locateOffset(offset, seg.sizeBytes);
    if (loc === null) throw new MqError('KAFKA_STORAGE_ERROR', `no batch of ${basename(seg.logPath)} holds offset ${offset}`, { retriable: true });
    const newEnd = loc.baseOffset;
    if (newEnd < this.startOffset) return this.truncateFullyOnQueue(offset);
    this.truncations += 1;
    this.writtenEnd = newEnd;
    this.tail.clear();
    await this.lowerRecoveryPoint(seg.baseOffset);
    const later = this.segments.slice(i + 1);
    for (const s of [...later].reverse()) await s.deleteFiles();
    if (later.length > 0) await syncDir(this.dir);
    this.segments.length = i + 1;
    this.forgetSealed([seg, ...later]);
    const bytesCut = await seg.truncateTo(loc.position, newEnd);
    await seg.persistIndexes();
    await this.epochCache.truncateFromEnd(newEnd);
    this.flushedEnd = Math.min(this.flushedEnd, newEnd);
    this.rebaseQueued(newEnd, null);
    this.logLine(`${this.dir}: truncated to offset ${newEnd} (asked ${offset}, was ${oldEnd}): cut ${bytesCut} bytes of `
      + `${basename(seg.logPath)}` + (later.length > 0 ? ` and deleted ${later.length} later segment(s)` : ''));
  }

  /** On the queue: segments deleted newest first, a new empty one at `offset`, then the checkpoints. */
  private async truncateFullyOnQueue(offset: number): Promise<void> {
    if (this.state !== 'open') throw this.closedError();
    this.truncations += 1;
    const oldEnd = this.writtenEnd;
    this.writtenEnd = Math.min(this.writtenEnd, offset);
    this.tail.clear();
    await this.lowerRecoveryPoint(Math.min(offset, this.segments[0].baseOffset));
    const doomed = this.segments.splice(0);
    this.forgetSealed(doomed);
    for (const s of [...doomed].reverse()) await s.deleteFiles();
    this.segments = [await LogSegment.create(this.dir, offset, this.config.indexIntervalBytes, this.clock.now(), this.pool)];
    await syncDir(this.dir);
    await this.writeStartCheckpoint(offset);
    await this.epochCache.clear();
    this.startOffset = offset;
    this.writtenEnd = offset;
    this.flushedEnd = offset;
    this.rebaseQueued(offset, null);
    this.logLine(`${this.dir}: deleted ${doomed.length} segment(s) ending at offset ${oldEnd}; the log restarts empty at offset ${offset}`);
  }

  /** Makes sure the recovery point (file and memory) is at most `point`. */
  private async lowerRecoveryPoint(point: number): Promise<void> {
    const onDisk = await this.readOffsetFile(RECOVERY_POINT_FILE);
    if (onDisk > point) await this.writeOffsetFile(RECOVERY_POINT_FILE, point);
    this.recoveryPoint = Math.min(point, Math.max(this.recoveryPoint, onDisk));
  }

  /** Segments that are gone or active again leave the sealed-segment lists. */
  private forgetSealed(segs: LogSegment[]): void {
    const gone = new Set(segs);
    this.unsyncedSealed = this.unsyncedSealed.filter((s) => !gone.has(s));
    this.loadedSealed = this.loadedSealed.filter((s) => !gone.has(s));
  }

  // ---- retention and DeleteRecords -----------------------------------------------------------------

  /**
   * DeleteRecords: makes `offset` the log start offset (records below it are no longer served) and
   * deletes the segments wholly below it. When `offset` is the end of the log the active segment is
   * rolled first so its space is freed too. Offsets past the written end are OFFSET_OUT_OF_RANGE.
   * Returns the log start offset after the call.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    return this.runOp(async () => {
      if (offset > this.writtenEnd || offset < 0) {
        throw new MqError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: the log ${this.dir} ends at ${this.writtenEnd}`);
      }
      if (offset <= this.startOffset) return this.startOffset;
      const active = this.active;
      if (offset === this.writtenEnd && active.sizeBytes > 0) await this.roll(offset);
      let n = 0;
      while (n < this.segments.length - 1 && this.segments[n + 1].baseOffset <= offset) n += 1;
      await this.moveStart(offset, n);
      return this.startOffset;
    }).catch((err: unknown) => { throw storageError(err, `delete-records of ${this.dir}`); });
  }

  /**
   * One log-cleaner pass: deletes the oldest inactive segments whose newest timestamp is older than
   * retentionMs, then while the log without the oldest inactive segment is still at least retentionBytes
   * (so the log stays within one segment of the limit), and any wholly below the log start offset.
   * The active segment is never deleted. Returns the number of segments deleted.
   */
  applyRetention(policy: RetentionPolicy, nowMs: number = this.clock.now()): Promise<number> {
    if (this.state !== 'open') return Promise.resolve(0);
    return this.runOp(async () => {
      if (this.state !== 'open') return 0;
      const inactive = this.segments.length - 1;
      let n = 0;
      while (n < inactive && this.segments[n].endOffset <= this.startOffset) n += 1;
      if (policy.retentionMs >= 0) {
        while (n < inactive && this.segments[n].maxTimestampMs < nowMs - policy.retentionMs) n += 1;
      }
      if (policy.retentionBytes >= 0) {
        let size = 0;
        for (let i = n; i < this.segments.length; i++) size += this.segments[i].sizeBytes;
        while (n < inactive && size - this.segments[n].sizeBytes >= policy.retentionBytes) {
          size -= this.segments[n].sizeBytes;
          n += 1;
        }
      }
      if (n === 0) return 0;
      const deleted = this.segments.slice(0, n);
      this.logLine(`${this.dir}: retention deleted ${n} segment(s) (${deleted.reduce((b, s) => b + s.sizeBytes, 0)} bytes) `
        + `below offset ${this.segments[n].baseOffset}`);
      await this.moveStart(Math.max(this.startOffset, this.segments[n].baseOffset), n);
      return n;
    }).catch((err: unknown) => { throw storageError(err, `retention of ${this.dir}`); });
  }

  /**
   * On the queue: sets the log start offset to `offset` and deletes the first `n` segments (all below
   * it). When the start lands inside a segment it is checkpointed first; if that write fails (a full
   * disk) the segments are deleted first to make room and the checkpoint is written after.
   */
  private async moveStart(offset: number, n: number): Promise<void> {
    const needsCheckpoint = offset > this.segments[n].baseOffset;
    let checkpointFailure: unknown = null;
    if (needsCheckpoint) {
      try {
        await this.writeStartCheckpoint(offset);
      } catch (err) {
        checkpointFailure = err;
      }
    }
    const doomed = this.segments.splice(0, n);
    this.startOffset = offset;
    this.forgetSealed(doomed);
    for (const seg of doomed) await seg.deleteFiles();
    if (n > 0) await syncDir(this.dir);
    if (checkpointFailure !== null) await this.writeStartCheckpoint(offset);
    await this.epochCache.truncateFromStart(offset);
  }

  /** Writes `.log-start-offset` durably (temp file, rename, directory sync). */
  private writeStartCheckpoint(offset: number): Promise<void> {
    return this.writeOffsetFile(LOG_START_FILE, offset);
  }

  /** Writes an offset checkpoint file durably (temp file, rename, directory sync). */
  private async writeOffsetFile(name: string, offset: number): Promise<void> {
    const tmp = join(this.dir, name + '.tmp');
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(`${offset}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await syncDir(this.dir);
  }

  /** The checkpointed log start offset, or -1 when there is none (or it is unreadable). */
  private readStartCheckpoint(): Promise<number> {
    return this.readOffsetFile(LOG_START_FILE);
  }

  /** An offset checkpoint file's value, or -1 when it is missing or unreadable. */
  private async readOffsetFile(name: string): Promise<number> {
    try {
      const n = Number((await readFile(join(this.dir, name), 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : -1;
    } catch {
      return -1;
    }
  }

  /** Starts syncing the sealed segments not synced yet. A failed sync keeps failing later flushes. */
  private syncSealed(): void {
    const sealed = this.unsyncedSealed.splice(0);
    if (sealed.length === 0) return;
    this.sealedSynced = Promise.all([this.sealedSynced, ...sealed.map((s) => s.syncLog())]).then(() => undefined);
    void this.sealedSynced.catch(() => undefined);
  }

  /** Waits for pending writes, flushes, closes files, writes the clean-shutdown marker. */
  close(): Promise<void> {
    if (this.closed === null) {
      this.state = 'closing';
      this.closed = this.runOp(() => this.shutDown(true));
    }
    return this.closed;
  }

  /** Closes and removes the folder (topic deletion). */
  async delete(): Promise<void> {
    if (this.closed === null) {
      this.state = 'closing';
      this.closed = this.runOp(() => this.shutDown(false));
    }
    await this.closed.catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** On the queue: persists and syncs (when `clean`), closes every file, writes the marker. */
  private async shutDown(clean: boolean): Promise<void> {
    let failure: unknown = null;
    this.tail.clear();
    if (clean) {
      try {
        const active = this.active;
        active.finishTimeIndex();
        for (const seg of this.segments) await seg.persistIndexes();
        this.syncSealed();
        await Promise.all([active.sync(), this.sealedSynced]);
      } catch (err) {
        failure = err;
      }
    }
    for (const seg of this.segments) {
      await seg.close().catch((err: unknown) => { failure ??= err; });
    }
    this.state = 'closed';
    if (failure !== null) throw storageError(failure, `close of ${this.dir} (it will be recovered on open)`);
    if (!clean) return;
    const marker: CleanShutdown = {
      version: 1, logEndOffset: this.nextOffset, activeBaseOffset: this.active.baseOffset, activeSizeBytes: this.active.sizeBytes,
    };
    const fh = await open(join(this.dir, CLEAN_SHUTDOWN_FILE), 'w', 0o644);
    try {
      await fh.writeFile(JSON.stringify(marker) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await syncDir(this.dir);
  }

  // ---- opening and recovery ------------------------------------------------------------------------

  private async load(): Promise<void> {
    const names = await readdir(this.dir);
    const bases = names.flatMap((n) => {
      const m = SEGMENT_LOG_NAME.exec(n);
      return m === null ? [] : [Number(m[1])];
    }).sort((a, b) => a - b);
    const known = new Set(bases);
    for (const n of names) {
      const m = SEGMENT_INDEX_NAME.exec(n);
      if (m !== null && !known.has(Number(m[1]))) await unlink(join(this.dir, n));
    }
    const marker = await this.takeCleanShutdownMarker();
    const nowMs = this.clock.now();
    const interval = this.config.indexIntervalBytes;

    if (bases.length === 0) {
      // A log emptied by DeleteRecords keeps its start offset even with no segment file left.
      const start = Math.max(await this.readStartCheckpoint(), 0);
      this.segments = [await LogSegment.create(this.dir, start, interval, nowMs, this.pool)];
      this.nextOffset = start;
      this.writtenEnd = start;
      this.flushedEnd = start;
      this.startOffset = start;
      await syncDir(this.dir);
      return;
    }
    try {
      for (const base of bases) this.segments.push(await LogSegment.openExisting(this.dir, base, interval, nowMs, this.pool));
    } catch (err) {
      for (const seg of this.segments) await seg.close().catch(() => undefined);
      throw storageError(err, `open of ${this.dir}`);
    }

    let clean = marker !== null;
    const last = this.active;
    if (marker !== null && (marker.activeBaseOffset !== last.baseOffset || marker.activeSizeBytes !== last.sizeBytes)) {
      this.logLine(`${this.dir}: the clean-shutdown marker (segment ${marker.activeBaseOffset}, ${marker.activeSizeBytes} bytes) `
        + `does not match the files (segment ${last.baseOffset}, ${last.sizeBytes} bytes); checking every segment`);
      clean = false;
    }
    let removed = false;
    try {
      const recoveryPoint = clean ? -1 : await this.readOffsetFile(RECOVERY_POINT_FILE);
      removed = await this.recoverSegments(clean, recoveryPoint);
      for (const seg of this.segments) {
        // A sealed segment's time index ends with its largest timestamp (a rebuilt one needs it added).
        if (seg !== this.active) seg.finishTimeIndex();
        await seg.persistIndexes();
        if (seg !== this.active) {
          await seg.index.close();
          await seg.timeIndex.close();
          seg.releaseIndexes();
        }
      }
      if (removed) await syncDir(this.dir);
    } catch (err) {
      for (const seg of this.segments) await seg.close().catch(() => undefined);
      throw storageError(err, `recovery of ${this.dir}`);
    }
    this.nextOffset = this.active.endOffset;
    this.writtenEnd = this.nextOffset;
    // After a clean stop everything was synced; after a crash what recovery kept is what is on disk.
    this.flushedEnd = this.nextOffset;
    const checkpoint = await this.readStartCheckpoint();
    this.startOffset = Math.min(Math.max(checkpoint, this.segments[0].baseOffset), this.nextOffset);
  }

  /**
   * Loads `leader-epoch-checkpoint`, dropping entries at or past the recovered end and raising the one
   * covering the log start. A missing or malformed file is rebuilt from the batch headers (a log written
   * before the cache existed) when the log holds batches.
   */
  private async loadEpochCache(): Promise<void> {
    const { cache, problem, missing } = await LeaderEpochCache.load(this.dir);
    this.epochCache = cache;
    if (problem !== null && (!missing || this.segments.some((seg) => seg.sizeBytes > 0))) {
      const entries: EpochEntry[] = [];
      for (const seg of this.segments) {
        await seg.forEachBatchEpoch((baseOffset, epoch) => {
          if (epoch >= 0 && epoch > (entries[entries.length - 1]?.epoch ?? -1)) entries.push({ epoch, startOffset: baseOffset });
        });
      }
      await cache.reset(entries);
      this.logLine(`${this.dir}: rebuilt the leader epoch cache from the batch headers (${entries.length} epochs): ${problem}`);
    }
    await cache.truncateFromEnd(this.nextOffset);
    await cache.truncateFromStart(this.startOffset);
  }

  /**
   * Checks the segments in order (trusting indexes when `clean`), truncates at the first bad batch and
   * deletes the segments after it. Returns whether any segment file was deleted.
   */
  private async recoverSegments(clean: boolean, recoveryPoint = -1): Promise<boolean> {
    const segs = this.segments;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      const name = basename(seg.logPath);
      if (i > 0 && seg.baseOffset !== segs[i - 1].endOffset) {
        const prev = segs[i - 1];
        return this.dropFrom(i, `segment ${name} starts at offset ${seg.baseOffset} but the one before ends at ${prev.endOffset}`);
      }
      let truncation: SegmentTruncation | null;
      const synced = i < segs.length - 1 && segs[i + 1].baseOffset <= recoveryPoint;
      if (!clean && !synced) {
        truncation = await seg.recover();
      } else if (i < segs.length - 1) {
        const problem = await seg.trustAsInactive(segs[i + 1].baseOffset);
        if (problem !== null) this.logLine(`${this.dir}: rebuilding the indexes of ${name}: ${problem}`);
        truncation = problem === null ? null : await seg.recover();
      } else {
        const tail = await seg.scanTail();
        if ('problem' in tail) {
          this.logLine(`${this.dir}: rebuilding the indexes of ${name}: ${tail.problem}`);
          truncation = await seg.recover();
        } else {
          truncation = tail.truncation;
        }
      }
      if (truncation !== null) {
        const later = segs.slice(i + 1);
        const laterBytes = later.reduce((n, s) => n + s.sizeBytes, 0);
        this.logLine(`${this.dir}: truncated ${truncation.bytesCut} bytes of ${name} at position ${truncation.position} `
          + `(offset ${truncation.offset}): ${truncation.reason}`
          + (later.length > 0 ? `; deleted ${later.length} later segment(s) (${laterBytes} bytes)` : ''));
        for (const s of later) await s.deleteFiles();
        segs.length = i + 1;
        return later.length > 0;
      }
    }
    return false;
  }

  /** Deletes segments i.. (their offsets do not follow on), logging one line. */
  private async dropFrom(i: number, reason: string): Promise<boolean> {
    const later = this.segments.slice(i);
    const bytes = later.reduce((n, s) => n + s.sizeBytes, 0);
    this.logLine(`${this.dir}: deleted ${later.length} segment(s) (${bytes} bytes) from offset ${later[0].baseOffset}: ${reason}`);
    for (const s of later) await s.deleteFiles();
    this.segments.length = i;
    return true;
  }

  /** Reads and removes the clean-shutdown marker (durably, so a later crash is noticed). */
  private async takeCleanShutdownMarker(): Promise<CleanShutdown | null> {
    const path = join(this.dir, CLEAN_SHUTDOWN_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    await unlink(path);
    await syncDir(this.dir);
    try {
      const m = JSON.parse(text) as CleanShutdown;
      if (m.version === 1 && [m.logEndOffset, m.activeBaseOffset, m.activeSizeBytes].every((v) => Number.isSafeInteger(v) && v >= 0)) {
        return m;
      }
    } catch {
      // Unreadable: fall through and treat the stop as unclean.
    }
    this.logLine(`${this.dir}: the clean-shutdown marker is unreadable; checking every segment`);
    return null;
  }
}

function checkConfig(config: LogConfig): void {
  const bad = (what: string): never => {
    throw new MqError('INVALID_CONFIG', `invalid log config: ${what}`);
  };
  if (!Number.isInteger(config.segmentBytes) || config.segmentBytes < BATCH_HEADER_BYTES || config.segmentBytes > MAX_INT32) {
    bad(`segmentBytes must be an integer from ${BATCH_HEADER_BYTES} to ${MAX_INT32}, got ${config.segmentBytes}`);
  }
  if (!Number.isInteger(config.indexIntervalBytes) || config.indexIntervalBytes < 0) {
    bad(`indexIntervalBytes must be a non-negative integer, got ${config.indexIntervalBytes}`);
  }
  if (config.segmentMs !== undefined && !(Number.isInteger(config.segmentMs) && config.segmentMs > 0)) {
    bad(`segmentMs must be a positive integer, got ${config.segmentMs}`);
  }
}

/** An MqError as is; anything else (an fs error) as a retriable KAFKA_STORAGE_ERROR. */
function storageError(err: unknown, what: string): MqError {
  if (err instanceof MqError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MqError('KAFKA_STORAGE_ERROR', `${what}: ${message}`, { retriable: true, cause: err });
}

/** fsync of a directory, so created, renamed and deleted entries survive a crash. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
