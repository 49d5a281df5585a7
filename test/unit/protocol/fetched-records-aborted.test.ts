// read_committed filtering in walkFetchedRecords / decodeFetchedRecords: with a Fetch answer's
// AbortedTransactions, a producer's transactional batches are dropped from the transaction's FirstOffset
// up to that producer's ABORT marker; committed transactions, other producers, non-transactional batches
// and a later transaction of the same producer are kept; control records are never handed out. Batches
// are made as the broker stores them: RecordBatchBuilder batches with a producer id and the
// transactional bit, markers from control-batch.ts, each placed at its base offset.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTR_TRANSACTIONAL, OFF_ATTRIBUTES, assignOffset, writeCrc } from '../../../src/protocol/batch-header.js';
import { buildControlBatch } from '../../../src/protocol/control-batch.js';
import { decodeFetchedRecords, walkFetchedRecords, type AbortedTransaction, type FetchedRecord } from '../../../src/protocol/fetched-records.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';

const T0 = 1_700_000_000_000;
const TOPIC = 'txns';
const PARTITION = 0;

/** A transactional batch of `producerId` at `baseOffset` with one record per value. */
function txnBatch(baseOffset: number, producerId: bigint, values: string[], opts: { transactional?: boolean; gzip?: boolean } = {}): Buffer {
  const b = new RecordBatchBuilder({ producerId, producerEpoch: 0, baseSequence: 0, compression: opts.gzip ? 'gzip' : 'none' });
  for (const v of values) assert.equal(b.tryAppend({ key: null, value: Buffer.from(v), timestamp: T0, headers: [] }), true);
  const buf = Buffer.from(b.build());
  if (opts.transactional ?? true) buf.writeInt16BE(buf.readInt16BE(OFF_ATTRIBUTES) | ATTR_TRANSACTIONAL, OFF_ATTRIBUTES);
  assignOffset(buf, baseOffset, 0);
  writeCrc(buf);
  return buf;
}

/** The COMMIT or ABORT marker of `producerId` at `offset`. */
function marker(offset: number, producerId: bigint, commit: boolean): Buffer {
  const buf = buildControlBatch({ producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestampMs: T0 });
  assignOffset(buf, offset, 0);
  writeCrc(buf);
  return buf;
}

function values(buf: Buffer, fetchOffset: number, aborted?: AbortedTransaction[] | null): { values: string[]; offsets: number[]; nextOffset: number } {
  const out: FetchedRecord[] = [];
  const res = decodeFetchedRecords(buf, TOPIC, PARTITION, fetchOffset, out, { aborted });
  return { values: out.map((r) => r.value!.toString()), offsets: out.map((r) => r.offset), nextOffset: res.nextOffset };
}

const P1 = 1000n;
const P2 = 2000n;

// Offsets: 0-1 P1 committed txn (marker 2), 3-4 P2 aborted (marker 5), 6 plain record,
// 7 P1 aborted (interleaved with 8 P2 committed), 9 P1 abort marker, 10 P2 commit marker, 11-12 P1 committed (marker 13).
const LOG = Buffer.concat([
  txnBatch(0, P1, ['c1', 'c2']),
  marker(2, P1, true),
  txnBatch(3, P2, ['a1', 'a2'], { gzip: true }),
  marker(5, P2, false),
  txnBatch(6, -1n, ['plain'], { transactional: false }),
  txnBatch(7, P1, ['a3']),
  txnBatch(8, P2, ['c3']),
  marker(9, P1, false),
  marker(10, P2, true),
  txnBatch(11, P1, ['c4', 'c5']),
  marker(13, P1, true),
]);
const ABORTED: AbortedTransaction[] = [{ producerId: P1, firstOffset: 7n }, { producerId: P2, firstOffset: 3n }];

describe('read_committed: records of aborted transactions', () => {
  test('read_committed drops exactly the aborted transactions and no control record shows', () => {
    const r = values(LOG, 0, ABORTED);
    assert.deepEqual(r.values, ['c1', 'c2', 'plain', 'c3', 'c4', 'c5']);
    assert.deepEqual(r.offsets, [0, 1, 6, 8, 11, 12]);
    assert.equal(r.nextOffset, 14);
  });

  test('read_uncommitted (no list) hands out every data record, still no control records', () => {
    for (const aborted of [undefined, null, []]) {
      const r = values(LOG, 0, aborted);
      assert.deepEqual(r.values, ['c1', 'c2', 'a1', 'a2', 'plain', 'a3', 'c3', 'c4', 'c5']);
      assert.equal(r.nextOffset, 14);
    }
  });

  test('from every fetch offset, read_committed gives the same records as from 0 filtered by offset', () => {
    const all = values(LOG, 0, ABORTED);
    for (let from = 0; from <= 14; from++) {
      const r = values(LOG, from, ABORTED);
      const want = all.offsets.map((o, i) => [o, all.values[i]] as const).filter(([o]) => o >= from);
      assert.deepEqual(r.values, want.map(([, v]) => v), `from ${from}`);
      assert.equal(r.nextOffset, Math.max(from, 14), `from ${from}`);
    }
  });

  test('an aborted transaction still open at the end of the answer (its marker in the next) is dropped', () => {
    const head = Buffer.concat([txnBatch(0, P1, ['c1']), marker(1, P1, true), txnBatch(2, P1, ['a1', 'a2'])]);
    const r = values(head, 0, [{ producerId: P1, firstOffset: 2n }]);
    assert.deepEqual(r.values, ['c1']);
    assert.equal(r.nextOffset, 4, 'the fetch offset still moves past the dropped batch');
  });

  test('the same producer\'s next transaction after its ABORT marker is kept', () => {
    const log = Buffer.concat([txnBatch(0, P1, ['a1']), marker(1, P1, false), txnBatch(2, P1, ['c1']), marker(3, P1, true)]);
    assert.deepEqual(values(log, 0, [{ producerId: P1, firstOffset: 0n }]).values, ['c1']);
  });

  test('an entry whose FirstOffset lies past the batch does not drop it (the order of the list does not matter)', () => {
    const log = Buffer.concat([txnBatch(0, P1, ['c1']), marker(1, P1, true), txnBatch(2, P1, ['a1']), marker(3, P1, false)]);
    assert.deepEqual(values(log, 0, [{ producerId: P2, firstOffset: 0n }, { producerId: P1, firstOffset: 2n }]).values, ['c1']);
    assert.deepEqual(values(log, 0, [{ producerId: P1, firstOffset: 2n }, { producerId: P2, firstOffset: 0n }]).values, ['c1']);
  });

  test('a non-transactional batch of a listed producer id is not dropped', () => {
    const log = Buffer.concat([txnBatch(0, P1, ['a1']), txnBatch(1, P1, ['idem'], { transactional: false }), marker(2, P1, false)]);
    assert.deepEqual(values(log, 0, [{ producerId: P1, firstOffset: 0n }]).values, ['idem']);
  });

  test('the cursor walk (the CLI renderer\'s path) sees the same records', () => {
    const seen: number[] = [];
    const res = walkFetchedRecords(LOG, TOPIC, PARTITION, 0, (c) => { seen.push(c.offset); return true; }, { aborted: ABORTED });
    assert.deepEqual(seen, [0, 1, 6, 8, 11, 12]);
    assert.equal(res.count, 6);
    assert.equal(res.nextOffset, 14);
  });
});
