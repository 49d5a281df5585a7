// Big-endian reader for the classic Kafka encoding. Every read is bounds-checked; running past
// the end throws a MqError('INVALID_REQUEST') so a truncated or garbled message never crashes a caller.
// Hostile input is bounded before anything is built from it: an array count must fit the bytes left at
// the smallest size its element can take (and a cap, and the reader's element budget for the whole
// message), and a string must be valid UTF-8 (decoding would turn bad bytes into U+FFFD, which
// re-encodes three times larger and is not the name the peer sent).
import { isUtf8 } from 'node:buffer';
import { MqError } from '../util/mq-error.js';

export class Reader {
  pos: number;

  /**
   * Array elements this reader may still decode, over all arrays of the message. The broker sets it per
   * request so nested arrays cannot multiply into millions of objects; unlimited by default.
   */
  elementBudget = Number.POSITIVE_INFINITY;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Steps over `n` bytes (bounds-checked like raw(), without a view); returns where they start. */
  skip(n: number): number {
    return this.need(n);
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new MqError('INVALID_REQUEST', `truncated message: needed ${n} bytes at ${this.pos}, ${this.end - this.pos} left`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  int64(): bigint { return this.buf.readBigInt64BE(this.need(8)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }
  boolean(): boolean { return this.int8() === 1; }

  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.need(1)];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new MqError('INVALID_REQUEST', 'varint longer than 5 bytes');
  }

  varint(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** ZigZag VARLONG as a number (timestamps and deltas fit in 53 bits). */
  varlong(): number {
    let z = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.need(1)];
      z |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number((z >> 1n) ^ -(z & 1n));
    }
    throw new MqError('INVALID_REQUEST', 'varlong longer than 10 bytes');
  }

  /** `n` raw bytes as a view (no copy). */
  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** Decoded leniently: a null (-1) STRING reads as "". */
  string(): string {
    return this.nullableString() ?? '';
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const at = this.need(n);
    const view = this.buf.subarray(at, at + n);
    if (!isUtf8(view)) throw new MqError('INVALID_REQUEST', `string of ${n} bytes at ${at} is not valid UTF-8`);
    return view.toString('utf8');
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }

  /**
   * Array length; -1 (null) is returned as -1 for the caller to interpret. `elementMinBytes` is the
   * fewest bytes one element can take (an INT32 takes 4, a STRING 2), so a count the remaining bytes
   * cannot hold is refused before any element is decoded; `maxElements` caps the count outright.
   */
  arrayLength(elementMinBytes = 1, maxElements = Number.POSITIVE_INFINITY): number {
    const n = this.int32();
    if (n <= 0) return n;
    if (n * Math.max(1, elementMinBytes) > this.remaining) {
      throw new MqError('INVALID_REQUEST', `array of ${n} elements of at least ${Math.max(1, elementMinBytes)} bytes cannot fit in ${this.remaining} bytes`);
    }
    if (n > maxElements) throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the limit of ${maxElements}`);
    if (n > this.elementBudget) {
      throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the ${this.elementBudget} elements left for this message`);
    }
    this.elementBudget -= n;
    return n;
  }
}
