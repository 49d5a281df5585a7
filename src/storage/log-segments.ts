// The segments of one log, oldest first and contiguous in offsets; only the last (active) one is written.
// This file owns the list and what the log knows about its segments beyond their own files: which sealed
// segments still wait for a data sync (a roll leaves that to the next flush), which sealed ones have their
// index entries in memory (the few most recently searched), and the tail cache of the active segment's
// newest batches (tail-cache.ts), which a roll, a truncation and close() clear. Reads that span segments
// walk the list here, one buffer per contiguous file range.
//
// Segments leave the list only as whole files: from the front (retention, DeleteRecords; each `.log`
// before its indexes, so a crash leaves a contiguous log whose orphan index files open() removes), from
// the back (truncation, newest first, so a crash leaves a contiguous prefix) or all at once (a full
// truncation, newest first too); the folder is synced after each such change.
import type { Clock } from '../util/clock.js';
import type { FilePool } from './file-pool.js';
import { LogSegment } from './log-segment.js';
import { syncDir } from './sync-dir.js';
import { TailCache } from './tail-cache.js';

/** Sealed segments per log whose index entries stay in memory after a lookup. */
const SEALED_INDEXES_LOADED = 2;

export class LogSegments {
  /** The newest written batches of the active segment, in memory: reads near the end skip the file. */
  readonly tail = new TailCache();
  /** Sealed segments whose .log file no flush has synced yet. */
  private unsyncedSealed: LogSegment[] = [];
  /** Sealed segments whose index entries a lookup loaded, least recent first. */
  private loadedSealed: LogSegment[] = [];
  /** The syncs of sealed segments started by flushes; every later flush waits for them too. */
  private sealedSynced: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string, private list: LogSegment[], private readonly pool: FilePool, private readonly clock: Clock,
  ) {}

  /** The segments, oldest first (read only). */
  get all(): readonly LogSegment[] {
    return this.list;
  }

  get active(): LogSegment {
    return this.list[this.list.length - 1];
  }

  /** Bytes of .log files over all segments. */
  get sizeBytes(): number {
    let total = 0;
    for (const seg of this.list) total += seg.sizeBytes;
    return total;
  }

  /** Sealed segments wait for a flush to sync them. */
  get hasUnsyncedSealed(): boolean {
    return this.unsyncedSealed.length > 0;
  }

  /** Index of the last segment whose base offset is <= offset. */
  indexFor(offset: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Starts a new active segment at `baseOffset` and seals the old one; the next flush syncs its data. */
  async roll(baseOffset: number, indexIntervalBytes: number): Promise<void> {
    this.tail.clear(); // it holds the active segment's batches only: a read gets one buffer per segment
    const old = this.active;
    const seg = await LogSegment.create(this.dir, baseOffset, indexIntervalBytes, this.clock.now(), this.pool);
    this.list.push(seg);
    this.unsyncedSealed.push(old);
    await syncDir(this.dir);
    await old.seal();
    old.releaseIndexes();
  }

  /** Starts syncing the sealed segments not synced yet. A failed sync keeps failing later flushes. */
  syncSealed(): void {
    const sealed = this.unsyncedSealed.splice(0);
    if (sealed.length === 0) return;
    this.sealedSynced = Promise.all([this.sealedSynced, ...sealed.map((s) => s.syncLog())]).then(() => undefined);
    void this.sealedSynced.catch(() => undefined);
  }

  /** Settles when every sealed-segment sync started so far has (rejecting if one failed). */
  get sealedSyncs(): Promise<void> {
    return this.sealedSynced;
  }

  /** Deletes the first `n` segments (retention, DeleteRecords), oldest first, then syncs the folder. */
  async deleteFirst(n: number): Promise<void> {
    const doomed = this.list.splice(0, n);
    this.forget(doomed);
    for (const seg of doomed) await seg.deleteFiles();
    if (n > 0) await syncDir(this.dir);
  }

  /**
   * Deletes the segments after the i-th, newest first, and syncs the folder (truncation); the i-th is
   * the active segment again. Returns how many were deleted.
   */
  async deleteAfter(i: number): Promise<number> {
    const seg = this.list[i];
    const later = this.list.slice(i + 1);
    for (const s of [...later].reverse()) await s.deleteFiles();
    if (later.length > 0) await syncDir(this.dir);
    this.list.length = i + 1;
    this.forget([seg, ...later]);
    return later.length;
  }

  /** Deletes every segment, newest first, and starts over with an empty one at `offset`. Returns how many were deleted. */
  async restartAt(offset: number, indexIntervalBytes: number): Promise<number> {
    const doomed = this.list.splice(0);
    this.forget(doomed);
    for (const s of [...doomed].reverse()) await s.deleteFiles();
    this.list = [await LogSegment.create(this.dir, offset, indexIntervalBytes, this.clock.now(), this.pool)];
    await syncDir(this.dir);
    return doomed.length;
  }

  /**
   * Whole stored batches from the file, from the one containing `offset` (at or past the log start): at
   * most `maxBytes` except that the first batch always comes whole, none holding an offset at or past
   * `end`. One buffer per contiguous file range.
   */
  async read(offset: number, maxBytes: number, end: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let i = this.indexFor(offset);
    let seg = this.list[i];
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
      if (i >= this.list.length) break;
      seg = this.list[i];
      limit = seg.sizeBytes;
      loc = await seg.locateFirst(limit);
    }
    return out;
  }

  /**
   * The first stored batch holding an offset at or past `startOffset` whose MaxTimestamp >= timestampMs
   * (found through the time indexes), or null; null as well when that batch reaches `end`.
   */
  async batchForTimestamp(timestampMs: number, startOffset: number, end: number): Promise<Buffer | null> {
    for (const seg of this.list) {
      if (seg.endOffset <= startOffset || seg.endOffset === seg.baseOffset || seg.maxTimestampMs < timestampMs) continue;
      const loc = await seg.locateTimestamp(timestampMs, seg.sizeBytes, startOffset);
      this.noteIndexUse(seg);
      if (loc === null) continue;
      return loc.lastOffset < end ? await seg.readBatch(loc) : null;
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

  /** Segments that are gone or active again leave the sealed-segment lists. */
  private forget(segs: LogSegment[]): void {
    const gone = new Set(segs);
    this.unsyncedSealed = this.unsyncedSealed.filter((s) => !gone.has(s));
    this.loadedSealed = this.loadedSealed.filter((s) => !gone.has(s));
  }
}
