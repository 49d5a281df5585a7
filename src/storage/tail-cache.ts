// The newest batches of a Log, kept in memory as written (the very Buffers handed to append, never
// copied), so a fetch at or near the end of the log -- a consumer keeping up, a follower, a parked fetch
// woken by an append -- is answered without a file read through libuv's thread pool (DESIGN.md: "the
// tail of the active segment may be served from memory"). At 10,000 one-record batches/s each such
// read cost two thread hand-offs and, on a busy machine, a scheduling delay each.
//
// The cached batches are contiguous, belong to the active segment and end at the log's written end:
// add() is called after each batch is in the file, in offset order; a batch that does not continue the
// range restarts it, and the Log clears it on a roll, a truncation and close. Each batch is a view that
// keeps the memory it lies in alive (its request frame, or the socket read or pool chunk that holds
// it), so the cache counts that whole memory (buffer.byteLength), not the batch's length: over-counted
// when batches share it, never under. Bounded per log (TAIL_CACHE_BYTES, TAIL_CACHE_BATCHES) and over
// all logs of the process (TAIL_CACHE_TOTAL_BYTES): a log that would go over the total drops its own
// oldest batches, and caches nothing if that is not enough.

/** Most memory one log keeps alive: a few of the largest batches a fast producer sends. */
export const TAIL_CACHE_BYTES = 512 * 1024;
/** Most batches one log keeps (small batches come one per request frame). */
export const TAIL_CACHE_BATCHES = 1024;
/** Most memory all logs of the process keep alive together. */
export const TAIL_CACHE_TOTAL_BYTES = 32 * 1024 * 1024;

let totalBytes = 0;
const EVICTED = Buffer.alloc(0);

export class TailCache {
  private batches: Buffer[] = [];
  private baseOffsets: number[] = [];
  private lastOffsets: number[] = [];
  /** Memory each entry keeps alive (see the top). */
  private held: number[] = [];
  /** Index of the oldest live entry (entries before it were evicted; compacted now and then). */
  private head = 0;
  private bytes = 0;
  /** Offset after the newest cached batch; -1 when empty. */
  private endOffset = -1;

  constructor(
    private readonly maxBytes = TAIL_CACHE_BYTES,
    private readonly maxTotalBytes = TAIL_CACHE_TOTAL_BYTES,
    private readonly maxBatches = TAIL_CACHE_BATCHES,
  ) {}

  /** Memory kept alive by every TailCache of the process. */
  static get totalBytes(): number {
    return totalBytes;
  }

  /** Memory this cache keeps alive. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** First cached offset, or -1 when empty. */
  get firstOffset(): number {
    return this.head < this.batches.length ? this.baseOffsets[this.head] : -1;
  }

  /** A batch now in the file (offsets baseOffset..lastOffset). */
  add(batch: Buffer, baseOffset: number, lastOffset: number): void {
    if (baseOffset !== this.endOffset) this.clear();
    const size = batch.buffer.byteLength;
    while (this.head < this.batches.length
      && (this.bytes + size > this.maxBytes || totalBytes + size > this.maxTotalBytes || this.batches.length - this.head >= this.maxBatches)) {
      this.evictOldest();
    }
    if (size > this.maxBytes || totalBytes + size > this.maxTotalBytes) {
      this.clear();
      return;
    }
    this.batches.push(batch);
    this.baseOffsets.push(baseOffset);
    this.lastOffsets.push(lastOffset);
    this.held.push(size);
    this.bytes += size;
    totalBytes += size;
    this.endOffset = lastOffset + 1;
  }

  clear(): void {
    totalBytes -= this.bytes;
    this.batches = [];
    this.baseOffsets = [];
    this.lastOffsets = [];
    this.held = [];
    this.head = 0;
    this.bytes = 0;
    this.endOffset = -1;
  }

  /**
   * Whole batches from the one holding `offset`, as Log.read() returns them: at most `maxBytes` in total
   * except that the first batch always comes whole, none holding an offset at or past `upTo`, in one
   * buffer (a single batch is handed out as written, several are joined). Null when
   * `offset` is not in the cached range (the caller reads the file).
   */
  read(offset: number, maxBytes: number, upTo: number): Buffer[] | null {
    const first = this.find(offset);
    if (first < 0) return null;
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = first; i < this.batches.length; i++) {
      if (this.lastOffsets[i] >= upTo) break;
      const b = this.batches[i];
      if (out.length > 0 && bytes + b.length > maxBytes) break;
      out.push(b);
      bytes += b.length;
    }
    // One buffer, as a file read of the same contiguous range gives (one copy, like the file read's).
    return out.length > 1 ? [Buffer.concat(out, bytes)] : out;
  }

  /** Index of the cached batch holding `offset`, or -1. */
  private find(offset: number): number {
    let lo = this.head;
    let hi = this.batches.length - 1;
    if (lo > hi || offset < this.baseOffsets[lo] || offset >= this.endOffset) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.baseOffsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private evictOldest(): void {
    const size = this.held[this.head];
    this.bytes -= size;
    totalBytes -= size;
    this.batches[this.head] = EVICTED; // let go of it (and its request frame) now, not at the next compaction
    this.head++;
    if (this.head === this.batches.length) {
      this.clear();
      return;
    }
    // Compact once the evicted prefix is as long as what is live, so the arrays stay small.
    if (this.head >= 256 && this.head * 2 >= this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.baseOffsets = this.baseOffsets.slice(this.head);
      this.lastOffsets = this.lastOffsets.slice(this.head);
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }
}
