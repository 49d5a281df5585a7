// `<baseOffset>.index`: a sparse map from offset to file position for one segment. The file is a flat
// array of 8-byte big-endian entries, `RelativeOffset INT32` (a batch's BaseOffset minus the segment's
// base offset) then `Position INT32` (where that batch starts in the .log file), strictly increasing in
// both fields. An entry is added for the first batch that starts at least `indexIntervalBytes` after the
// previous entry (or after position 0, which is never indexed: a lookup that finds no entry starts there).
// A lookup returns the last entry at or below the wanted offset; the reader then scans batch headers
// forward from that position, so at most about one interval of headers is read per lookup.
import { IndexFile } from './index-file.js';
import type { FilePool } from './file-pool.js';
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js';

const ENTRY_BYTES = 8;

export interface OffsetIndexEntry {
  relativeOffset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  private relativeOffsets: number[] = [];
  private positions: number[] = [];

  constructor(path: string, pool?: FilePool) {
    super(path, ENTRY_BYTES, pool);
  }

  /** Loads the file (a missing or malformed file yields an empty index with `loadProblem` set). */
  static async load(path: string, pool?: FilePool): Promise<OffsetIndex> {
    const index = new OffsetIndex(path, pool);
    const bytes = await IndexFile.readBytes(path);
    if (bytes === null) {
      index.markLoaded('the index file is missing');
      return index;
    }
    if (bytes.length % ENTRY_BYTES !== 0) {
      index.markLoaded(`index size ${bytes.length} is not a multiple of ${ENTRY_BYTES}`);
      return index;
    }
    let problem: string | null = null;
    for (let at = 0; at < bytes.length; at += ENTRY_BYTES) {
      const rel = bytes.readInt32BE(at);
      const pos = bytes.readInt32BE(at + 4);
      const n = index.positions.length;
      if (rel < 0 || pos < 0 || (n > 0 && (rel <= index.relativeOffsets[n - 1] || pos <= index.positions[n - 1]))) {
        problem = `index entry ${at / ENTRY_BYTES} (${rel} -> ${pos}) is out of order`;
        break;
      }
      index.relativeOffsets.push(rel);
      index.positions.push(pos);
    }
    index.markLoaded(problem);
    return index;
  }

  get length(): number {
    return this.positions.length;
  }

  /** Adds an entry; callers add in increasing order. */
  append(relativeOffset: number, position: number): void {
    this.relativeOffsets.push(relativeOffset);
    this.positions.push(position);
  }

  /** The last entry, or null when empty. */
  last(): OffsetIndexEntry | null {
    const n = this.positions.length;
    return n === 0 ? null : { relativeOffset: this.relativeOffsets[n - 1], position: this.positions[n - 1] };
  }

  /** The last entry whose relative offset is <= `relativeOffset`, or null (then scan from position 0). */
  lookup(relativeOffset: number): OffsetIndexEntry | null {
    let lo = 0;
    let hi = this.relativeOffsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsets[mid] <= relativeOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : { relativeOffset: this.relativeOffsets[found], position: this.positions[found] };
  }

  /**
   * Why this index cannot describe a log of `logSizeBytes` bytes ending before relative offset
   * `endRelativeOffset` (null when unknown), or null when it can.
   */
  check(logSizeBytes: number, endRelativeOffset: number | null): string | null {
    if (this.loadProblem !== null) return this.loadProblem;
    const last = this.last();
    if (last === null) return null;
    if (this.length > Math.floor(logSizeBytes / BATCH_HEADER_BYTES)) {
      return `${this.length} index entries are more than a ${logSizeBytes}-byte log can hold`;
    }
    if (last.position >= logSizeBytes) return `last index entry points at ${last.position}, past the ${logSizeBytes}-byte log`;
    if (endRelativeOffset !== null && last.relativeOffset >= endRelativeOffset) {
      return `last index entry names relative offset ${last.relativeOffset}, past the segment's end ${endRelativeOffset}`;
    }
    return null;
  }

  protected encodeEntry(i: number, buf: Buffer, at: number): void {
    buf.writeInt32BE(this.relativeOffsets[i], at);
    buf.writeInt32BE(this.positions[i], at + 4);
  }

  protected clearEntries(): void {
    this.relativeOffsets = [];
    this.positions = [];
  }

  protected keepEntries(n: number): void {
    this.relativeOffsets.length = n;
    this.positions.length = n;
  }

  /** Number of entries pointing below file position `position`. */
  countBelowPosition(position: number): number {
    let n = this.positions.length;
    while (n > 0 && this.positions[n - 1] >= position) n -= 1;
    return n;
  }
}
