// Raw records (producer-raw.ts) of one target waiting for their topic's metadata: copied into a list
// of 256 KiB blocks, so while the producer waits they cost their bytes plus a 16-byte entry each (what
// they are charged against bufferMemory on top of the record itself), not an object and two Buffers.
//
//   Entry := KeyLength INT32 (-1 = null key), ValueLength INT32, Timestamp FLOAT64, Key, Value
import type { RawTarget } from './producer-raw.js';

/** Bytes of an entry besides its key and value. */
export const HELD_RAW_ENTRY_BYTES = 16;
/** Entries go into blocks this large (a larger entry gets a block of its own): growing never copies. */
const BLOCK_BYTES = 256 * 1024;

export class HeldRawRecords {
  private readonly blocks: Buffer[] = [];
  private readonly blockUsed: number[] = [];
  /** Records held. */
  records = 0;
  /** Key and value bytes held. */
  bytes = 0;
  /** Bytes of the entries (what the copies take). */
  held = 0;

  constructor(readonly target: RawTarget) {}

  /** Copies one record in: key src[keyStart, keyEnd) (keyStart -1: null), value src[valueStart, valueEnd); returns its entry's bytes. */
  add(src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number): number {
    const keyLength = keyStart < 0 ? -1 : keyEnd - keyStart;
    const size = Math.max(keyLength, 0) + valueEnd - valueStart;
    const entryBytes = HELD_RAW_ENTRY_BYTES + size;
    let last = this.blocks.length - 1;
    if (last < 0 || this.blockUsed[last] + entryBytes > this.blocks[last].length) {
      this.blocks.push(Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, entryBytes)));
      this.blockUsed.push(0);
      last++;
    }
    const buf = this.blocks[last];
    let p = this.blockUsed[last];
    buf.writeInt32LE(keyLength, p);
    buf.writeInt32LE(valueEnd - valueStart, p + 4);
    buf.writeDoubleLE(timestamp, p + 8);
    p += HELD_RAW_ENTRY_BYTES;
    if (keyLength > 0) p += src.copy(buf, p, keyStart, keyEnd);
    p += src.copy(buf, p, valueStart, valueEnd);
    this.blockUsed[last] = p;
    this.records++;
    this.bytes += size;
    this.held += entryBytes;
    return entryBytes;
  }

  /**
   * Calls `record` for each held record in order, with its ranges in `buf` as add() took them; each
   * block is let go of once walked, so the records can move into batches without being held twice.
   */
  forEach(record: (buf: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number) => void): void {
    for (let b = 0; b < this.blocks.length; b++) {
      const buf = this.blocks[b];
      const used = this.blockUsed[b];
      for (let p = 0; p < used;) {
        const keyLength = buf.readInt32LE(p);
        const valueLength = buf.readInt32LE(p + 4);
        const timestamp = buf.readDoubleLE(p + 8);
        const keyStart = p + HELD_RAW_ENTRY_BYTES;
        const valueStart = keyStart + Math.max(keyLength, 0);
        record(buf, keyLength < 0 ? -1 : keyStart, keyLength < 0 ? -1 : valueStart, valueStart, valueStart + valueLength, timestamp);
        p = valueStart + valueLength;
      }
      this.blocks[b] = EMPTY;
    }
  }
}

const EMPTY = Buffer.alloc(0);
