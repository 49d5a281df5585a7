// RecordBatch v2: varints, CRC-32C, RecordBatchBuilder -> decodeRecordBatches, batches made by kafkajs,
// truncated and corrupt input, compression and timestamp-type attributes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';
import { Writer } from '../../../src/protocol/writer.js';
import { Reader } from '../../../src/protocol/reader.js';
import {
  BATCH_HEADER_BYTES, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_CRC, OFF_MAX_TIMESTAMP, OFF_MAGIC, OFF_RECORDS_COUNT,
  validateBatch, writeCrc,
} from '../../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';

const require = createRequire(import.meta.url);
const { RecordBatch: KjsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');

const T0 = 1_700_000_000_000;

function hex(b: Buffer): string {
  return b.toString('hex');
}

/** Builds a batch of `n` small records, each `v<i>` keyed `k<i>`. */
function smallBatch(n: number, opts: ConstructorParameters<typeof RecordBatchBuilder>[0] = {}): Buffer {
  const b = new RecordBatchBuilder(opts);
  for (let i = 0; i < n; i++) {
    assert.equal(b.tryAppend({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: T0 + i }), true);
  }
  return b.build();
}

describe('VARINT / VARLONG (PROTOCOL.md §3.4)', () => {
  const examples: [number, string][] = [
    [0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [63, '7e'], [-64, '7f'], [64, '8001'], [300, 'd804'],
  ];

  test('encode the documented examples as VARINT and VARLONG', () => {
    for (const [n, bytes] of examples) {
      assert.equal(hex(new Writer().varint(n).toBuffer()), bytes, `varint ${n}`);
      assert.equal(hex(new Writer().varlong(n).toBuffer()), bytes, `varlong ${n}`);
      assert.equal(hex(new Writer().varlong(BigInt(n)).toBuffer()), bytes, `varlong ${n}n`);
    }
  });

  test('decode the documented examples', () => {
    for (const [n, bytes] of examples) {
      assert.equal(new Reader(Buffer.from(bytes, 'hex')).varint(), n);
      assert.equal(new Reader(Buffer.from(bytes, 'hex')).varlong(), n);
    }
  });

  test('extremes round trip', () => {
    for (const n of [2 ** 31 - 1, -(2 ** 31), 123456789, -987654321]) {
      const r = new Reader(new Writer().varint(n).toBuffer());
      assert.equal(r.varint(), n);
      assert.equal(r.remaining, 0);
    }
    for (const n of [2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, T0]) {
      const r = new Reader(new Writer().varlong(n).toBuffer());
      assert.equal(r.varlong(), n);
      assert.equal(r.remaining, 0);
    }
    assert.equal(new Writer().varint(2 ** 31 - 1).toBuffer().length, 5);
    assert.equal(new Writer().varlong(-(2n ** 63n)).toBuffer().length, 10);
  });
});

test('CRC-32C check value: crc32c("123456789") = 0xE3069283', () => {
  assert.equal(crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283);
});

describe('RecordBatchBuilder -> decodeRecordBatches', () => {
  for (const compression of ['none', 'gzip'] as const) {
    test(`keys, null keys and values, headers, varied timestamps (${compression})`, () => {
      const big = Buffer.alloc(10_000, 0xab); // large values are referenced by the Writer until build()
      const input = [
        { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), timestamp: T0, headers: [{ key: 'trace-id', value: Buffer.from('abc') }] },
        { key: null, value: Buffer.from('no key'), timestamp: T0 + 3 },
        { key: Buffer.from('tombstone'), value: null, timestamp: T0 + 1 }, // below the running max: MaxTimestamp must not move
        { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 - 5, headers: [] }, // negative delta
        {
          key: Buffer.from('h'), value: big, timestamp: T0 + 3_000_000_000, // delta beyond int32: VARLONG path
          headers: [{ key: 'ключ', value: null }, { key: 'empty', value: Buffer.alloc(0) }, { key: 'dup', value: Buffer.from('1') }, { key: 'dup', value: Buffer.from('2') }],
        },
      ];
      const b = new RecordBatchBuilder({ compression, maxBytes: 1 << 20 });
      for (const r of input) assert.equal(b.tryAppend(r), true);
      assert.equal(b.count, input.length);
      const batch = b.build();
      if (compression === 'none') assert.equal(batch.length, b.sizeInBytes);
      else assert.ok(batch.length < b.sizeInBytes, 'gzip shrinks the 10 KB of 0xab');
      assert.equal(validateBatch(batch, 0, batch.length), null);

      const [d, ...rest] = decodeRecordBatches(batch);
      assert.equal(rest.length, 0);
      assert.equal(d.baseOffset, 0);
      assert.equal(d.partitionLeaderEpoch, 0);
      assert.equal(d.compression, compression === 'gzip' ? 1 : 0);
      assert.equal(d.attributes, compression === 'gzip' ? 1 : 0);
      assert.equal(d.timestampType, 0);
      assert.equal(d.isTransactional, false);
      assert.equal(d.isControl, false);
      assert.equal(d.lastOffsetDelta, input.length - 1);
      assert.equal(d.recordsCount, input.length);
      assert.equal(d.baseTimestamp, T0);
      assert.equal(d.maxTimestamp, T0 + 3_000_000_000);
      assert.equal(d.producerId, -1n);
      assert.equal(d.producerEpoch, -1);
      assert.equal(d.baseSequence, -1);
      assert.deepEqual(d.records, input.map((r, i) => ({
        offset: i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers ?? [],
      })));
    });
  }

  test('producer fields and offsets after the broker assigns a BaseOffset', () => {
    const batch = smallBatch(3, { producerId: 4242n, producerEpoch: 3, baseSequence: 17 });
    batch.writeBigInt64BE(1000n, OFF_BASE_OFFSET); // outside the CRC
    assert.equal(validateBatch(batch, 0, batch.length), null);
    const [d] = decodeRecordBatches(batch);
    assert.equal(d.producerId, 4242n);
    assert.equal(d.producerEpoch, 3);
    assert.equal(d.baseSequence, 17);
    assert.deepEqual(d.records.map((r) => r.offset), [1000, 1001, 1002]);
  });

  test('maxBytes: the first record always fits, later ones only while under the limit', () => {
    const b = new RecordBatchBuilder({ maxBytes: 100 });
    assert.equal(b.sizeInBytes, BATCH_HEADER_BYTES);
    assert.equal(b.tryAppend({ key: null, value: Buffer.alloc(500), timestamp: T0 }), true);
    assert.equal(b.tryAppend({ key: null, value: Buffer.alloc(1), timestamp: T0 }), false);
    assert.equal(b.count, 1);

    const c = new RecordBatchBuilder({ maxBytes: 200 });
    let accepted = 0;
    while (c.tryAppend({ key: Buffer.from('key'), value: Buffer.from('0123456789'), timestamp: T0 })) accepted++;
    assert.ok(accepted > 1);
    assert.ok(c.sizeInBytes <= 200, `size ${c.sizeInBytes} stays under maxBytes`);
    const batch = c.build();
    assert.equal(batch.length, c.sizeInBytes);
    assert.equal(decodeRecordBatches(batch)[0].records.length, c.count);
  });

  test('build() is final: same buffer again, no more appends, no empty batches', () => {
    const b = new RecordBatchBuilder();
    assert.throws(() => b.build(), { code: 'INVALID_RECORD' });
    b.tryAppend({ key: null, value: Buffer.from('x'), timestamp: T0 });
    const first = b.build();
    assert.equal(b.build(), first);
    assert.throws(() => b.tryAppend({ key: null, value: null, timestamp: T0 }), { code: 'INVALID_STATE' });
    assert.throws(() => new RecordBatchBuilder().tryAppend({ key: null, value: null, timestamp: 1.5 }), { code: 'INVALID_TIMESTAMP' });
  });

  test('matches kafkajs byte for byte given kafkajs-style producer fields', async () => {
    const b = new RecordBatchBuilder({ producerEpoch: 0, baseSequence: 0 });
    b.tryAppend({ key: Buffer.from('a'), value: Buffer.from('1'), timestamp: T0, headers: [{ key: 'x', value: Buffer.from('y') }] });
    b.tryAppend({ key: Buffer.from('b'), value: Buffer.from('2'), timestamp: T0 + 7 });
    const theirs = await KjsRecordBatch({
      firstTimestamp: T0, maxTimestamp: T0 + 7, lastOffsetDelta: 1,
      records: [
        KjsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('a'), value: Buffer.from('1'), headers: { x: Buffer.from('y') } }),
        KjsRecord({ offsetDelta: 1, timestampDelta: 7, key: Buffer.from('b'), value: Buffer.from('2') }),
      ],
    });
    assert.equal(hex(b.build()), hex(theirs.buffer));
  });
});

describe('decodeRecordBatches on batches encoded by kafkajs', () => {
  for (const compression of [0, 1]) {
    test(`compression ${compression === 1 ? 'gzip' : 'none'}`, async () => {
      const records = [
        KjsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('hello'), headers: { h1: Buffer.from('v1'), h2: [Buffer.from('a'), Buffer.from('b')] } }),
        KjsRecord({ offsetDelta: 1, timestampDelta: 250, key: null, value: Buffer.from('wörld') }),
        KjsRecord({ offsetDelta: 2, timestampDelta: 100, key: Buffer.from('k2'), value: null }),
      ];
      const enc = await KjsRecordBatch({
        compression, firstOffset: '5000', firstTimestamp: T0, maxTimestamp: T0 + 250,
        partitionLeaderEpoch: 0, lastOffsetDelta: 2, producerId: '77', producerEpoch: 2, firstSequence: 9,
        transactional: true, records,
      });
      const [d] = decodeRecordBatches(enc.buffer);
      assert.equal(d.baseOffset, 5000);
      assert.equal(d.compression, compression);
      assert.equal(d.isTransactional, true);
      assert.equal(d.producerId, 77n);
      assert.equal(d.producerEpoch, 2);
      assert.equal(d.baseSequence, 9);
      assert.equal(d.recordsCount, 3);
      assert.equal(d.maxTimestamp, T0 + 250);
      assert.deepEqual(d.records, [
        { offset: 5000, timestamp: T0, key: Buffer.from('k0'), value: Buffer.from('hello'),
          headers: [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: Buffer.from('a') }, { key: 'h2', value: Buffer.from('b') }] },
        { offset: 5001, timestamp: T0 + 250, key: null, value: Buffer.from('wörld'), headers: [] },
        { offset: 5002, timestamp: T0 + 100, key: Buffer.from('k2'), value: null, headers: [] },
      ]);
    });
  }
});

describe('RECORDS blobs with several, partial, legacy and corrupt batches', () => {
  test('a truncated trailing batch is skipped, whatever the cut', () => {
    const a = smallBatch(2);
    const b = smallBatch(3);
    b.writeBigInt64BE(2n, OFF_BASE_OFFSET);
    const both = Buffer.concat([a, b]);
    const all = decodeRecordBatches(both);
    assert.deepEqual(all.map((d) => d.records.map((r) => r.offset)), [[0, 1], [2, 3, 4]]);
    for (let cut = a.length; cut < both.length; cut++) {
      const got = decodeRecordBatches(both.subarray(0, cut));
      assert.equal(got.length, 1, `cut at ${cut}`);
      assert.equal(got[0].records.length, 2);
    }
    for (let cut = 0; cut < a.length; cut++) assert.deepEqual(decodeRecordBatches(both.subarray(0, cut)), []);
  });

  test('batches with a magic other than 2 are skipped', () => {
    // A magic-1 message: Offset INT64, MessageSize INT32, Crc INT32, Magic INT8 (1), Attributes INT8,
    // Timestamp INT64, Key BYTES (-1), Value BYTES ("old").
    const legacy = Buffer.alloc(12 + 4 + 1 + 1 + 8 + 4 + 4 + 3);
    legacy.writeInt32BE(legacy.length - 12, 8);
    legacy.writeInt8(1, OFF_MAGIC);
    legacy.writeInt32BE(-1, 26);
    legacy.writeInt32BE(3, 30);
    legacy.write('old', 34);
    const got = decodeRecordBatches(Buffer.concat([legacy, smallBatch(1)]));
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].records[0].value, Buffer.from('v0'));
  });

  test('validateBatch and the decoder reject a flipped byte anywhere under the CRC', () => {
    const batch = smallBatch(4);
    for (let i = OFF_CRC; i < batch.length; i++) {
      const bad = Buffer.from(batch);
      bad[i] ^= 0x01;
      const problem = validateBatch(bad, 0, bad.length);
      assert.ok(problem, `flip at byte ${i} detected`);
      assert.throws(() => decodeRecordBatches(bad), { code: 'CORRUPT_MESSAGE' }, `flip at byte ${i} fails decoding`);
    }
    // BaseOffset and PartitionLeaderEpoch are outside the CRC: rewriting them keeps the batch valid.
    const moved = Buffer.from(batch);
    moved.writeBigInt64BE(99n, 0);
    moved.writeInt32BE(7, 12);
    assert.equal(validateBatch(moved, 0, moved.length), null);
  });

  test('checkCrcs: false decodes a batch whose CRC is wrong', () => {
    const batch = smallBatch(1);
    batch.writeUInt32BE(0, OFF_CRC);
    assert.throws(() => decodeRecordBatches(batch), { code: 'CORRUPT_MESSAGE' });
    assert.equal(decodeRecordBatches(batch, { checkCrcs: false })[0].records.length, 1);
  });

  test('a batch length too small for a header is corrupt, not an endless loop', () => {
    const bad = Buffer.alloc(20);
    bad.writeInt32BE(0, 8);
    assert.throws(() => decodeRecordBatches(bad), { code: 'CORRUPT_MESSAGE' });
    const short = Buffer.alloc(40);
    short.writeInt32BE(28, 8);
    short.writeInt8(2, OFF_MAGIC);
    assert.throws(() => decodeRecordBatches(short), { code: 'CORRUPT_MESSAGE' });
  });

  test('a RecordsCount larger than the records present is corrupt', () => {
    const batch = smallBatch(2);
    batch.writeInt32BE(3, OFF_RECORDS_COUNT);
    writeCrc(batch);
    assert.throws(() => decodeRecordBatches(batch), { code: 'CORRUPT_MESSAGE' });
  });
});

describe('batch attributes', () => {
  // snappy and lz4 are decoded (decompress.test.ts); uncompressed bytes marked with them are corrupt.
  for (const [codec, name] of [[2, 'snappy'], [3, 'lz4']] as const) {
    test(`${name}-marked bytes that are not ${name} data are CORRUPT_MESSAGE naming the codec`, () => {
      const batch = smallBatch(1);
      batch.writeInt16BE(codec, OFF_ATTRIBUTES);
      writeCrc(batch);
      assert.throws(() => decodeRecordBatches(batch), (err: any) => {
        assert.equal(err.code, 'CORRUPT_MESSAGE');
        assert.match(err.message, new RegExp(`${name} data is invalid`));
        return true;
      });
    });
  }
  for (const [codec, name] of [[4, 'zstd'], [5, 'codec 5']] as const) {
    test(`${name} throws UNSUPPORTED_COMPRESSION_TYPE naming the codec`, () => {
      const batch = smallBatch(1);
      batch.writeInt16BE(codec, OFF_ATTRIBUTES);
      writeCrc(batch);
      assert.throws(() => decodeRecordBatches(batch), (err: any) => {
        assert.equal(err.name, 'MqError');
        assert.equal(err.code, 'UNSUPPORTED_COMPRESSION_TYPE');
        assert.match(err.message, new RegExp(name));
        return true;
      });
    });
  }

  test('LogAppendTime: every record takes the batch MaxTimestamp', () => {
    const batch = smallBatch(3);
    const appendTime = T0 + 60_000;
    batch.writeInt16BE(0x08, OFF_ATTRIBUTES);
    batch.writeBigInt64BE(BigInt(appendTime), OFF_MAX_TIMESTAMP);
    writeCrc(batch); // both fields are inside the CRC, as Kafka's setMaxTimestamp does
    assert.equal(validateBatch(batch, 0, batch.length), null);
    const [d] = decodeRecordBatches(batch);
    assert.equal(d.timestampType, 1);
    assert.deepEqual(d.records.map((r) => r.timestamp), [appendTime, appendTime, appendTime]);
  });

  test('control and transactional flags', () => {
    const batch = smallBatch(1, { producerId: 5n, producerEpoch: 1 });
    batch.writeInt16BE(0x30, OFF_ATTRIBUTES);
    writeCrc(batch);
    const [d] = decodeRecordBatches(batch);
    assert.equal(d.isControl, true);
    assert.equal(d.isTransactional, true);
    assert.equal(d.attributes, 0x30);
  });
});
