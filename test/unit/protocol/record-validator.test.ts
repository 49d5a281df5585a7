// Record validation on produce (record-validator.ts): sound batches pass (uncompressed, gzip, keys,
// headers, kafkajs' encoding); counts that lie, garbage records and compression bombs are refused with
// a message naming the problem; and whatever the validator accepts, the consumer's decoder can read.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { validateBatch, writeCrc, BATCH_HEADER_BYTES } from '../../../src/protocol/batch-header.js';
import { decodeFetchedRecords } from '../../../src/protocol/fetched-records.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { decompressedLimit, validateRecords, DECOMPRESSION_RATIO, MAX_DECOMPRESSED_BYTES } from '../../../src/protocol/record-validator.js';
import { lz4Decompress } from '../../../src/protocol/lz4.js';
import { snappyDecompress } from '../../../src/protocol/snappy.js';
import { batchOf, gzipBomb, lz4Bomb, withBody, withBodyFilled, withRecordsCount } from '../../helpers/hostile-batches.js';
import { fillerBatch } from '../../helpers/filler-batch.js';

const LIMIT = decompressedLimit(1_048_588);

function check(batch: Buffer, limit = LIMIT): ReturnType<typeof validateRecords> {
  assert.equal(validateBatch(batch, 0, batch.length), null, 'the header and CRC are sound');
  return validateRecords(batch, batch.length, limit);
}

function built(n: number, opts: { compression?: 'none' | 'gzip'; headers?: boolean; keys?: boolean } = {}): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 22, compression: opts.compression ?? 'none' });
  for (let i = 0; i < n; i++) {
    b.tryAppend({
      key: opts.keys ? Buffer.from(`key-${i}`) : null,
      value: i % 7 === 3 ? null : Buffer.from(`value ${i} `.repeat(i % 20)),
      headers: opts.headers ? [{ key: 'h', value: Buffer.from('v') }, { key: `n${i}`, value: null }] : [],
      timestamp: 1_700_000_000_000 + i * 1000,
    });
  }
  return b.build();
}

describe('validateRecords accepts sound batches', () => {
  for (const n of [1, 2, 63, 64, 200, 9000]) {
    test(`${n} records, uncompressed and gzip, with keys and headers`, () => {
      assert.equal(check(built(n)), null);
      assert.equal(check(built(n, { keys: true, headers: true })), null);
      assert.equal(check(built(n, { compression: 'gzip', keys: true, headers: true })), null);
    });
  }

  test('batches encoded by kafkajs (its own record encoder, gzip too)', async () => {
    const require = createRequire(import.meta.url);
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
    for (const compression of [0, 1]) {
      const records = Array.from({ length: 50 }, (_, i) => Record({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: { a: Buffer.from('b') } }));
      const enc = await RecordBatch({
        compression, firstOffset: '0', firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_049,
        partitionLeaderEpoch: 0, lastOffsetDelta: 49, producerId: '-1', producerEpoch: 0, firstSequence: 0, records,
      });
      assert.equal(check(enc.buffer), null);
    }
  });

  test('the test helper fillerBatch writes records the validator accepts', () => {
    for (const records of [1, 2, 5, 10]) assert.equal(check(fillerBatch({ records, sizeBytes: 200, decodable: true })), null);
  });
});

describe('validateRecords refuses', () => {
  const refused = (batch: Buffer, code: string, re: RegExp, limit = LIMIT): void => {
    const p = check(batch, limit);
    assert.ok(p, 'refused');
    assert.equal(p.code, code);
    assert.match(p.message, re);
  };

  test('a batch claiming 2^31-1 records that holds one (INVALID_RECORD)', () => {
    refused(withRecordsCount(batchOf(['only']), 2 ** 31 - 1), 'INVALID_RECORD', /claims 2147483647 records but holds 1/);
  });

  test('a batch claiming fewer records than it holds: the bytes left over', () => {
    refused(withRecordsCount(batchOf(['a', 'b', 'c']), 2), 'INVALID_RECORD', /bytes follow the last of the batch's 2 records/);
  });

  test('a body of 0xFF bytes, and of 0x00 bytes', () => {
    refused(withBodyFilled(batchOf(['x'.repeat(200)]), 0xff), 'INVALID_RECORD', /record 0: Length is a varint longer than 5 bytes/);
    refused(withBodyFilled(batchOf(['x'.repeat(200)]), 0x00), 'INVALID_RECORD', /record 0: Length 0 is shorter than any record/);
  });

  test('offset deltas out of order', () => {
    const b = batchOf(['a', 'b']);
    // record 1's OffsetDelta sits after its Length (1 byte), Attributes and TimestampDelta (1 byte each)
    const second = BATCH_HEADER_BYTES + 1 + b[BATCH_HEADER_BYTES] / 2;
    assert.equal(b[second + 3], 2, 'OffsetDelta 1 (zigzag 2)');
    b[second + 3] = 4;
    writeCrc(b);
    refused(b, 'INVALID_RECORD', /record 1: OffsetDelta 2, expected 1/);
  });

  test('lengths that run past the record, negative lengths, a null header key, impossible header counts', () => {
    // One record by hand: Length, Attributes, TimestampDelta, OffsetDelta, Key, Value, Headers.
    const rec = (fields: number[]): Buffer => withBody(Buffer.from([fields.length * 2, ...fields]), 0);
    assert.equal(check(rec([0, 0, 0, 1, 2, 0x61, 0])), null, 'the well-formed one');
    refused(rec([0, 0, 0, 1, 20, 0x61, 0]), 'INVALID_RECORD', /record 0: ValueLength 10 runs past the end of its record/);
    refused(rec([0, 0, 0, 3, 2, 0x61, 0]), 'INVALID_RECORD', /record 0: KeyLength -2 is negative/);
    refused(rec([0, 0, 0, 1, 2, 0x61, 0x7f]), 'INVALID_RECORD', /HeadersCount -64 cannot fit/);
    refused(rec([0, 0, 0, 1, 2, 0x61, 0x7e]), 'INVALID_RECORD', /HeadersCount 63 cannot fit in 0 bytes/);
    refused(rec([0, 0, 0, 1, 2, 0x61, 2, 1, 1]), 'INVALID_RECORD', /HeaderKeyLength -1 is negative/);
    refused(rec([0, 0, 0, 1, 2, 0x61, 0, 0]), 'INVALID_RECORD', /record 0: 1 bytes left between its fields and its Length/);
    refused(withBody(Buffer.from([40, 0, 0, 0, 1, 2, 0x61, 0]), 0), 'INVALID_RECORD', /Length 20 runs past the end of the batch/);
  });

  test('gzip data that is not gzip, and a gzip bomb over the limit (CORRUPT_MESSAGE)', () => {
    refused(withBody(Buffer.from('not gzip at all'), 1), 'CORRUPT_MESSAGE', /gzip data is invalid/);
    const bomb = gzipBomb(80);
    assert.ok(bomb.length < 100_000, `a ${bomb.length}-byte batch`);
    refused(bomb, 'CORRUPT_MESSAGE', /gzip data inflates to more than 67109632 bytes/);
    assert.equal(check(bomb, 100 << 20), null, 'the same batch under a higher limit is sound');
  });

  test('gzip records that lie about their count are refused like uncompressed ones', () => {
    const body = gzipSync(batchOf(['a']).subarray(BATCH_HEADER_BYTES));
    refused(withBody(body, 1, 5), 'INVALID_RECORD', /gzip records: the batch claims 5 records but holds 1/);
  });

  test('an lz4 bomb over the limit (CORRUPT_MESSAGE), lz4 and snappy over their output limit', () => {
    refused(lz4Bomb(20), 'CORRUPT_MESSAGE', /lz4 data inflates to more than 67109632 bytes/);
    assert.throws(() => lz4Decompress(lz4Bomb(2).subarray(BATCH_HEADER_BYTES), 5 << 20), /lz4 data inflates to more than 5242880 bytes/);
    assert.equal(lz4Decompress(lz4Bomb(2).subarray(BATCH_HEADER_BYTES), 9 << 20).length, 2 * (4 * 1024 * 1024 - 2 + 1));
    const snappy = Buffer.from([33 + 1, (3 - 1) << 2, 0x61, 0x62, 0x63, ((30 - 1) << 2) | 2, 3, 0, 0, 0x21]);
    assert.equal(snappyDecompress(snappy, 34).length, 34);
    assert.throws(() => snappyDecompress(snappy, 33), /snappy data inflates to more than 33 bytes/);
  });

  test('zstd (not walked: Node 20 cannot inflate it) only has its count bounded by the limit', () => {
    const zstd = withBody(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 4);
    assert.equal(check(zstd), null);
    refused(withRecordsCount(zstd, 2 ** 31 - 1), 'INVALID_RECORD', /zstd records: the batch claims 2147483647 records, more than 9587090/);
  });

  test('the limit is max.message.bytes x the ratio, capped', () => {
    assert.equal(decompressedLimit(1000), 1000 * DECOMPRESSION_RATIO);
    assert.equal(decompressedLimit(100 << 20), MAX_DECOMPRESSED_BYTES);
  });
});

test('whatever the validator accepts, the consumer decodes (every byte of a batch set to 6 values)', () => {
  const base = built(12, { keys: true, headers: true });
  let accepted = 0;
  for (let i = BATCH_HEADER_BYTES; i < base.length; i++) {
    for (const v of [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff]) {
      const b = Buffer.from(base);
      if (b[i] === v) continue;
      b[i] = v;
      writeCrc(b);
      if (validateRecords(b, b.length, LIMIT) !== null) continue;
      accepted++;
      const [d] = decodeRecordBatches(b);
      assert.equal(d.records.length, 12, `byte ${i} = ${v}`);
      assert.deepEqual(d.records.map((r) => r.offset), Array.from({ length: 12 }, (_, k) => k));
    }
  }
  assert.ok(accepted > 0, 'some mutations (inside values) stay valid');
});

test('the consumer names topic, partition and offset when a batch inflates past its limit', () => {
  const bomb = gzipBomb(20);
  assert.throws(() => decodeFetchedRecords(bomb, 'bombs', 3, 0, [], { maxDecompressedBytes: 10 << 20 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CORRUPT_MESSAGE');
    assert.match(err.message, /^bombs-3: record batch at offset 0: gzip data inflates to more than 10485760 bytes/);
    return true;
  });
  assert.throws(() => decodeFetchedRecords(lz4Bomb(3), 'bombs', 0, 0, [], { maxDecompressedBytes: 10 << 20 }), /^MqError: bombs-0: record batch at offset 0: lz4 data inflates/);
});
