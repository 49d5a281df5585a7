// RecordBatchBuilder.appendRaw (records as byte ranges of one source buffer, headers encoded once)
// must write exactly the bytes append() writes for the same records, and decode back to them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecordBatchBuilder, encodeHeaders } from '../../../src/protocol/record-batch-builder.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';

interface Input { key: Buffer | null; value: Buffer; timestamp: number }

/** Records with null and non-null keys, values of every length class (below 4, odd, the native-copy threshold and beyond). */
function inputs(): Input[] {
  const out: Input[] = [];
  const lengths = [0, 1, 3, 4, 7, 100, 101, 255, 256, 257, 1000, 70_000];
  let t = 1_700_000_000_000;
  for (const [i, n] of lengths.entries()) {
    const value = Buffer.alloc(n);
    for (let j = 0; j < n; j++) value[j] = (j * 131 + i * 7) & 0xff; // high bits set too
    out.push({ key: i % 3 === 0 ? null : Buffer.from(`key-${i}-\u00e9`), value, timestamp: (t += i % 2 === 0 ? 0 : 1_000_003) });
  }
  return out;
}

/** `records` laid out in one source buffer with a separator byte between fields, as lines of a chunk are. */
function packed(records: Input[]): { src: Buffer; at: { keyStart: number; keyEnd: number; valueStart: number; valueEnd: number }[] } {
  const parts: Buffer[] = [];
  const at: { keyStart: number; keyEnd: number; valueStart: number; valueEnd: number }[] = [];
  let p = 3; // not at offset 0 of the source
  parts.push(Buffer.from('xyz'));
  for (const r of records) {
    const keyStart = r.key === null ? -1 : p;
    if (r.key !== null) { parts.push(r.key, Buffer.from(':')); p += r.key.length + 1; }
    at.push({ keyStart, keyEnd: r.key === null ? -1 : keyStart + r.key.length, valueStart: p, valueEnd: p + r.value.length });
    parts.push(r.value, Buffer.from('\n'));
    p += r.value.length + 1;
  }
  return { src: Buffer.concat(parts), at };
}

describe('RecordBatchBuilder.appendRaw', () => {
  for (const withHeaders of [false, true]) {
    test(`writes the same bytes as append() ${withHeaders ? 'with' : 'without'} headers`, () => {
      const headers = withHeaders ? [{ key: 'source', value: Buffer.from('cli') }, { key: 'n\u00fcll', value: null }] : [];
      const records = inputs();
      const { src, at } = packed(records);
      const viaObjects = new RecordBatchBuilder({ maxBytes: 1 << 20 });
      const viaRanges = new RecordBatchBuilder({ maxBytes: 1 << 20 });
      const encoded = withHeaders ? encodeHeaders(headers) : null;
      records.forEach((r, i) => {
        assert.ok(viaObjects.append(r.key, r.value, headers, r.timestamp));
        const a = at[i];
        assert.ok(viaRanges.appendRaw(src, a.keyStart, a.keyEnd, a.valueStart, a.valueEnd, encoded, r.timestamp));
      });
      const built = viaRanges.build();
      assert.deepEqual(built, viaObjects.build());
      const [batch] = decodeRecordBatches(built);
      assert.equal(batch.records.length, records.length);
      batch.records.forEach((d, i) => {
        assert.deepEqual(d.key, records[i].key);
        assert.deepEqual(d.value, records[i].value);
        assert.equal(d.timestamp, records[i].timestamp);
        assert.deepEqual(d.headers, headers);
      });
    });
  }

  test('refuses a record past maxBytes except the first, as append() does', () => {
    const src = Buffer.alloc(300, 0x61);
    const b = new RecordBatchBuilder({ maxBytes: 200 });
    assert.ok(b.appendRaw(src, -1, -1, 0, 300, null, 1), 'the first record always fits');
    assert.equal(b.appendRaw(src, -1, -1, 0, 10, null, 1), false);
    assert.equal(b.count, 1);
  });
});
