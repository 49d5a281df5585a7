// The write queue of one log. Appends take their offsets synchronously and are queued; one loop writes
// them in call order into the active segment, each batch whole in one write, rolling to a new segment
// when one would not fit (segment.bytes, INT32 relative offsets, segment.ms). Appends that queued up
// meanwhile share one writev (at most MAX_GROUP_BATCHES and MAX_GROUP_BYTES, never across a roll). The
// Log's other operations that touch the files (flush, truncation, retention, DeleteRecords, close) run on
// the same queue (runOp), so index files and segment switches never race with a write. A small leader
// append that finds the queue idle (nothing queued or running) is written at once on the event loop
// instead (writeNow: one pwrite into the page cache), which keeps the same order and skips the thread pool.
//
// An append whose PartitionLeaderEpoch is above the latest cached epoch records (epoch, baseOffset) in
// the epoch cache durably BEFORE its bytes are written, so every batch on disk is covered after a crash.
// A failed write leaves nothing in the file (log-segment.ts cuts it back) and rejects with a retriable
// KAFKA_STORAGE_ERROR; the appends queued behind it take the offsets from its base offset on (rebase):
// leader appends are renumbered, follower appends, whose offsets are the leader's, fail. A failed group
// write is retried one append at a time, so each append fails or succeeds on its own.
import { assignOffset, lastOffsetDeltaAt, OFF_LEADER_EPOCH } from '../protocol/batch-header.js';
import type { Clock } from '../util/clock.js';
import { MqError } from '../util/mq-error.js';
import { deferred, type Deferred } from '../util/promise.js';
import { storageError } from './disk-error.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogConfig } from './log-config.js';
import type { LogSegment } from './log-segment.js';
import type { LogSegments } from './log-segments.js';

/** Relative offsets and positions are INT32 in the index files. */
export const MAX_INT32 = 2 ** 31 - 1;
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

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

/** What the queue writes into, all owned by the Log. */
export interface AppendQueueContext {
  dir: string;
  segments: LogSegments;
  epochCache: LeaderEpochCache;
  clock: Clock;
  /** The log's config now (it may change between appends). */
  config: () => LogConfig;
  logLine: (msg: string) => void;
}

interface AppendItem {
  kind: 'append';
  /** A batch copied from the leader (appendFollower): its offsets must not change. */
  follower: boolean;
  batch: Buffer;
  baseOffset: number;
  count: number;
  leaderEpoch: number;
  done: Deferred<AppendResult>;
}
type QueueItem = AppendItem | { kind: 'op'; run: () => Promise<unknown>; done: Deferred<unknown> };

export class AppendQueue {
  private readonly queue: QueueItem[] = [];
  private draining = false;
  /** Appends at the head of the queue to write one at a time (after a failed group write). */
  private singleWrites = 0;
  /** Next offset to assign. */
  private nextOffset: number;
  /** End offset of the batches whose write to the file has completed. */
  private written: number;

  constructor(private readonly ctx: AppendQueueContext, endOffset: number) {
    this.nextOffset = endOffset;
    this.written = endOffset;
  }

  /** Next offset to assign (the log end offset; advances synchronously when an append is queued). */
  get endOffset(): number {
    return this.nextOffset;
  }

  /** End offset of the batches whose write to the file has completed. */
  get writtenEnd(): number {
    return this.written;
  }

  /** Sets the written end (a truncation: readers must not see past it). Call on the queue. */
  setWrittenEnd(offset: number): void {
    this.written = offset;
  }

  /**
   * Queues a leader append: gives `batch` the next offsets and `leaderEpoch` (in place, now) and resolves
   * once it is written. `batch` is one whole, checked batch.
   */
  appendLeader(batch: Buffer, leaderEpoch: number): Promise<AppendResult> {
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
   * Queues a follower append, whose BaseOffset (checked by the caller) is endOffset; resolves once
   * written. With `writeNow` (the caller's whole fetch response is small) it is written at once like a
   * small leader append when the queue is idle: on the acks=all path every thread-pool hand-off of a
   * follower's write waits for a core before the follower can fetch on and move the high watermark.
   */
  appendFollower(batch: Buffer, baseOffset: number, writeNow = false): Promise<AppendResult> {
    const count = lastOffsetDeltaAt(batch) + 1;
    const leaderEpoch = batch.readInt32BE(OFF_LEADER_EPOCH);
    const item: AppendItem = { kind: 'append', follower: true, batch, baseOffset, count, leaderEpoch, done: deferred<AppendResult>() };
    this.nextOffset += count;
    if (writeNow && batch.length <= WRITE_NOW_MAX_BYTES && !this.draining && this.queue.length === 0 && this.writeNow(item)) {
      return Promise.resolve({ baseOffset, lastOffset: baseOffset + count - 1 });
    }
    this.queue.push(item);
    this.kick();
    return item.done.promise;
  }

  /** Runs `run` on the write queue, after every append and operation queued before it. */
  runOp<T>(run: () => Promise<T>): Promise<T> {
    const done = deferred<unknown>();
    this.queue.push({ kind: 'op', run, done });
    this.kick();
    return done.promise as Promise<T>;
  }

  /**
   * Gives the appends still queued the offsets from `from` on, in queue order: a leader append is
   * renumbered, a follower append keeps its offsets only when they still follow on and otherwise fails
   * with `failure` (or OFFSET_OUT_OF_RANGE). Sets endOffset after them.
   */
  rebase(from: number, failure: MqError | null): void {
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
          `the replicated batch at offset ${q.baseOffset} no longer continues the log ${this.ctx.dir}, which now ends at ${next}`));
        continue;
      }
      next += q.count;
    }
    this.nextOffset = next;
  }

  /**
   * Writes an append at once, on this thread, when nothing is queued or running before it and it
   * needs no epoch entry and no roll. False when it cannot or the write failed: the caller queues the
   * append, whose asynchronous write then retries it and reports any failure as usual.
   */
  private writeNow(item: AppendItem): boolean {
    if (item.leaderEpoch > this.ctx.epochCache.latestEpoch) return false;
    const seg = this.ctx.segments.active;
    const lastOffset = item.baseOffset + item.count - 1;
    if (seg.sizeBytes > 0 && this.shouldRoll(seg, item.batch.length, lastOffset)) return false;
    try {
      if (!seg.writeNow([item.batch])) return false;
    } catch {
      return false;
    }
    this.written = lastOffset + 1;
    this.ctx.segments.tail.add(item.batch, item.baseOffset, lastOffset);
    if (seg.index.unpersisted + seg.timeIndex.unpersisted >= PERSIST_INDEX_ENTRIES) {
      void this.runOp(() => this.maybePersistIndexes(seg));
    }
    return true;
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
        const failure = storageError(err, `append to ${this.ctx.dir} at offset ${item.baseOffset}`);
        // Later appends took offsets after this one's; renumber them so the log stays contiguous.
        this.rebase(item.baseOffset, failure);
        // An epoch entry made for this batch (or, after a failed group write, a later one) names no batch.
        await this.ctx.epochCache.truncateFromEnd(item.baseOffset)
          .catch((e: unknown) => this.ctx.logLine(`${this.ctx.dir}: leader epoch checkpoint write failed: ${String(e)}`));
        this.ctx.logLine(`${failure.code}: ${failure.message}; the partial write was cut away`);
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
    const seg = this.ctx.segments.active;
    const segmentBytes = this.ctx.config().segmentBytes;
    const group: AppendItem[] = [];
    let bytes = 0;
    for (const q of this.queue) {
      if (q.kind !== 'append' || group.length === MAX_GROUP_BATCHES) break;
      const size = q.batch.length;
      const lastOffset = q.baseOffset + q.count - 1;
      if (group.length === 0 ? seg.sizeBytes > 0 && this.shouldRoll(seg, size, lastOffset)
        : bytes + size > MAX_GROUP_BYTES || seg.sizeBytes + bytes + size > segmentBytes
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
    this.written = last.baseOffset + last.count;
    for (const q of group) this.ctx.segments.tail.add(q.batch, q.baseOffset, q.baseOffset + q.count - 1);
    for (const q of group) q.done.resolve({ baseOffset: q.baseOffset, lastOffset: q.baseOffset + q.count - 1 });
    await this.maybePersistIndexes(seg);
    return true;
  }

  /** Writes one append, rolling first when it does not fit the active segment. */
  private async writeAppend(item: AppendItem): Promise<void> {
    const { batch, baseOffset } = item;
    const lastOffset = baseOffset + item.count - 1;
    await this.noteEpoch(item);
    let seg = this.ctx.segments.active;
    if (seg.sizeBytes > 0 && this.shouldRoll(seg, batch.length, lastOffset)) {
      await this.ctx.segments.roll(baseOffset, this.ctx.config().indexIntervalBytes);
      seg = this.ctx.segments.active;
    }
    await seg.write([batch]);
    this.written = lastOffset + 1;
    this.ctx.segments.tail.add(batch, baseOffset, lastOffset);
    await this.maybePersistIndexes(seg);
  }

  /**
   * Records the batch's epoch in the epoch cache (durably) before the batch is written, when it is above
   * the latest, so every batch on disk is covered by an entry even after a crash.
   */
  private async noteEpoch(item: AppendItem): Promise<void> {
    if (item.leaderEpoch > this.ctx.epochCache.latestEpoch) await this.ctx.epochCache.assign(item.leaderEpoch, item.baseOffset);
  }

  private async maybePersistIndexes(seg: LogSegment): Promise<void> {
    if (seg.index.unpersisted + seg.timeIndex.unpersisted >= PERSIST_INDEX_ENTRIES) {
      // The batches are written; an index-file failure is retried by flush() and close(), which report it.
      await seg.persistIndexes().catch((err: Error) => this.ctx.logLine(`${this.ctx.dir}: index write failed: ${err.message}`));
    }
  }

  /** Whether a batch of `batchBytes` ending at `lastOffset` must go into a new segment. */
  private shouldRoll(seg: LogSegment, batchBytes: number, lastOffset: number): boolean {
    const config = this.ctx.config();
    if (seg.sizeBytes + batchBytes > config.segmentBytes) return true;
    if (lastOffset - seg.baseOffset > MAX_INT32) return true;
    return config.segmentMs !== undefined && this.ctx.clock.now() - seg.createdMs >= config.segmentMs;
  }
}
