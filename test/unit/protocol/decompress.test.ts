// Snappy (raw and xerial-framed) and LZ4 frame decompression, from byte strings built by hand after the
// format descriptions in src/protocol/snappy.ts and lz4.ts, and a whole record batch with each codec
// decoded by the consumer's decoder. The end-to-end check with librdkafka's own snappy is in kcat.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lz4Decompress } from '../../../src/protocol/lz4.js';
import { snappyDecompress } from '../../../src/protocol/snappy.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';
import { BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_ATTRIBUTES, OFF_BATCH_LENGTH, writeCrc } from '../../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { MqError } from '../../../src/util/mq-error.js';

const abc33 = 'abc'.repeat(11);

/** Snappy: "abc", a 2-byte-offset copy of 30 bytes from 3 back (overlapping), then "!". */
const snappyRaw = Buffer.from([33 + 1, (3 - 1) << 2, 0x61, 0x62, 0x63, ((30 - 1) << 2) | 2, 3, 0, 0, 0x21]);

test('snappy: literals and an overlapping copy', () => {
  assert.equal(snappyDecompress(snappyRaw).toString(), `${abc33}!`);
});

test('snappy: 1-byte-offset copies, a long literal (length in the next byte), xerial framing of two blocks', () => {
  const long = Buffer.alloc(100, 0x78);
  // 100-byte literal: tag 60 << 2 says "length-1 in 1 byte"; then a copy of 8 bytes from 100 back (kind 1).
  const block1 = Buffer.concat([Buffer.from([108, 60 << 2, 99]), long, Buffer.from([((8 - 4) << 2) | 1, 100])]);
  const block2 = Buffer.from([3, (3 - 1) << 2, 0x65, 0x6e, 0x64]);
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const len = (b: Buffer): Buffer => { const l = Buffer.alloc(4); l.writeInt32BE(b.length); return l; };
  const framed = Buffer.concat([header, len(block1), block1, len(block2), block2]);
  assert.equal(snappyDecompress(framed).toString(), `${'x'.repeat(108)}end`);
});

test('snappy: a copy reaching before the start or a wrong length is CORRUPT_MESSAGE', () => {
  const isCorrupt = (e: unknown) => e instanceof MqError && e.code === 'CORRUPT_MESSAGE';
  assert.throws(() => snappyDecompress(Buffer.from([5, ((5 - 1) << 2) | 2, 9, 0])), isCorrupt);
  assert.throws(() => snappyDecompress(Buffer.from([9, (3 - 1) << 2, 0x61, 0x62, 0x63])), isCorrupt);
  assert.throws(() => snappyDecompress(snappyRaw.subarray(0, 7)), isCorrupt);
  // A preamble announcing 4 GiB for a 6-byte block is refused before anything is allocated.
  assert.throws(() => snappyDecompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0])), (e: unknown) => isCorrupt(e) && /announced for a block of 6/.test((e as Error).message));
});

/** An LZ4 frame (64 KiB blocks) around `blocks`, each [compressed?, bytes]. */
function lz4Frame(blocks: [boolean, Buffer][], flg = 0x60): Buffer {
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, 0x40, 0x00])];
  for (const [compressed, bytes] of blocks) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE((bytes.length | (compressed ? 0 : 0x80000000)) >>> 0);
    parts.push(size, bytes);
    if (flg & 0x10) parts.push(Buffer.alloc(4)); // block checksum (not verified)
  }
  parts.push(Buffer.alloc(4)); // end mark
  if (flg & 0x04) parts.push(Buffer.alloc(4)); // content checksum
  return Buffer.concat(parts);
}

test('lz4: a match with an extended length, the final literals-only sequence, and a stored block', () => {
  // "abc", then a 30-byte match from 3 back (30 - 4 = 26 = 15 + 11), then the last literals "hello".
  const block = Buffer.concat([Buffer.from([(3 << 4) | 15, 0x61, 0x62, 0x63, 3, 0, 11, 5 << 4]), Buffer.from('hello')]);
  assert.equal(lz4Decompress(lz4Frame([[true, block]])).toString(), `${abc33}hello`);
  assert.equal(lz4Decompress(lz4Frame([[true, block], [false, Buffer.from('+stored')]], 0x74)).toString(), `${abc33}hello+stored`);
});

test('lz4: a literal run over 15 bytes and a bad offset', () => {
  const lit = Buffer.alloc(300, 0x7a);
  // 300 literals: 15 + 255 + 30.
  const block = Buffer.concat([Buffer.from([15 << 4, 255, 30]), lit]);
  assert.equal(lz4Decompress(lz4Frame([[true, block]])).toString(), 'z'.repeat(300));
  const isCorrupt = (e: unknown) => e instanceof MqError && e.code === 'CORRUPT_MESSAGE';
  assert.throws(() => lz4Decompress(lz4Frame([[true, Buffer.from([(1 << 4) | 0, 0x61, 9, 0, 0])]])), isCorrupt);
  assert.throws(() => lz4Decompress(Buffer.from('not a frame at all')), isCorrupt);
});

/** A batch of `values` whose records' bytes are replaced by `compress(records)`, marked with `codec`. */
function batchWithCodec(codec: number, compress: (records: Buffer) => Buffer, values: string[]): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
  for (const v of values) assert.ok(b.tryAppend({ key: null, value: Buffer.from(v), timestamp: 1_700_000_000_000 }));
  const plain = b.build();
  const out = Buffer.concat([plain.subarray(0, BATCH_HEADER_BYTES), compress(plain.subarray(BATCH_HEADER_BYTES))]);
  out.writeInt32BE(out.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  out.writeInt16BE((out.readInt16BE(OFF_ATTRIBUTES) & ~7) | codec, OFF_ATTRIBUTES);
  writeCrc(out);
  return out;
}

test('a record batch compressed with snappy or lz4 decodes to its records', () => {
  const values = ['one', 'two', 'three'];
  // The "compressors" store everything as literals, which both formats allow.
  const snappyLiteral = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), Buffer.from([60 << 2, b.length - 1]), b]);
  const lz4Literal = (b: Buffer): Buffer => lz4Frame([[true, Buffer.concat([Buffer.from([15 << 4, b.length - 15]), b])]]);
  for (const [codec, compress] of [[2, snappyLiteral], [3, lz4Literal]] as const) {
    const [batch] = decodeRecordBatches(batchWithCodec(codec, compress, values));
    assert.equal(batch.compression, codec);
    assert.deepEqual(batch.records.map((r) => r.value?.toString()), values);
  }
});
