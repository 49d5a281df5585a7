// `<baseOffset>.log` (base offset in 20 digits): RecordBatch v2 bytes back to back, exactly as received,
// each with the broker-assigned BaseOffset and PartitionLeaderEpoch. Batches are contiguous: the first
// starts at the segment's base offset and each next BaseOffset is the previous BaseOffset +
// LastOffsetDelta + 1. Nothing else is in the file (no padding, no footer), so the file size is the
// segment size and a scan of batch headers from any batch boundary walks the segment. Only the last
// (active) segment of a Log is written, always at `sizeBytes`; the sparse OffsetIndex (.index) and
// TimeIndex (.timeindex) beside it are kept in memory and can always be rebuilt by scanning this file.
// All three files take their descriptors from a FilePool: a segment nobody reads or writes holds none.
// This file owns one segment: its files, what is known of them in memory (size, end offset, largest
// timestamp, index entries), the one write path with its torn-write cut-back, recovery of the segment
// alone, and reads within it (the batch walks themselves are in segment-scan.ts).
// The default import (not named ones) so that tests can make fs.writeSync fail.
import fs from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { defaultFilePool, type FilePool, type PooledFile } from './file-pool.js';
import { join } from 'node:path';
import {
  ATTR_CONTROL, BATCH_HEADER_BYTES, OFF_ATTRIBUTES, OFF_MAGIC, batchSizeAt, baseOffsetAt, lastOffsetDeltaAt, maxTimestampAt,
} from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';
import {
  findBatch, inconsistentSegment, readFully, validateBatches, type BatchLocation, type SegmentTruncation,
} from './segment-scan.js';

/** Whole batches read from one segment. */
export interface SegmentRead {
  bytes: Buffer;
  lastOffset: number;
  /** The read stopped at a batch that is not wanted (past upTo or over maxBytes), not at the segment end. */
  stopped: boolean;
}

/** `00000000000000000042.log` for base offset 42 and extension '.log'. */
export function segmentFileName(baseOffset: number, extension: string): string {
  return String(baseOffset).padStart(20, '0') + extension;
}

export class LogSegment {
  /** Bytes of whole batches written (the file may be longer only while a write is in flight). */
  sizeBytes = 0;
  /** Offset after the last written batch; baseOffset when empty. */
  endOffset: number;
  /** Largest batch MaxTimestamp written, -1 when empty. */
  maxTimestampMs = -1;
  /** BaseOffset of the first batch that reached maxTimestampMs, -1 when empty. */
  private offsetOfMaxTimestamp = -1;
  /** A failed write may have left bytes past sizeBytes; cut them before the next write. */
  private tailDirty = false;
  /** The index entries are on disk only (releaseIndexes); lookups load them again. */
  private indexesReleased = false;
  private pool: FilePool = defaultFilePool;

  private constructor(
    readonly baseOffset: number,
    readonly logPath: string,
    private readonly file: PooledFile,
    public index: OffsetIndex,
    public timeIndex: TimeIndex,
    private readonly indexIntervalBytes: number,
    /** When the segment was created or opened, for segment.ms. */
    readonly createdMs: number,
  ) {
    this.endOffset = baseOffset;
  }

  /** Creates a new empty segment (replacing any files of the same name). */
  static async create(
    dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number, pool: FilePool = defaultFilePool,
  ): Promise<LogSegment> {
    const logPath = join(dir, segmentFileName(baseOffset, '.log'));
    await (await open(logPath, 'w', 0o644)).close();
    const file = pool.file(logPath, 'r+');
    const index = new OffsetIndex(join(dir, segmentFileName(baseOffset, '.index')), pool);
    const timeIndex = new TimeIndex(join(dir, segmentFileName(baseOffset, '.timeindex')), pool);
    try {
      index.reset();
      timeIndex.reset();
      await index.persist();
      await timeIndex.persist();
      const seg = new LogSegment(baseOffset, logPath, file, index, timeIndex, indexIntervalBytes, nowMs);
      seg.pool = pool;
      return seg;
    } catch (err) {
      await index.close().catch(() => undefined);
      await timeIndex.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Opens an existing segment with its index files loaded but not yet checked; `sizeBytes` is the file
   * size. The caller then either trusts the indexes (trustAsInactive / scanTail) or calls recover().
   */
  static async openExisting(
    dir: string, baseOffset: number, indexIntervalBytes: number, nowMs: number, pool: FilePool = defaultFilePool,
  ): Promise<LogSegment> {
    const logPath = join(dir, segmentFileName(baseOffset, '.log'));
    const file = pool.file(logPath, 'r+');
    try {
      const sizeBytes = (await file.use((fh) => fh.stat())).size;
      const index = await OffsetIndex.load(join(dir, segmentFileName(baseOffset, '.index')), pool);
      const timeIndex = await TimeIndex.load(join(dir, segmentFileName(baseOffset, '.timeindex')), pool);
      const seg = new LogSegment(baseOffset, logPath, file, index, timeIndex, indexIntervalBytes, nowMs);
      seg.sizeBytes = sizeBytes;
      seg.pool = pool;
      return seg;
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** Current length of the .log file on disk. */
  async fileSizeBytes(): Promise<number> {
    return (await this.file.use((fh) => fh.stat())).size;
  }

  // ---- recovery ------------------------------------------------------------------------------------

  /**
   * Checks the loaded indexes of an inactive segment whose successor starts at `nextBaseOffset`, and
   * reads the header of the last indexed batch. Returns why they cannot be trusted, or null after
   * adopting them (endOffset, max timestamp).
   */
  async trustAsInactive(nextBaseOffset: number): Promise<string | null> {
    const endRel = nextBaseOffset - this.baseOffset;
    const problem = this.index.check(this.sizeBytes, endRel) ?? this.timeIndex.check(this.sizeBytes, endRel)
      ?? (await this.checkLastIndexEntry());
    if (problem !== null) return problem;
    const lastTime = this.timeIndex.last();
    if (lastTime !== null) {
      this.maxTimestampMs = lastTime.timestampMs;
      this.offsetOfMaxTimestamp = this.baseOffset + lastTime.relativeOffset;
    }
    // The batches after the last index entry (about one index interval) are checked in full, so a
    // segment cut or damaged at its tail is noticed without reading the whole segment.
    const last = this.index.last();
    const tail = await this.scan(last?.position ?? 0, this.baseOffset + (last?.relativeOffset ?? 0));
    if (tail !== null) return `its tail is damaged at position ${tail.position}: ${tail.reason}`;
    if (this.endOffset !== nextBaseOffset) return `it ends at offset ${this.endOffset}, the next segment starts at ${nextBaseOffset}`;
    return null;
  }

  /**
   * For the active segment of a cleanly closed log: checks the loaded indexes, then validates every batch
   * from the last indexed one to the end of the file (CRC included), extending the indexes. Returns
   * `{ problem }` when the indexes disagree with the file (the caller then calls recover()), or the
   * truncation done when the tail itself was torn or corrupt.
   */
  async scanTail(): Promise<{ problem: string } | { truncation: SegmentTruncation | null }> {
    const problem = this.index.check(this.sizeBytes, null) ?? this.timeIndex.check(this.sizeBytes, null);
    if (problem !== null) return { problem };
    const last = this.index.last();
    const startPosition = last?.position ?? 0;
    const startOffset = this.baseOffset + (last?.relativeOffset ?? 0);
    const lastTime = this.timeIndex.last();
    if (lastTime !== null) {
      this.maxTimestampMs = lastTime.timestampMs;
      this.offsetOfMaxTimestamp = this.baseOffset + lastTime.relativeOffset;
    }
    const truncation = await this.scan(startPosition, startOffset);
    if (truncation !== null && truncation.position === startPosition && startPosition > 0) {
      return { problem: `the last index entry (position ${startPosition}) does not start a sound batch: ${truncation.reason}` };
    }
    if (truncation === null && lastTime !== null && lastTime.relativeOffset >= this.endOffset - this.baseOffset) {
      return { problem: `last time index entry names relative offset ${lastTime.relativeOffset}, past the segment's end` };
    }
    if (truncation !== null) await this.cutAt(truncation.position);
    return { truncation };
  }

  /**
   * Rebuilds both indexes by validating every batch from position 0 (length, magic, CRC-32C and
   * contiguous BaseOffsets). At the first bad or torn batch the file is truncated there. Returns what was
   * cut, or null when the whole file was sound.
   */
  async recover(): Promise<SegmentTruncation | null> {
    this.index.reset();
    this.timeIndex.reset();
    this.maxTimestampMs = -1;
    this.offsetOfMaxTimestamp = -1;
    this.sizeBytes = 0;
    this.endOffset = this.baseOffset;
    const truncation = await this.scan(0, this.baseOffset);
    if (truncation !== null) await this.cutAt(truncation.position);
    return truncation;
  }

  /** Validates batches from `position` (expected to hold `expectedOffset`) to the end of the file, tracking each. */
  private async scan(position: number, expectedOffset: number): Promise<SegmentTruncation | null> {
    return validateBatches(this.file, position, expectedOffset, await this.fileSizeBytes(),
      (pos, base, last, maxTimestampMs, size) => this.track(pos, base, last, maxTimestampMs, size));
  }

  /** Cuts the file at `position` (a batch boundary) and makes the cut durable (recovery, truncateTo). */
  private async cutAt(position: number): Promise<void> {
    await this.file.use(async (fh) => {
      await fh.truncate(position);
      await fh.datasync();
    });
    this.sizeBytes = position;
    this.tailDirty = false;
  }

  /** Verifies that the last offset-index entry points at the start of the batch it names. */
  private async checkLastIndexEntry(): Promise<string | null> {
    const last = this.index.last();
    if (last === null) return null;
    if (last.position + BATCH_HEADER_BYTES > this.sizeBytes) return `last index entry ${last.position} leaves no room for a batch`;
    const header = Buffer.allocUnsafe(BATCH_HEADER_BYTES);
    await readFully(this.file, header, BATCH_HEADER_BYTES, last.position);
    const size = batchSizeAt(header);
    const base = baseOffsetAt(header);
    if (header.readInt8(OFF_MAGIC) !== 2 || size < BATCH_HEADER_BYTES || last.position + size > this.sizeBytes
      || base !== this.baseOffset + last.relativeOffset) {
      return `last index entry (${last.relativeOffset} -> ${last.position}) does not point at that batch`;
    }
    return null;
  }

  // ---- writing -------------------------------------------------------------------------------------
  //
  // One write path, writeSteps(), run by two drivers: write() awaits each file operation on the thread
  // pool, writeNow() does the same operations synchronously. The batches go at `sizeBytes` back to back
  // with one positional write (pwrite for one batch, pwritev for several), continued after a short
  // write; each batch is written whole and unchanged. If the write fails, cutBack() truncates the file to
  // where it started (the end of the last whole batch); if that truncation fails too, the next write
  // does it first.

  /** Writes `batches` (offsets already in their headers) at the end of the segment and indexes them. */
  async write(batches: readonly Buffer[]): Promise<void> {
    await this.file.use(async (fh) => {
      const steps = this.writeSteps(batches);
      for (let step = steps.next(); !step.done;) {
        let result: number;
        try {
          result = await runStep(fh, step.value);
        } catch (err) {
          step = steps.throw(err);
          continue;
        }
        step = steps.next(result);
      }
    });
  }

  /**
   * write() done synchronously on the calling thread: a pwrite into the page cache, no thread-pool
   * hand-off. Returns false, having done nothing, when the descriptor is not open or an earlier failed
   * write left bytes to cut (use write()). A failed write is cut away and rethrown.
   */
  writeNow(batches: readonly Buffer[]): boolean {
    if (this.tailDirty) return false;
    return this.file.tryUseSync((fd) => {
      const steps = this.writeSteps(batches);
      for (let step = steps.next(); !step.done;) {
        let result: number;
        try {
          result = runStepSync(fd, step.value);
        } catch (err) {
          step = steps.throw(err);
          continue;
        }
        step = steps.next(result);
      }
    });
  }

  /**
   * The write path, as the file operations it needs: each yielded step is carried out by the driver,
   * which passes back the bytes written or throws the step's error in here.
   */
  private *writeSteps(batches: readonly Buffer[]): Generator<FileStep, void, number> {
    const position = this.sizeBytes;
    if (this.tailDirty) yield* this.cutBack(position);
    let total = 0;
    for (const b of batches) total += b.length;
    try {
      let done = 0;
      while (done < total) {
        const written = yield { op: 'write', buffers: done === 0 ? batches : skipBytes(batches, done), position: position + done };
        if (written === 0) throw new Error(`short write to ${this.logPath}`);
        done += written;
      }
    } catch (err) {
      try {
        yield* this.cutBack(position);
      } catch {
        // tailDirty stays set: the next write cuts first.
      }
      throw err;
    }
    let at = position;
    for (const b of batches) {
      const baseOffset = baseOffsetAt(b);
      this.track(at, baseOffset, baseOffset + lastOffsetDeltaAt(b), maxTimestampAt(b), b.length);
      at += b.length;
    }
  }

  /** The torn-write cut-back: truncates the file to `position`, the end of the last whole batch. */
  private *cutBack(position: number): Generator<FileStep, void, number> {
    this.tailDirty = true;
    yield { op: 'truncate', position };
    this.tailDirty = false;
  }

  /** Accounts for a batch now in the file at `position`: indexes, size, end offset, max timestamp. */
  private track(position: number, baseOffset: number, lastOffset: number, maxTimestampMs: number, sizeBytes: number): void {
    const lastIndexed = this.index.last()?.position ?? 0;
    const indexIt = position >= lastIndexed + Math.max(1, this.indexIntervalBytes);
    if (indexIt) this.index.append(baseOffset - this.baseOffset, position);
    if (this.offsetOfMaxTimestamp < 0 || maxTimestampMs > this.maxTimestampMs) {
      this.maxTimestampMs = maxTimestampMs;
      this.offsetOfMaxTimestamp = baseOffset;
    }
    if (indexIt) this.timeIndex.maybeAppend(this.maxTimestampMs, this.offsetOfMaxTimestamp - this.baseOffset);
    this.sizeBytes = position + sizeBytes;
    this.endOffset = lastOffset + 1;
  }

  /** Adds the final time-index entry so its last entry is the segment's largest timestamp. */
  finishTimeIndex(): void {
    if (this.offsetOfMaxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestampMs, this.offsetOfMaxTimestamp - this.baseOffset);
  }

  /** Writes index entries not yet on disk. */
  async persistIndexes(): Promise<void> {
    await this.index.persist();
    await this.timeIndex.persist();
  }

  /** Starts fdatasync of the log and index files (synchronously, so a later close waits for it). */
  sync(): Promise<void> {
    return Promise.all([this.file.use((fh) => fh.datasync()), this.index.sync(), this.timeIndex.sync()]).then(() => undefined);
  }

  /** fdatasync of the .log file only. Starts synchronously. */
  syncLog(): Promise<void> {
    return this.file.use((fh) => fh.datasync());
  }

  /**
   * Drops the in-memory entries of a sealed segment's indexes, which are all on disk, so memory does not
   * grow with retained data; the next lookup reads the files again. No-op while entries are unwritten.
   */
  releaseIndexes(): void {
    if (this.indexesReleased || this.index.unpersisted > 0 || this.timeIndex.unpersisted > 0) return;
    this.index = new OffsetIndex(this.index.path, this.pool);
    this.timeIndex = new TimeIndex(this.timeIndex.path, this.pool);
    this.indexesReleased = true;
  }

  /** Whether the index entries are in memory. */
  get indexesLoaded(): boolean {
    return !this.indexesReleased;
  }

  /** Reads released index files back (a damaged file reads as empty: lookups then scan from position 0). */
  private async loadIndexes(): Promise<void> {
    if (!this.indexesReleased) return;
    const [index, timeIndex] = await Promise.all([OffsetIndex.load(this.index.path, this.pool), TimeIndex.load(this.timeIndex.path, this.pool)]);
    if (!this.indexesReleased) return;
    if (index.loadProblem !== null || timeIndex.loadProblem !== null) {
      // Damaged since the log opened: use neither (lookups scan from position 0, a truncation rebuilds both).
      index.reset();
      timeIndex.reset();
    }
    this.index = index;
    this.timeIndex = timeIndex;
    this.indexesReleased = false;
  }

  /**
   * Ends this segment's time as the active one: final time entry, index files written, synced and
   * closed. The .log file is left for the next flush to sync (it may hold a lot of dirty data).
   */
  async seal(): Promise<void> {
    this.finishTimeIndex();
    await this.persistIndexes();
    await this.index.close();
    await this.timeIndex.close();
  }

  /**
   * Cuts the segment at `position`, the start of the batch at `endOffset` (replication truncation), and
   * makes the cut durable. Index entries pointing at or past the cut are dropped; the batches between the
   * last kept offset-index entry and the cut are walked again to restore the largest timestamp, so the
   * indexes are what appending the kept batches would have built. Returns the bytes cut.
   */
  async truncateTo(position: number, endOffset: number): Promise<number> {
    await this.loadIndexes();
    const bytesCut = this.sizeBytes - position;
    await this.cutAt(position);
    this.index.truncateEntries(this.index.countBelowPosition(position));
    const from = this.index.last();
    // The time entry present when the last kept index entry was added is the running maximum there; the
    // entries before it were added no later. With no index entry kept, everything is walked from 0.
    this.timeIndex.truncateEntries(from === null ? 0 : this.timeIndex.countAtOrBelow(from.relativeOffset));
    const lastTime = this.timeIndex.last();
    this.maxTimestampMs = lastTime?.timestampMs ?? -1;
    this.offsetOfMaxTimestamp = lastTime === null ? -1 : this.baseOffset + lastTime.relativeOffset;
    const startPosition = from?.position ?? 0;
    this.sizeBytes = startPosition;
    this.endOffset = this.baseOffset + (from?.relativeOffset ?? 0);
    await this.findBatch(startPosition, this.endOffset, position, (loc) => {
      this.track(loc.position, loc.baseOffset, loc.lastOffset, maxTimestampAt(loc.chunk, loc.position - loc.chunkPosition), loc.sizeBytes);
      return false;
    });
    if (this.sizeBytes !== position || this.endOffset !== endOffset) {
      throw this.inconsistent(`after the cut at position ${position} the batches end at ${this.sizeBytes} (offset ${this.endOffset}), not offset ${endOffset}`);
    }
    return bytesCut;
  }

  /**
   * Calls `visit` with every written batch holding an offset at or past `fromOffset`, in order: a buffer
   * and where the batch starts in it. The whole header is there; a control batch (a transaction marker,
   * whose type is in its record) is there whole.
   */
  async forEachBatchHeaderFrom(fromOffset: number, visit: (chunk: Buffer, at: number) => void): Promise<void> {
    let position = 0;
    let expected = this.baseOffset;
    if (fromOffset > this.baseOffset) {
      await this.loadIndexes();
      const entry = this.index.lookup(fromOffset - this.baseOffset);
      position = entry?.position ?? 0;
      expected = this.baseOffset + (entry?.relativeOffset ?? 0);
    }
    for (;;) {
      // Stops at a control batch not wholly in the chunk read, which is then read on its own.
      const cut = await this.findBatch(position, expected, this.sizeBytes, (loc) => {
        const at = loc.position - loc.chunkPosition;
        if (loc.lastOffset < fromOffset) return false;
        if ((loc.chunk.readInt16BE(at + OFF_ATTRIBUTES) & ATTR_CONTROL) && at + loc.sizeBytes > loc.chunk.length) return true;
        visit(loc.chunk, at);
        return false;
      });
      if (cut === null) return;
      const whole = Buffer.allocUnsafe(cut.sizeBytes);
      await readFully(this.file, whole, cut.sizeBytes, cut.position);
      visit(whole, 0);
      position = cut.position + cut.sizeBytes;
      expected = cut.lastOffset + 1;
    }
  }

  // ---- reading -------------------------------------------------------------------------------------

  /**
   * Scans batch headers from the indexed position at or before `offset` to the batch containing it.
   * Returns null when no written batch (below `limitBytes`) contains it.
   */
  async locateOffset(offset: number, limitBytes: number): Promise<BatchLocation | null> {
    await this.loadIndexes();
    const entry = this.index.lookup(offset - this.baseOffset);
    const found = await this.findBatch(entry?.position ?? 0, this.baseOffset + (entry?.relativeOffset ?? 0), limitBytes,
      (loc) => loc.lastOffset >= offset);
    return found;
  }

  /**
   * The first written batch (below `limitBytes`) whose MaxTimestamp >= timestampMs and that holds an
   * offset >= minOffset (the log start offset), or null.
   */
  async locateTimestamp(timestampMs: number, limitBytes: number, minOffset = 0): Promise<BatchLocation | null> {
    await this.loadIndexes();
    const rel = this.timeIndex.lookupBelow(timestampMs);
    const entry = this.index.lookup(rel ?? 0);
    return this.findBatch(entry?.position ?? 0, this.baseOffset + (entry?.relativeOffset ?? 0), limitBytes,
      (loc) => loc.lastOffset >= minOffset && maxTimestampAt(loc.chunk, loc.position - loc.chunkPosition) >= timestampMs);
  }

  /** The first batch of the segment, or null when nothing below `limitBytes` is written. */
  async locateFirst(limitBytes: number): Promise<BatchLocation | null> {
    return this.findBatch(0, this.baseOffset, limitBytes, () => true);
  }

  /** findBatch() on this segment's file. */
  private findBatch(
    position: number, expectedOffset: number, limitBytes: number, want: (loc: BatchLocation) => boolean,
  ): Promise<BatchLocation | null> {
    return findBatch(this.file, this.baseOffset, position, expectedOffset, limitBytes, want);
  }

  /**
   * Reads whole batches from `from` (a located batch): at most `maxBytes` in total unless `firstWhole`,
   * which always takes the first batch; none with an offset at or past `upTo`; nothing past `limitBytes`.
   */
  async readBatches(from: BatchLocation, maxBytes: number, upTo: number, firstWhole: boolean, limitBytes: number): Promise<SegmentRead> {
    const available = limitBytes - from.position;
    let want = Math.min(Math.max(maxBytes, 0), available);
    if (firstWhole) want = Math.max(want, from.sizeBytes);
    if (want < from.sizeBytes || from.lastOffset >= upTo) return { bytes: Buffer.alloc(0), lastOffset: from.baseOffset - 1, stopped: true };
    let buf: Buffer;
    const chunkAt = from.position - from.chunkPosition;
    if (chunkAt + want <= from.chunk.length) {
      buf = from.chunk.subarray(chunkAt, chunkAt + want);
    } else {
      buf = Buffer.allocUnsafe(want);
      await readFully(this.file, buf, want, from.position);
    }
    let at = 0;
    let lastOffset = from.baseOffset - 1;
    let stopped = false;
    while (at < want) {
      if (want - at < BATCH_HEADER_BYTES) { stopped = true; break; }
      const size = batchSizeAt(buf, at);
      if (size < BATCH_HEADER_BYTES) throw this.inconsistent(`bad batch length at position ${from.position + at}`);
      if (at + size > want) { stopped = true; break; }
      const last = baseOffsetAt(buf, at) + lastOffsetDeltaAt(buf, at);
      if (last >= upTo) { stopped = true; break; }
      lastOffset = last;
      at += size;
    }
    if (at === want && from.position + want < limitBytes) stopped = true;
    return { bytes: buf.subarray(0, at), lastOffset, stopped };
  }

  /** One whole batch at a located position. */
  async readBatch(loc: BatchLocation): Promise<Buffer> {
    const at = loc.position - loc.chunkPosition;
    if (at + loc.sizeBytes <= loc.chunk.length) return Buffer.from(loc.chunk.subarray(at, at + loc.sizeBytes));
    const buf = Buffer.allocUnsafe(loc.sizeBytes);
    await readFully(this.file, buf, loc.sizeBytes, loc.position);
    return buf;
  }

  private inconsistent(detail: string): MqError {
    return inconsistentSegment(this.logPath, detail);
  }

  // ---- lifecycle -----------------------------------------------------------------------------------

  /** Closes the log file and the index files (syncing index writes not yet synced). */
  async close(): Promise<void> {
    try {
      await this.index.close();
      await this.timeIndex.close();
    } finally {
      await this.file.close();
    }
  }

  /** Closes and removes the segment's three files. */
  async deleteFiles(): Promise<void> {
    await this.close().catch(() => undefined);
    for (const path of [this.logPath, this.index.path, this.timeIndex.path]) {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }
}

/** One file operation of the write path (LogSegment.writeSteps). */
type FileStep =
  | { op: 'write'; buffers: readonly Buffer[]; position: number }
  | { op: 'truncate'; position: number };

/** Carries out `step` on the thread pool; the bytes written (0 for a truncation). */
async function runStep(fh: FileHandle, step: FileStep): Promise<number> {
  if (step.op === 'truncate') {
    await fh.truncate(step.position);
    return 0;
  }
  const [first] = step.buffers;
  if (step.buffers.length === 1) return (await fh.write(first, 0, first.length, step.position)).bytesWritten;
  return (await fh.writev(step.buffers as Buffer[], step.position)).bytesWritten;
}

/** runStep() on this thread. */
function runStepSync(fd: number, step: FileStep): number {
  if (step.op === 'truncate') {
    fs.ftruncateSync(fd, step.position);
    return 0;
  }
  const [first] = step.buffers;
  if (step.buffers.length === 1) return fs.writeSync(fd, first, 0, first.length, step.position);
  return fs.writevSync(fd, step.buffers as Buffer[], step.position);
}

/** The bytes of `buffers` after the first `skip`, as views. */
function skipBytes(buffers: readonly Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
