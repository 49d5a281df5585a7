// Shared checks for protocol schema tests: a round trip through encode/size/decode, and golden bytes
// written out field by field. No import-time side effects (node --test loads this file too).
import assert from 'node:assert/strict';
import type { Struct } from '../../src/protocol/codec.js';
import { Reader } from '../../src/protocol/reader.js';

/** Encodes `value` at `version`, checks size(), decodes, and compares with the value. */
export function roundTrip<T>(s: Struct<T>, value: T, version: number): void {
  const buf = s.toBuffer(value, version);
  assert.equal(s.size(value, version), buf.length, `size() at v${version}`);
  const r = new Reader(buf);
  const back = s.decode(r, version);
  assert.equal(r.remaining, 0, `v${version} decode consumed every byte`);
  assert.deepEqual(back, value, `round trip at v${version}`);
}

/**
 * Bytes from big-endian fields: [width in bytes, value], a string (INT16 length + UTF-8), or null
 * (a null string, length -1).
 */
export function wireBytes(...fields: ([1 | 2 | 4 | 8, number | bigint] | string | null)[]): Buffer {
  return Buffer.concat(fields.map((f) => {
    if (f === null) return Buffer.from([0xff, 0xff]);
    if (typeof f === 'string') {
      const s = Buffer.from(f, 'utf8');
      const len = Buffer.alloc(2);
      len.writeInt16BE(s.length);
      return Buffer.concat([len, s]);
    }
    const [width, value] = f;
    const b = Buffer.alloc(width);
    if (width === 8) b.writeBigInt64BE(BigInt(value));
    else b.writeIntBE(Number(value), 0, width);
    return b;
  }));
}
