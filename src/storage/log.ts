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
// close() run on the same queue, so index files and segment switches never race with a write.
import { mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BATCH_HEADER_BYTES, assignOffset, batchSizeAt, lastOffsetDeltaAt } from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';
import { deferred, type Deferred } from '../util/promise.js';
import { systemClock, type Clock } from '../util/clock.js';
import { LogSegment, type SegmentTruncation } from './log-segment.js';
import { defaultFilePool, type FilePool } from './file-pool.js';

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
  private closed: Promise<void> | null = null;
  private readonly logLine: (msg: string) => void;
  private readonly clock: Clock;
  private readonly pool: FilePool;

  private constructor(readonly dir: string, private config: LogConfig, opts: LogOptions) {
    this.logLine = opts.log ?? (() => undefined);
    this.clock = opts.clock ?? systemClock;
    this.pool = opts.filePool ?? defaultFilePool;
  }

  /** Opens (creating the folder if needed) and recovers the log. */
  static async open(dir: string, config: LogConfig, opts: LogOptions = {}): Promise<Log> {
    checkConfig(config);
    const log = new Log(dir, config, opts);
    try {
      await mkdir(dir, { recursive: true });
      await log.load();
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
    if (batch.length < BATCH_HEADER_BYTES || batchSizeAt(batch) !== batch.length) {
      return Promise.reject(new MqError('CORRUPT_MESSAGE', `a ${batch.length}-byte buffer is not one whole record batch`));
    }
    if (batch.length > this.config.segmentBytes) {
      return Promise.reject(new MqError('RECORD_LIST_TOO_LARGE',
        `a ${batch.length}-byte batch does not fit in a ${this.config.segmentBytes}-byte segment`));
    }
    const count = lastOffsetDeltaAt(batch) + 1;
    if (count < 1) return Promise.reject(new MqError('CORRUPT_MESSAGE', `LastOffsetDelta ${count - 1} is negative`));
    const item = { kind: 'append' as const, batch, baseOffset: this.nextOffset, count, leaderEpoch, done: deferred<AppendResult>() };
    assignOffset(batch, item.baseOffset, leaderEpoch);
    this.nextOffset += count;
    this.queue.push(item);
    this.kick();
    return item.done.promise;
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
        await this.writeAppend(item.batch, item.baseOffset, item.baseOffset + item.count - 1);
        item.done.resolve({ baseOffset: item.baseOffset, lastOffset: item.baseOffset + item.count - 1 });
      } catch (err) {
        // Later appends took offsets after this one's; renumber them so the log stays contiguous.
        for (const later of this.queue) {
          if (later.kind !== 'append') continue;
          later.baseOffset -= item.count;
          assignOffset(later.batch, later.baseOffset, later.leaderEpoch);
        }
        this.nextOffset -= item.count;
        const failure = storageError(err, `append to ${this.dir} at offset ${item.baseOffset}`);
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
      await seg.writeMany(group.map((q) => q.batch), group.map((q) => q.baseOffset), group.map((q) => q.baseOffset + q.count - 1));
    } catch {
      // Nothing of the group stays in the file; write its appends one at a time to fail them singly.
      this.singleWrites = group.length;
      return true;
    }
    this.queue.splice(0, group.length);
    const last = group[group.length - 1];
    this.writtenEnd = last.baseOffset + last.count;
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

  private async writeAppend(batch: Buffer, baseOffset: number, lastOffset: number): Promise<void> {
    let seg = this.active;
    if (seg.sizeBytes > 0 && this.shouldRoll(seg, batch.length, lastOffset)) {
      await this.roll(baseOffset);
      seg = this.active;
    }
    await seg.write(batch, baseOffset, lastOffset);
    this.writtenEnd = lastOffset + 1;
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
    const old = this.active;
    const seg = await LogSegment.create(this.dir, baseOffset, this.config.indexIntervalBytes, this.clock.now(), this.pool);
    this.segments.push(seg);
    this.unsyncedSealed.push(old);
    await syncDir(this.dir);
    await old.seal();
    old.releaseIndexes();
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
   * writtenEndOffset). One buffer per contiguous file range; empty when offset >= upTo.
   */
  async read(offset: number, maxBytes: number, upTo?: number): Promise<Buffer[]> {
    this.assertReadable();
    if (offset < this.startOffset || offset > this.nextOffset) {
      throw new MqError('OFFSET_OUT_OF_RANGE',
        `offset ${offset} is outside the log ${this.dir} [${this.logStartOffset}, ${this.nextOffset}]`);
    }
    const end = Math.min(upTo ?? this.writtenEnd, this.writtenEnd);
    if (offset >= end) return [];
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
      if (this.state === 'closed') return { synced: Promise.resolve(), end: this.flushedEnd, sealedBelow: -1 };
      const end = this.writtenEnd;
      const seg = this.active;
      const sealedBelow = this.unsyncedSealed.length > 0 ? seg.baseOffset : -1;
      await seg.persistIndexes();
      this.syncSealed();
      const synced = Promise.all([seg.sync(), this.sealedSynced]);
      // Awaited by the caller right after this op; the handler only covers the microtasks in between.
      void synced.catch(() => undefined);
      return { synced, end, sealedBelow };
    }).catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    await started.synced.catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    if (started.end > this.flushedEnd) this.flushedEnd = started.end;
    if (started.sealedBelow > this.recoveryPoint) {
      const point = started.sealedBelow;
      // Only an optimization of the next unclean open: a failed write is logged, the flush still counts.
      await this.runOp(async () => {
        if (point <= this.recoveryPoint || this.state === 'closed') return;
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
    const doomedSet = new Set(doomed);
    this.unsyncedSealed = this.unsyncedSealed.filter((s) => !doomedSet.has(s));
    this.loadedSealed = this.loadedSealed.filter((s) => !doomedSet.has(s));
    for (const seg of doomed) await seg.deleteFiles();
    if (n > 0) await syncDir(this.dir);
    if (checkpointFailure !== null) await this.writeStartCheckpoint(offset);
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
