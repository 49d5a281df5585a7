// One partition replica's log: the API the broker, replication and the log cleaner use. A folder of
// segments (log-segments.ts; formats in log-segment.ts, offset-index.ts, time-index.ts), opened and
// recovered by log-recovery.ts, with checkpoint files beside them (log-checkpoints.ts) and the leader
// epoch cache (leader-epoch-cache.ts). Appends and every operation that changes files go through one
// write queue (append-queue.ts). This file owns the log's bounds (log start, written end, flushed end),
// the checks on what callers hand in, and the decisions of flush, truncation, retention, DeleteRecords
// and close: what runs on the queue, in which crash-safe order, and which checkpoint each writes.
//
// flush() fdatasyncs the active segment and the segments sealed since the last flush; once those are
// synced the recovery point is raised past them, so a later unclean open validates less. close() syncs
// everything and writes the clean-shutdown marker last.
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
//
// Producer state (log-producers.ts): leader appends of idempotent producers are checked (a retry gets its
// first offsets back, nothing written); maintainProducerState() (the log cleaner's pass) and close() snapshot it.
//
// Retention and DeleteRecords delete whole segments front to back. When the log start lands inside a
// segment, `.log-start-offset` is written first (on a full disk: after the deletions made room); open()
// takes the larger of it and the first segment's base offset. Log-start moves raise the epoch entry
// covering the new start.
import { mkdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { BATCH_HEADER_BYTES, baseOffsetAt, batchSizeAt, lastOffsetDeltaAt } from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import { AppendQueue, type AppendResult } from './append-queue.js';
import { storageError } from './disk-error.js';
import { defaultFilePool, type FilePool } from './file-pool.js';
import type { EpochEndOffset, EpochEntry, LeaderEpochCache } from './leader-epoch-cache.js';
import { LogCheckpoints } from './log-checkpoints.js';
import { recoverLog, type RecoveredLog } from './log-recovery.js';
import { LogSegments } from './log-segments.js';
import { buildControlBatch, type TxnMarker } from '../protocol/control-batch.js';
import { checkConfig, type LogConfig, type LogOptions, type RetentionPolicy } from './log-config.js';
import { LogProducers, PRODUCER_ID_EXPIRATION_MS } from './log-producers.js';
import { producerInfoAt, type ProducerStateTable } from './producer-state.js';

export type { LogConfig, LogOptions, RetentionPolicy } from './log-config.js';

/** An append's outcome: a retried idempotent batch is `duplicate`, with the offsets it was first given. */
export interface LogAppendResult extends AppendResult {
  duplicate?: boolean;
}

export class Log {
  private readonly segments: LogSegments;
  private readonly queue: AppendQueue;
  /** First offset readers may ask for; at or above the first segment's base offset. */
  private startOffset: number;
  /** Offsets below this are known to be on disk (fdatasynced). */
  private flushedEnd: number;
  /** The fdatasync running now; appends that finish meanwhile share the next one (group commit). */
  private flushInFlight: Promise<void> | null = null;
  private state: 'open' | 'closing' | 'closed' = 'open';
  /** Truncations so far: a flush that started before one must not advance the flushed end or recovery point. */
  private truncations = 0;
  /** Leader epochs by start offset (`leader-epoch-checkpoint`); loaded by open(). */
  private readonly epochCache: LeaderEpochCache;
  private closed: Promise<void> | null = null;
  /** The idempotent and transactional producers seen in this log, with their snapshots (loaded by open()). */
  private readonly producerLog: LogProducers;

  private constructor(
    readonly dir: string,
    private config: LogConfig,
    recovered: RecoveredLog,
    private readonly checkpoints: LogCheckpoints,
    private readonly clock: Clock,
    pool: FilePool,
    private readonly logLine: (msg: string) => void,
  ) {
    this.segments = new LogSegments(dir, recovered.segments, pool, clock);
    this.epochCache = recovered.epochCache;
    this.startOffset = recovered.startOffset;
    this.producerLog = new LogProducers(dir, recovered.producers, recovered.snapshots);
    // After a clean stop everything was synced; after a crash what recovery kept is what is on disk.
    this.flushedEnd = recovered.endOffset;
    this.queue = new AppendQueue(
      { dir, segments: this.segments, epochCache: this.epochCache, clock, config: () => this.config, logLine }, recovered.endOffset);
  }

  /** Opens (creating the folder if needed) and recovers the log. */
  static async open(dir: string, config: LogConfig, opts: LogOptions = {}): Promise<Log> {
    checkConfig(config);
    const logLine = opts.log ?? (() => undefined);
    const clock = opts.clock ?? systemClock;
    const pool = opts.filePool ?? defaultFilePool;
    const checkpoints = new LogCheckpoints(dir, logLine);
    let recovered: RecoveredLog;
    try {
      await mkdir(dir, { recursive: true });
      recovered = await recoverLog({ dir, indexIntervalBytes: config.indexIntervalBytes, checkpoints, pool, clock, logLine });
    } catch (err) {
      throw storageError(err, `open of ${dir}`);
    }
    return new Log(dir, config, recovered, checkpoints, clock, pool, logLine);
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
    return this.segments.hasUnsyncedSealed;
  }

  /** Number of segments (for tests and metrics). */
  get segmentCount(): number {
    return this.segments.all.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.all.map((s) => s.baseOffset);
  }

  /** Applies a changed segment.bytes / segment.ms to the next roll decision. */
  updateConfig(config: LogConfig): void {
    checkConfig(config);
    this.config = config;
  }

  /** Next offset to assign (advances synchronously inside append()). */
  get logEndOffset(): number {
    return this.queue.endOffset;
  }

  /** End offset of the batches whose write to the file has completed; readers see only below this. */
  get writtenEndOffset(): number {
    return this.queue.writtenEnd;
  }

  /** Bytes of .log files over all segments. */
  get sizeBytes(): number {
    return this.segments.sizeBytes;
  }

  // ---- appending -----------------------------------------------------------------------------------

  /**
   * Appends ONE complete, already-validated RecordBatch v2: rewrites BaseOffset and PartitionLeaderEpoch
   * in place now, writes the bytes with one write, in call order. Resolves when written (not fsynced).
   * A failed write rejects with KAFKA_STORAGE_ERROR and gives its offsets back to later appends.
   */
  append(batch: Buffer, leaderEpoch: number): Promise<LogAppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const problem = this.checkBatch(batch);
    if (problem !== null) return Promise.reject(problem);
    const producer = producerInfoAt(batch);
    if (producer === null) return this.queue.appendLeader(batch, leaderEpoch);
    let retried;
    try {
      retried = this.producerLog.retryOf(producer);
    } catch (err) {
      return Promise.reject(err);
    }
    if (retried !== null) return this.answerRetry(producer.producerId, retried.firstOffset, retried.lastOffset);
    const written = this.queue.appendLeader(batch, leaderEpoch);
    return this.producerLog.track(batch, baseOffsetAt(batch), written, false);
  }

  /**
   * The answer to a retried batch: its first offsets, once its first write is done (queued writes finish
   * before an op runs). If that write failed the producer was forgotten: the retry is refused (retriable)
   * and the client's next retry is appended as new.
   */
  private async answerRetry(producerId: bigint, baseOffset: number, lastOffset: number): Promise<LogAppendResult> {
    if (lastOffset >= this.queue.writtenEnd) await this.queue.runOp(async () => undefined);
    if (!this.producerLog.stillHas(producerId, baseOffset, lastOffset)) {
      throw new MqError('KAFKA_STORAGE_ERROR', `the first write of this retried batch to ${this.dir} failed; retry it`, { retriable: true });
    }
    return { baseOffset, lastOffset, duplicate: true };
  }

  /**
   * Appends a transaction marker (control batch) for `marker`'s producer as the leader; it closes the
   * producer's open transaction here. INVALID_PRODUCER_EPOCH when the producer has a newer epoch already.
   */
  appendMarker(marker: TxnMarker, leaderEpoch: number): Promise<LogAppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const problem = this.producerLog.markerProblem(marker);
    if (problem !== null) return Promise.reject(problem);
    const batch = buildControlBatch(marker);
    const written = this.queue.appendLeader(batch, leaderEpoch);
    return this.producerLog.track(batch, baseOffsetAt(batch), written, false);
  }

  /**
   * Appends ONE whole batch copied from the leader, keeping its BaseOffset and PartitionLeaderEpoch (the
   * caller has checked its CRC). OFFSET_OUT_OF_RANGE unless its BaseOffset is logEndOffset. Same queue,
   * group writes, indexes and rolls as append(); the batch's epoch goes into the epoch cache when it is
   * above the latest one. If a write fails, the follower appends queued behind it fail too (their offsets
   * would no longer follow on).
   */
  appendAsFollower(batch: Buffer, writeNow = false): Promise<AppendResult> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const problem = this.checkBatch(batch);
    if (problem !== null) return Promise.reject(problem);
    const baseOffset = baseOffsetAt(batch);
    if (baseOffset !== this.queue.endOffset) {
      return Promise.reject(new MqError('OFFSET_OUT_OF_RANGE',
        `a replicated batch at offset ${baseOffset} does not continue the log ${this.dir}, which ends at ${this.queue.endOffset}`));
    }
    const written = this.queue.appendFollower(batch, baseOffset, writeNow);
    return producerInfoAt(batch) === null ? written : this.producerLog.track(batch, baseOffset, written, true);
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
    return this.epochCache.endOffsetFor(epoch, this.queue.writtenEnd);
  }

  /** The epoch cache entries, oldest first (for tests and tools). */
  epochEntries(): EpochEntry[] {
    return this.epochCache.list();
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
    const writtenEnd = this.queue.writtenEnd;
    if (offset < this.startOffset || offset > this.queue.endOffset) {
      throw new MqError('OFFSET_OUT_OF_RANGE',
        `offset ${offset} is outside the log ${this.dir} [${this.logStartOffset}, ${this.queue.endOffset}]`);
    }
    const end = Math.min(upTo ?? writtenEnd, writtenEnd);
    if (offset >= end) return [];
    const cached = this.segments.tail.read(offset, maxBytes, end);
    if (cached !== null) return cached;
    try {
      return await this.segments.read(offset, maxBytes, end);
    } catch (err) {
      throw storageError(err, `read of ${this.dir} at offset ${offset}`);
    }
  }

  /**
   * The first stored batch at or past the log start whose MaxTimestamp >= timestampMs (found through the
   * time index), or null.
   */
  async batchForTimestamp(timestampMs: number): Promise<Buffer | null> {
    this.assertReadable();
    try {
      return await this.segments.batchForTimestamp(timestampMs, this.startOffset, this.queue.writtenEnd);
    } catch (err) {
      throw storageError(err, `timestamp lookup in ${this.dir}`);
    }
  }

  private assertReadable(): void {
    if (this.state === 'closed') throw this.closedError();
  }

  private closedError(): MqError {
    return new MqError('KAFKA_STORAGE_ERROR', `the log ${this.dir} is closed`, { retriable: true });
  }

  // ---- durability ----------------------------------------------------------------------------------

  /**
   * fdatasync of the active segment and its index files (and of segments sealed since the last flush),
   * covering every append made before the call. Appends go on while the sync runs.
   */
  async flush(): Promise<number> {
    const started = await this.queue.runOp(async () => {
      if (this.state === 'closed') return { synced: Promise.resolve(), end: this.flushedEnd, sealedBelow: -1, truncations: this.truncations };
      const end = this.queue.writtenEnd;
      const seg = this.segments.active;
      const sealedBelow = this.segments.hasUnsyncedSealed ? seg.baseOffset : -1;
      // The data is what a flush promises; the indexes are checked against it and rebuilt by open(). So a
      // failed index write (a full disk) does not fail appends already written: it is logged, and the
      // next flush or close() writes the entries again.
      await seg.persistIndexes().catch((err: Error) => this.logLine(`${this.dir}: index write failed: ${err.message}`));
      this.segments.syncSealed();
      const synced = Promise.all([seg.sync(), this.segments.sealedSyncs]);
      // Awaited by the caller right after this op; the handler only covers the microtasks in between.
      void synced.catch(() => undefined);
      return { synced, end, sealedBelow, truncations: this.truncations };
    }).catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    await started.synced.catch((err: unknown) => { throw storageError(err, `flush of ${this.dir}`); });
    // A truncation since the flush started may have cut what it synced; what is written after it is not synced.
    if (started.truncations !== this.truncations) return Math.min(started.end, this.flushedEnd);
    if (started.end > this.flushedEnd) this.flushedEnd = started.end;
    if (started.sealedBelow > this.checkpoints.recoveryPoint) {
      const point = started.sealedBelow;
      // Only an optimization of the next unclean open: a failed write is logged, the flush still counts.
      await this.queue.runOp(async () => {
        if (point <= this.checkpoints.recoveryPoint || this.state === 'closed' || started.truncations !== this.truncations) return;
        await this.checkpoints.raiseRecoveryPoint(point);
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
    return this.queue.runOp(() => this.truncateOnQueue(offset))
      .catch((err: unknown) => { throw storageError(err, `truncation of ${this.dir} at offset ${offset}`); });
  }

  /** Deletes every segment; the log restarts empty at `offset` (log start = log end = offset), epoch cache cleared. */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (!Number.isSafeInteger(offset) || offset < 0) return Promise.reject(new MqError('INVALID_REQUEST', `cannot restart the log at offset ${offset}`));
    return this.queue.runOp(() => this.truncateFullyOnQueue(offset))
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
    const oldEnd = this.queue.writtenEnd;
    if (offset >= oldEnd) return;
    if (offset < this.startOffset) return this.truncateFullyOnQueue(offset);
    const i = this.segments.indexFor(offset);
    const seg = this.segments.all[i];
    const loc = await seg.locateOffset(offset, seg.sizeBytes);
    if (loc === null) throw new MqError('KAFKA_STORAGE_ERROR', `no batch of ${basename(seg.logPath)} holds offset ${offset}`, { retriable: true });
    const newEnd = loc.baseOffset;
    if (newEnd < this.startOffset) return this.truncateFullyOnQueue(offset);
    this.truncations += 1;
    this.queue.setWrittenEnd(newEnd);
    this.segments.tail.clear();
    await this.checkpoints.lowerRecoveryPoint(seg.baseOffset);
    const deleted = await this.segments.deleteAfter(i);
    const bytesCut = await seg.truncateTo(loc.position, newEnd);
    await seg.persistIndexes();
    await this.epochCache.truncateFromEnd(newEnd);
    await this.producerLog.cut(newEnd);
    this.flushedEnd = Math.min(this.flushedEnd, newEnd);
    this.queue.rebase(newEnd, null);
    this.logLine(`${this.dir}: truncated to offset ${newEnd} (asked ${offset}, was ${oldEnd}): cut ${bytesCut} bytes of `
      + `${basename(seg.logPath)}` + (deleted > 0 ? ` and deleted ${deleted} later segment(s)` : ''));
  }

  /** On the queue: segments deleted newest first, a new empty one at `offset`, then the checkpoints. */
  private async truncateFullyOnQueue(offset: number): Promise<void> {
    if (this.state !== 'open') throw this.closedError();
    this.truncations += 1;
    const oldEnd = this.queue.writtenEnd;
    this.queue.setWrittenEnd(Math.min(oldEnd, offset));
    this.segments.tail.clear();
    await this.checkpoints.lowerRecoveryPoint(Math.min(offset, this.segments.all[0].baseOffset));
    const deleted = await this.segments.restartAt(offset, this.config.indexIntervalBytes);
    await this.checkpoints.writeLogStart(offset);
    await this.epochCache.clear();
    await this.producerLog.cut(-1);
    this.startOffset = offset;
    this.queue.setWrittenEnd(offset);
    this.flushedEnd = offset;
    this.queue.rebase(offset, null);
    this.logLine(`${this.dir}: deleted ${deleted} segment(s) ending at offset ${oldEnd}; the log restarts empty at offset ${offset}`);
  }

  // ---- producer state ------------------------------------------------------------------------------

  /** The producers seen in this log: epochs, kept batches, open and aborted transactions (producer-state.ts). */
  get producers(): ProducerStateTable {
    return this.producerLog.table;
  }

  /** Offsets of the producer snapshot files, ascending (tests and tools). */
  producerSnapshotOffsets(): number[] {
    return this.producerLog.snapshotOffsets();
  }

  /**
   * The log cleaner's pass: forgets producers idle past PRODUCER_ID_EXPIRATION_MS and, when a segment has
   * rolled since the last snapshot (or `force`), snapshots the state of what is written, keeping the newest
   * few. Returns the snapshot's offset, or -1 when none was written.
   */
  maintainProducerState(nowMs: number = this.clock.now(), force = false): Promise<number> {
    if (this.state !== 'open') return Promise.resolve(-1);
    return this.queue.runOp(async () => {
      if (this.state !== 'open') return -1;
      this.producerLog.table.expire(nowMs, PRODUCER_ID_EXPIRATION_MS);
      const newest = this.producerLog.newestSnapshot;
      const end = this.queue.writtenEnd;
      if (end === newest || (!force && this.segments.active.baseOffset <= newest)) return -1;
      await this.producerLog.snapshot(end);
      return end;
    }).catch((err: unknown) => { throw storageError(err, `producer snapshot of ${this.dir}`); });
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
    return this.queue.runOp(async () => {
      const writtenEnd = this.queue.writtenEnd;
      if (offset > writtenEnd || offset < 0) {
        throw new MqError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: the log ${this.dir} ends at ${writtenEnd}`);
      }
      if (offset <= this.startOffset) return this.startOffset;
      if (offset === writtenEnd && this.segments.active.sizeBytes > 0) await this.segments.roll(offset, this.config.indexIntervalBytes);
      const segs = this.segments.all;
      let n = 0;
      while (n < segs.length - 1 && segs[n + 1].baseOffset <= offset) n += 1;
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
    return this.queue.runOp(async () => {
      if (this.state !== 'open') return 0;
      const segs = this.segments.all;
      const inactive = segs.length - 1;
      let n = 0;
      while (n < inactive && segs[n].endOffset <= this.startOffset) n += 1;
      if (policy.retentionMs >= 0) {
        while (n < inactive && segs[n].maxTimestampMs < nowMs - policy.retentionMs) n += 1;
      }
      if (policy.retentionBytes >= 0) {
        let size = 0;
        for (let i = n; i < segs.length; i++) size += segs[i].sizeBytes;
        while (n < inactive && size - segs[n].sizeBytes >= policy.retentionBytes) {
          size -= segs[n].sizeBytes;
          n += 1;
        }
      }
      if (n === 0) return 0;
      this.logLine(`${this.dir}: retention deleted ${n} segment(s) (${segs.slice(0, n).reduce((b, s) => b + s.sizeBytes, 0)} bytes) `
        + `below offset ${segs[n].baseOffset}`);
      await this.moveStart(Math.max(this.startOffset, segs[n].baseOffset), n);
      return n;
    }).catch((err: unknown) => { throw storageError(err, `retention of ${this.dir}`); });
  }

  /**
   * On the queue: sets the log start offset to `offset` and deletes the first `n` segments (all below
   * it). When the start lands inside a segment it is checkpointed first; if that write fails (a full
   * disk) the segments are deleted first to make room and the checkpoint is written after.
   */
  private async moveStart(offset: number, n: number): Promise<void> {
    const needsCheckpoint = offset > this.segments.all[n].baseOffset;
    let checkpointFailure: unknown = null;
    if (needsCheckpoint) {
      try {
        await this.checkpoints.writeLogStart(offset);
      } catch (err) {
        checkpointFailure = err;
      }
    }
    this.startOffset = offset;
    await this.segments.deleteFirst(n);
    if (checkpointFailure !== null) await this.checkpoints.writeLogStart(offset);
    await this.epochCache.truncateFromStart(offset);
    this.producerLog.table.evictBelow(offset);
  }

  // ---- lifecycle -----------------------------------------------------------------------------------

  /** Waits for pending writes, flushes, closes files, writes the clean-shutdown marker. */
  close(): Promise<void> {
    if (this.closed === null) {
      this.state = 'closing';
      this.closed = this.queue.runOp(() => this.shutDown(true));
    }
    return this.closed;
  }

  /** Closes and removes the folder (topic deletion). */
  async delete(): Promise<void> {
    if (this.closed === null) {
      this.state = 'closing';
      this.closed = this.queue.runOp(() => this.shutDown(false));
    }
    await this.closed.catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** On the queue: persists and syncs (when `clean`), closes every file, writes the marker. */
  private async shutDown(clean: boolean): Promise<void> {
    let failure: unknown = null;
    this.segments.tail.clear();
    const active = this.segments.active;
    if (clean) {
      try {
        active.finishTimeIndex();
        for (const seg of this.segments.all) await seg.persistIndexes();
        this.segments.syncSealed();
        await Promise.all([active.sync(), this.segments.sealedSyncs]);
      } catch (err) {
        failure = err;
      }
    }
    for (const seg of this.segments.all) {
      await seg.close().catch((err: unknown) => { failure ??= err; });
    }
    this.state = 'closed';
    if (failure !== null) throw storageError(failure, `close of ${this.dir} (it will be recovered on open)`);
    if (!clean) return;
    // Before the marker, even with no producers (so a clean open replays nothing); a missing snapshot only
    // costs the next open a replay.
    if (this.producerLog.newestSnapshot !== this.queue.endOffset) {
      await this.producerLog.snapshot(this.queue.endOffset).catch((err: unknown) => this.logLine(`${this.dir}: producer snapshot at close failed: ${String(err)}`));
    }
    await this.checkpoints.writeCleanShutdown({
      version: 1, logEndOffset: this.queue.endOffset, activeBaseOffset: active.baseOffset, activeSizeBytes: active.sizeBytes,
    });
  }
}
