// The allocation-free batch encoder of the producer's hot path: a buffer handed in is encoded into
// (and reused for the next batch), a record larger than it grows it, and every batch decodes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';

const T0 = 1_700_000_000_000;

test('batches encoded into one reused buffer decode to their own records', () => {
  const buffer = Buffer.alloc(4096, 0xee);
  for (let round = 0; round < 3; round++) {
    const b = new RecordBatchBuilder({ maxBytes: 4096, buffer });
    let n = 0;
    while (b.append(round === 1 ? null : Buffer.from(`k${n}`), Buffer.from(`r${round}-v${n}`), n % 2 ? [{ key: 'h', value: Buffer.from([n]) }] : undefined, T0 + n * 1000)) n++;
    const bytes = b.build();
    assert.equal(bytes.buffer, buffer.buffer, 'no new memory for the batch');
    assert.ok(bytes.length <= 4096);
    const [batch] = decodeRecordBatches(Buffer.from(bytes));
    assert.equal(batch.records.length, n);
    assert.equal(batch.maxTimestamp, T0 + (n - 1) * 1000);
    for (let i = 0; i < n; i++) {
      const r = batch.records[i];
      assert.equal(r.value!.toString(), `r${round}-v${i}`);
      assert.equal(r.key?.toString() ?? null, round === 1 ? null : `k${i}`);
      assert.equal(r.timestamp, T0 + i * 1000);
      assert.deepEqual(r.headers, i % 2 ? [{ key: 'h', value: Buffer.from([i]) }] : []);
    }
  }
});

test('a first record larger than the buffer grows it; values of every size round-trip; far timestamps use VARLONG', () => {
  const b = new RecordBatchBuilder({ maxBytes: 1024, buffer: Buffer.alloc(256) });
  const big = Buffer.alloc(100_000, 7);
  assert.equal(b.append(null, big, undefined, T0), true);
  assert.equal(b.append(null, Buffer.from('x'), undefined, T0 + 2 ** 40), false, 'the batch is past maxBytes');
  assert.ok(b.buffer.length >= 100_000);
  const [batch] = decodeRecordBatches(b.build());
  assert.deepEqual(batch.records[0].value, big);

  const c = new RecordBatchBuilder({ maxBytes: 1 << 20 });
  const sizes = [0, 1, 63, 64, 127, 128, 5000];
  sizes.forEach((s, i) => assert.equal(c.append(null, Buffer.alloc(s, i + 1), undefined, T0 + i * 2 ** 33), true));
  const [d] = decodeRecordBatches(c.build());
  assert.deepEqual(d.records.map((r) => r.value!.length), sizes);
  assert.deepEqual(d.records.map((r) => r.value![0] ?? 0), sizes.map((s, i) => (s === 0 ? 0 : i + 1)));
  assert.deepEqual(d.records.map((r) => r.timestamp), sizes.map((_, i) => T0 + i * 2 ** 33));
});
