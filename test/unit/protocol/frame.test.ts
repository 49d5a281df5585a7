// FrameDecoder fed one byte at a time and in odd chunks (partial reads), oversize and negative sizes;
// Reader bounds checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from '../../../src/protocol/frame.js';
import { Reader } from '../../../src/protocol/reader.js';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

const payloads = [
  Buffer.from('first request'),
  Buffer.alloc(0),
  Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
  Buffer.alloc(3000, 0x5a),
  Buffer.from('x'),
];
const stream = Buffer.concat(payloads.map(frame));

describe('FrameDecoder', () => {
  test('byte at a time: each frame comes out whole, exactly when its last byte arrives', () => {
    const d = new FrameDecoder(1 << 20);
    const ends = new Set<number>();
    let at = 0;
    for (const p of payloads) { at += 4 + p.length; ends.add(at - 1); }
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = d.push(stream.subarray(i, i + 1));
      assert.equal(got.length, ends.has(i) ? 1 : 0, `output after byte ${i}`);
      out.push(...got.map((b) => Buffer.from(b)));
    }
    assert.deepEqual(out, payloads);
    assert.equal(d.buffered, 0);
  });

  test('any chunking gives the same frames', () => {
    for (const chunkBytes of [2, 3, 5, 7, 64, 1000, stream.length]) {
      const d = new FrameDecoder(1 << 20);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunkBytes) out.push(...d.push(stream.subarray(i, i + chunkBytes)));
      assert.deepEqual(out, payloads, `chunks of ${chunkBytes}`);
      assert.equal(d.buffered, 0);
    }
  });

  test('preallocate (the client): large frames filled chunk by chunk come out the same, with any chunking', () => {
    const patterned = Buffer.alloc(1_000_000);
    for (let i = 0; i < patterned.length; i++) patterned[i] = i % 251;
    const big: Buffer[] = [Buffer.alloc(200_000, 0x41), Buffer.from('small'), Buffer.alloc(65_536, 0x42), Buffer.alloc(0), patterned];
    const all = Buffer.concat([...big, ...payloads].map(frame));
    for (const chunkBytes of [1, 3, 4, 5, 4096, 65_536, 65_537, 300_000, all.length]) {
      const d = new FrameDecoder(1 << 21, { preallocate: true });
      const out: Buffer[] = [];
      for (let i = 0; i < all.length; i += chunkBytes) {
        out.push(...d.push(all.subarray(i, i + chunkBytes)));
        if (i + chunkBytes < all.length) assert.ok(d.buffered <= all.length);
      }
      assert.deepEqual(out, [...big, ...payloads], `chunks of ${chunkBytes}`);
      assert.equal(d.buffered, 0);
    }
    // Mid-frame: what has arrived is counted; the frame's full size is known.
    const d = new FrameDecoder(1 << 21, { preallocate: true });
    assert.deepEqual(d.push(frame(big[0]).subarray(0, 100_000)), []);
    assert.equal(d.buffered, 100_000);
    assert.equal(d.pendingFrameBytes, 200_004);
  });

  test('bytes of an unfinished frame stay buffered', () => {
    const d = new FrameDecoder(1024);
    assert.deepEqual(d.push(stream.subarray(0, 10)), []);
    assert.equal(d.buffered, 10);
  });

  test('a frame at the limit passes; one byte over is rejected as soon as its size arrives', () => {
    const ok = new FrameDecoder(16);
    assert.deepEqual(ok.push(frame(Buffer.alloc(16, 1))), [Buffer.alloc(16, 1)]);

    const d = new FrameDecoder(16);
    const size = Buffer.alloc(4);
    size.writeInt32BE(17);
    assert.deepEqual(d.push(size.subarray(0, 3)), []);
    assert.throws(() => d.push(size.subarray(3)), { code: 'MESSAGE_TOO_LARGE' });

    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7fffffff);
    assert.throws(() => new FrameDecoder(100 * 1024 * 1024).push(huge), { code: 'MESSAGE_TOO_LARGE' });
  });

  test('a negative size is an invalid request', () => {
    assert.throws(() => new FrameDecoder(1024).push(Buffer.from([0xff, 0xff, 0xff, 0xfe])), { code: 'INVALID_REQUEST' });
  });
});

describe('Reader bounds checks', () => {
  test('fixed-size reads past the end throw INVALID_REQUEST', () => {
    const cases: [number, (r: Reader) => unknown][] = [
      [0, (r) => r.int8()], [1, (r) => r.int16()], [3, (r) => r.int32()], [3, (r) => r.uint32()],
      [7, (r) => r.int64()], [0, (r) => r.boolean()],
    ];
    for (const [bytes, read] of cases) {
      assert.throws(() => read(new Reader(Buffer.alloc(bytes))), { code: 'INVALID_REQUEST' });
    }
  });

  test('the window end is respected even when the buffer goes on', () => {
    const buf = Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]);
    const r = new Reader(buf, 0, 6);
    assert.equal(r.int32(), 1);
    assert.equal(r.remaining, 2);
    assert.throws(() => r.int32(), { code: 'INVALID_REQUEST' });
    assert.equal(new Reader(buf, 4).int32(), 2);
  });

  test('lengths that point past the end throw instead of reading neighbouring memory', () => {
    assert.throws(() => new Reader(Buffer.from([0, 5, 0x61, 0x62])).string(), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.from([0, 0, 0, 9, 1, 2])).bytes(), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1])).arrayLength(), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.from([1, 2])).raw(3), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.from([1, 2])).raw(-1), { code: 'INVALID_REQUEST' });
  });

  test('unterminated or overlong varints throw', () => {
    assert.throws(() => new Reader(Buffer.from([0x80, 0x80])).varint(), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.alloc(6, 0x80)).varint(), { code: 'INVALID_REQUEST' });
    assert.throws(() => new Reader(Buffer.alloc(11, 0x80)).varlong(), { code: 'INVALID_REQUEST' });
  });

  test('null markers decode leniently where the schema says so', () => {
    assert.equal(new Reader(Buffer.from([0xff, 0xff])).nullableString(), null);
    assert.equal(new Reader(Buffer.from([0xff, 0xff])).string(), '');
    assert.equal(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).nullableBytes(), null);
    assert.equal(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).arrayLength(), -1);
  });
});
