// batchRenderer (mq consume's one-Buffer-per-answer output) against the general path it replaces:
// decodeFetchedRecords, then compileFormat / recordJson per record, joined and encoded as UTF-8. Byte
// for byte, over keys, headers, empty and null keys and values, bytes that are not UTF-8 (alone, and
// split across a key and a value), gzip, LogAppendTime and control batches, every fetch offset, -c
// budgets, and a corrupt batch after good ones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchRenderer } from '../../../src/cli/batch-render.js';
import { compileFormat } from '../../../src/cli/format.js';
import { recordJson } from '../../../src/cli/record-json.js';
import type { ConsumedRecord } from '../../../src/client/types.js';
import { decodeFetchedRecords } from '../../../src/protocol/fetched-records.js';
import type { BatchRecordInput } from '../../../src/protocol/record-batch-builder.js';
import { builtBatch } from '../../helpers/built-batch.js';

const T0 = 1_700_000_000_000;
const TOPIC = 'orders';
const PARTITION = 7;
const FORMATS = [
  '%v\\n', '%s\\n', '%k\\t%v\\n', '%p:%o %k=%v\\n', '%t/%p@%o %T [%k]=[%v] %h s=%s S=%S K=%K\\n', '%v%v|%k%k\\n', '%h', '100%% \\r\\n', '',
];

const batch = builtBatch;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Plain text records: keys, headers, empty and null keys and values, multi-byte characters. */
function textRecords(n: number, seed: number): BatchRecordInput[] {
  return Array.from({ length: n }, (_, i) => {
    const s = seed + i;
    return {
      key: s % 5 === 0 ? null : s % 5 === 1 ? Buffer.alloc(0) : utf8(`key-${s}`),
      value: s % 7 === 0 ? null : s % 7 === 1 ? Buffer.alloc(0) : utf8(`välue ${s} `.repeat(1 + (s % 30))),
      headers: s % 4 === 0 ? [] : [{ key: `h${s}`, value: s % 3 === 0 ? null : utf8(`x${s}`) }, { key: 'é', value: Buffer.alloc(0) }],
      timestamp: T0 + [0, 5, 100, 70_000, 2 ** 29, -3][s % 6],
    };
  });
}

/** The general path: a record object each, rendered to a string, the strings joined as UTF-8. */
function general(fmt: string | null, data: Buffer, fetchOffset: number, limit = Infinity): { bytes: Buffer; count: number; nextOffset: number } {
  const records: ConsumedRecord[] = [];
  let { nextOffset } = decodeFetchedRecords(data, TOPIC, PARTITION, fetchOffset, records, { partial: true });
  if (records.length > limit) {
    records.length = limit;
    nextOffset = records[limit - 1].offset + 1;
  }
  const render = fmt === null ? recordJson : compileFormat(fmt);
  return { bytes: utf8(records.map(render).join('')), count: records.length, nextOffset };
}

function rendered(fmt: string | null, data: Buffer, fetchOffset: number, limit = Infinity): { bytes: Buffer; count: number; nextOffset: number } {
  const budget = { left: limit };
  const d = batchRenderer(fmt, budget)(data, TOPIC, PARTITION, fetchOffset);
  assert.equal(budget.left, limit - d.count);
  return { bytes: d.value, count: d.count, nextOffset: d.nextOffset };
}

function same(fmt: string | null, data: Buffer, fetchOffset: number, limit?: number): void {
  const want = general(fmt, data, fetchOffset, limit);
  const got = rendered(fmt, data, fetchOffset, limit);
  assert.equal(got.count, want.count, `${fmt} from ${fetchOffset}: count`);
  assert.equal(got.nextOffset, want.nextOffset, `${fmt} from ${fetchOffset}: nextOffset`);
  assert.ok(got.bytes.equals(want.bytes), `${fmt} from ${fetchOffset}:\n got ${JSON.stringify(got.bytes.toString('latin1'))}\nwant ${JSON.stringify(want.bytes.toString('latin1'))}`);
}

/** Plain, gzip, LogAppendTime and control batches back to back. */
function answer(): Buffer {
  return Buffer.concat([
    batch(10, textRecords(6, 1)),
    batch(16, textRecords(40, 7), { gzip: true }),
    batch(56, [{ key: null, value: utf8('commit marker'), headers: [], timestamp: T0 }], { control: true }),
    batch(57, textRecords(9, 50), { logAppendTime: T0 + 123 }),
  ]);
}

describe('batchRenderer renders what compileFormat / recordJson render, byte for byte', () => {
  for (const fmt of [...FORMATS, null]) {
    test(`${fmt === null ? '--json' : JSON.stringify(fmt)} from every fetch offset`, () => {
      const data = answer();
      for (let from = 9; from <= 67; from++) same(fmt, data, from);
    });
  }

  test('-c budgets stop inside a batch and say where the next record is', () => {
    const data = answer();
    for (const fmt of ['%v\\n', '%p:%o %k=%v\\n', null]) {
      for (const limit of [1, 5, 6, 7, 30, 46, 55]) same(fmt, data, 10, limit);
    }
  });

  test('bytes that are not UTF-8 come out as the general path prints them (U+FFFD)', () => {
    const odd: BatchRecordInput[] = [
      { key: null, value: Buffer.from([0x61, 0xff, 0x62]), headers: [], timestamp: T0 }, // invalid byte inside
      { key: Buffer.from([0x6b, 0xc3]), value: Buffer.from([0xa9, 0x76]), headers: [], timestamp: T0 }, // é split over key and value
      { key: null, value: Buffer.from([0x80]), headers: [{ key: 'k', value: Buffer.from([0xe2, 0x82]) }], timestamp: T0 },
      { key: null, value: utf8('plain'), headers: [], timestamp: T0 },
    ];
    const data = batch(0, odd);
    for (const fmt of [...FORMATS, null]) same(fmt, data, 0);
    // The second record alone: valid UTF-8 only when the key and value are joined, so the general path wins.
    assert.equal(rendered('%k%v\\n', data, 1, 1).bytes.toString(), 'k\uFFFD\uFFFDv\n');
  });

  test('a corrupt batch after good ones: the good records are rendered, the next fetch starts at the bad batch', () => {
    const bad = batch(6, textRecords(3, 9));
    bad[bad.length - 1] ^= 0xff; // CRC no longer matches
    const data = Buffer.concat([batch(0, textRecords(6, 3)), bad]);
    for (const fmt of ['%v\\n', null]) {
      same(fmt, data, 0);
      assert.equal(rendered(fmt, data, 0).nextOffset, 6);
      assert.throws(() => rendered(fmt, data, 6), /orders-7: record batch at offset 6 failed its CRC-32C check/);
    }
  });

  test('an answer with only a partial batch renders nothing', () => {
    const whole = batch(0, textRecords(5, 1));
    const d = rendered('%v\\n', whole.subarray(0, whole.length - 1), 0);
    assert.deepEqual({ count: d.count, nextOffset: d.nextOffset, bytes: d.bytes.length }, { count: 0, nextOffset: 0, bytes: 0 });
  });
});
