// Raw records (producer-raw.ts) of one target waiting for their topic's metadata: copied into one
// growing buffer, so while the producer waits they cost their bytes plus a 16-byte entry each (what
// they are charged against bufferMemory), not an object and two Buffers each.
//
//   Entry := KeyLength INT32 (-1 = null key), ValueLength INT32, Timestamp FLOAT64, Key, Value
import type { RawTarget } from './producer-raw.js';

/** Bytes of an entry besides its key and value. */
export const HELD_RAW_ENTRY_BYTES = 16;
const INITIAL_BYTES = 64 * 1024;

export class HeldRawRecords {
  private buf = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  private used = 0;
  /** Records held. */
  records = 0;
  /** Key and value bytes held. */
  bytes = 0;

  constructor(readonly target: RawTarget) {}

  /** Copies one record in: key src[keyStart, keyEnd) (keyStart -1: null), value src[valueStart, valueEnd). */
  add(src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number): void {
    const keyLength = keyStart < 0 ? -1 : keyEnd - keyStart;
    const size = Math.max(keyLength, 0) + valueEnd - valueStart;
    const need = this.used + HELD_RAW_ENTRY_BYTES + size;
    if (need > this.buf.length) {
      let length = this.buf.length * 2;
      while (length < need) length *= 2;
      const next = Buffer.allocUnsafeSlow(length);
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    const buf = this.buf;
    let p = this.used;
    buf.writeInt32LE(keyLength, p);
    buf.writeInt32LE(valueEnd - valueStart, p + 4);
    buf.writeDoubleLE(timestamp, p + 8);
    p += HELD_RAW_ENTRY_BYTES;
    if (keyLength > 0) p += src.copy(buf, p, keyStart, keyEnd);
    p += src.copy(buf, p, valueStart, valueEnd);
    this.used = p;
    this.records++;
    this.bytes += size;
  }

  /** Calls `record` for each held record in order, with its ranges in `buf` as add() took them. */
  forEach(record: (buf: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number) => void): void {
    const buf = this.buf;
    for (let p = 0; p < this.used;) {
      const keyLength = buf.readInt32LE(p);
      const valueLength = buf.readInt32LE(p + 4);
      const timestamp = buf.readDoubleLE(p + 8);
      const keyStart = p + HELD_RAW_ENTRY_BYTES;
      const valueStart = keyStart + Math.max(keyLength, 0);
      record(buf, keyLength < 0 ? -1 : keyStart, keyLength < 0 ? -1 : valueStart, valueStart, valueStart + valueLength, timestamp);
      p = valueStart + valueLength;
    }
  }
}
