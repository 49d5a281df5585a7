// decodeFetchedRecords (the consumer's decoding path) against decodeRecordBatches plus the filtering the
// fetcher did before (records at or above the fetch offset, no control batches, fetch offset past each
// batch): same records, same next offset, same errors, over varied records, gzip, LogAppendTime,
// control batches, every fetch offset, every truncation and every flipped byte.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCrc } from '../../../src/protocol/batch-header.js';
import type { BatchRecordInput } from '../../../src/protocol/record-batch-builder.js';
import { builtBatch } from '../../helpers/built-batch.js';
import { decodeFetchedRecords, type FetchedRecord } from '../../../src/protocol/fetched-records.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';

const T0 = 1_700_000_000_000;
const TOPIC = 'orders';
const PARTITION = 3;

/** What the fetcher computed from decodeRecordBatches before decodeFetchedRecords existed. */
function reference(buf: Buffer, fetchOffset: number): { records: FetchedRecord[]; nextOffset: number; batches: number } {
  const batches = decodeRecordBatches(buf);
  const records: FetchedRecord[] = [];
  let next = fetchOffset;
  for (const b of batches) {
    const batchNext = b.baseOffset + b.lastOffsetDelta + 1;
    if (batchNext <= next) continue;
    if (!b.isControl) {
      for (const r of b.records) {
        if (r.offset < next) continue;
        records.push({
          topic: TOPIC, partition: PARTITION, offset: r.offset, timestamp: r.timestamp, timestampType: b.timestampType,
          key: r.key, value: r.value, headers: r.headers,
        });
      }
    }
    next = Math.max(next, batchNext);
  }
  return { records, nextOffset: next, batches: batches.length };
}

function fetched(buf: Buffer, fetchOffset: number): { records: FetchedRecord[]; nextOffset: number; batches: number } {
  const records: FetchedRecord[] = [];
  const { nextOffset, batches } = decodeFetchedRecords(buf, TOPIC, PARTITION, fetchOffset, records);
  return { records, nextOffset, batches };
}

/** Outcome of `f` as a comparable value: its result, or the error code it threw. */
function outcome<T>(f: () => T): T | { error: string } {
  try {
    return f();
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Records with lengths across the 1-, 2- and 3-byte VARINT encodings, null and empty keys/values, headers. */
function records(n: number, seed: number): BatchRecordInput[] {
  const sizes = [0, 1, 63, 64, 100, 8191, 8192, 20000];
  const out: BatchRecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const s = seed + i;
    out.push({
      key: s % 5 === 0 ? null : bytes(sizes[s % 3], s),
      value: s % 7 === 0 ? null : bytes(sizes[s % sizes.length], s + 1),
      headers: s % 4 === 0 ? [] : [{ key: `h${s}`, value: s % 3 === 0 ? null : bytes(s % 70, s + 2) }, { key: 'é', value: Buffer.alloc(0) }],
      // Deltas that need 1 byte, 2 bytes and (past 2^28 ms) the VARLONG path; one before the first.
      timestamp: T0 + [0, 5, 100, 70_000, 2 ** 29, -3][s % 6],
    });
  }
  return out;
}

const batch = builtBatch;

/** A fetch answer: plain, gzip, LogAppendTime and control batches back to back. */
function answer(): Buffer {
  return Buffer.concat([
    batch(10, records(6, 1)),
    batch(16, records(4, 20), { gzip: true }),
    batch(20, records(1, 30), { control: true }),
    batch(21, records(5, 40), { logAppendTime: T0 + 999 }),
    batch(26, records(3, 50)),
  ]);
}

describe('decodeFetchedRecords', () => {
  test('matches decodeRecordBatches + the fetch-offset filter at every fetch offset', () => {
    const buf = answer();
    for (let offset = 0; offset <= 31; offset++) {
      const want = reference(buf, offset);
      const got = fetched(buf, offset);
      assert.deepEqual(got, want, `fetch offset ${offset}`);
    }
    const all = fetched(buf, 10);
    assert.equal(all.records.length, 6 + 4 + 5 + 3, 'the control batch hands out nothing');
    assert.equal(all.nextOffset, 29);
    assert.equal(all.batches, 5);
    assert.ok(all.records.slice(10, 15).every((r) => r.timestamp === T0 + 999 && r.timestampType === 1));
    assert.deepEqual(all.records.map((r) => r.offset), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 28]);
  });

  test('the same at every truncation (a partial trailing batch is left for the next fetch)', () => {
    const buf = answer();
    for (let cut = 0; cut <= buf.length; cut += cut < 200 ? 1 : 97) {
      const part = buf.subarray(0, cut);
      assert.deepEqual(fetched(part, 12), reference(part, 12), `cut at ${cut}`);
    }
    assert.deepEqual(fetched(Buffer.alloc(0), 7), { records: [], nextOffset: 7, batches: 0 });
  });

  test('the same outcome, result or error, for a flipped byte anywhere', () => {
    const buf = Buffer.concat([batch(0, records(3, 60)), batch(3, records(2, 70), { gzip: true })]);
    for (let i = 0; i < buf.length; i++) {
      const bad = Buffer.from(buf);
      bad[i] ^= 0x41;
      assert.deepEqual(outcome(() => fetched(bad, 1)), outcome(() => reference(bad, 1)), `flip at byte ${i}`);
    }
  });

  test('the same outcome for malformed records under a valid CRC', () => {
    const good = batch(0, records(3, 80));
    for (let i = 61; i < good.length; i++) {
      for (const v of [0x00, 0x7f, 0x80, 0xff]) {
        const bad = Buffer.from(good);
        bad[i] = v;
        writeCrc(bad);
        assert.deepEqual(outcome(() => fetched(bad, 0)), outcome(() => reference(bad, 0)), `byte ${i} = ${v}`);
      }
    }
  });
});
