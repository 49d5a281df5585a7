// `<baseOffset>.timeindex`: a sparse map from timestamp to offset for one segment. The file is a flat
// array of 12-byte big-endian entries, `Timestamp INT64` (ms) then `RelativeOffset INT32`. Each entry
// records the segment's running maximum of batch MaxTimestamps and the BaseOffset (relative) of the
// first batch that reached it, so every batch before that offset has a smaller MaxTimestamp. Entries are
// added alongside offset-index entries, only when the maximum has grown (both fields strictly
// increase), plus one final entry when the segment is sealed or the log closes, so the last entry is the
// segment's largest timestamp. A search for timestamp T starts at the last entry whose timestamp is
// below T: no batch before it can hold a MaxTimestamp >= T.
import { IndexFile } from './index-file.js';
import type { FilePool } from './file-pool.js';
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js';

const ENTRY_BYTES = 12;

export interface TimeIndexEntry {
  timestampMs: number;
  relativeOffset: number;
}

export class TimeIndex extends IndexFile {
  private timestampsMs: number[] = [];
  private relativeOffsets: number[] = [];

  constructor(path: string, pool?: FilePool) {
    super(path, ENTRY_BYTES, pool);
  }

  /** Loads the file (a missing or malformed file yields an empty index with `loadProblem` set). */
  static async load(path: string, pool?: FilePool): Promise<TimeIndex> {
    const index = new TimeIndex(path, pool);
    const bytes = await IndexFile.readBytes(path);
    if (bytes === null) {
      index.markLoaded('the time index file is missing');
      return index;
    }
    if (bytes.length % ENTRY_BYTES !== 0) {
      index.markLoaded(`time index size ${bytes.length} is not a multiple of ${ENTRY_BYTES}`);
      return index;
    }
    let problem: string | null = null;
    for (let at = 0; at < bytes.length; at += ENTRY_BYTES) {
      const ts = Number(bytes.readBigInt64BE(at));
      const rel = bytes.readInt32BE(at + 8);
      const n = index.timestampsMs.length;
      if (rel < 0 || (n > 0 && (ts <= index.timestampsMs[n - 1] || rel <= index.relativeOffsets[n - 1]))) {
        problem = `time index entry ${at / ENTRY_BYTES} (${ts} -> ${rel}) is out of order`;
        break;
      }
      index.timestampsMs.push(ts);
      index.relativeOffsets.push(rel);
    }
    index.markLoaded(problem);
    return index;
  }

  get length(): number {
    return this.timestampsMs.length;
  }

  /** Adds (timestampMs, relativeOffset) when the timestamp is above the last entry's. */
  maybeAppend(timestampMs: number, relativeOffset: number): void {
    const n = this.timestampsMs.length;
    if (n > 0 && timestampMs <= this.timestampsMs[n - 1]) return;
    this.timestampsMs.push(timestampMs);
    this.relativeOffsets.push(relativeOffset);
  }

  /** The last entry, or null when empty. */
  last(): TimeIndexEntry | null {
    const n = this.timestampsMs.length;
    return n === 0 ? null : { timestampMs: this.timestampsMs[n - 1], relativeOffset: this.relativeOffsets[n - 1] };
  }

  /** Relative offset of the last entry with a timestamp below `timestampMs` (a safe place to start), or null. */
  lookupBelow(timestampMs: number): number | null {
    let lo = 0;
    let hi = this.timestampsMs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampsMs[mid] < timestampMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : this.relativeOffsets[found];
  }

  /**
   * Why this index cannot describe a log of `logSizeBytes` bytes ending before relative offset
   * `endRelativeOffset` (null when unknown), or null when it can. A cleanly closed non-empty segment
   * always has at least its final entry.
   */
  check(logSizeBytes: number, endRelativeOffset: number | null): string | null {
    if (this.loadProblem !== null) return this.loadProblem;
    const last = this.last();
    if (last === null) return logSizeBytes > 0 ? 'the time index of a non-empty segment is empty' : null;
    if (this.length > Math.floor(logSizeBytes / BATCH_HEADER_BYTES)) {
      return `${this.length} time index entries are more than a ${logSizeBytes}-byte log can hold`;
    }
    if (endRelativeOffset !== null && last.relativeOffset >= endRelativeOffset) {
      return `last time index entry names relative offset ${last.relativeOffset}, past the segment's end ${endRelativeOffset}`;
    }
    return null;
  }

  protected encodeEntry(i: number, buf: Buffer, at: number): void {
    buf.writeBigInt64BE(BigInt(this.timestampsMs[i]), at);
    buf.writeInt32BE(this.relativeOffsets[i], at + 8);
  }

  protected clearEntries(): void {
    this.timestampsMs = [];
    this.relativeOffsets = [];
  }

  protected keepEntries(n: number): void {
    this.timestampsMs.length = n;
    this.relativeOffsets.length = n;
  }

  /** Number of entries whose relative offset is at or below `relativeOffset`. */
  countAtOrBelow(relativeOffset: number): number {
    let n = this.relativeOffsets.length;
    while (n > 0 && this.relativeOffsets[n - 1] > relativeOffset) n -= 1;
    return n;
  }
}
