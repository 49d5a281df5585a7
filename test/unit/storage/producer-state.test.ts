// Idempotent producers in one log (storage/producer-state.ts, producer-snapshots.ts, the Log's use of them):
// Kafka's epoch and sequence rules, a retried batch answered with its first offsets and not written again,
// and the state surviving what a replica goes through — a clean restart (snapshot), a crash (replay of the
// batch headers), a damaged snapshot, truncation, a follower copying the leader's batches, retention.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTR_TRANSACTIONAL, OFF_ATTRIBUTES, writeCrc } from '../../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { Log, type LogConfig } from '../../../src/storage/log.js';
import { ProducerStateTable, producerInfoAt } from '../../../src/storage/producer-state.js';
import { decodeSnapshot, encodeSnapshot, snapshotPath } from '../../../src/storage/producer-snapshots.js';
import { MqError } from '../../../src/util/mq-error.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

const config: LogConfig = { segmentBytes: 1000, indexIntervalBytes: 150 };

/** A batch of `count` records from producer `pid` with `epoch`, first sequence `seq`. */
function batch(pid: bigint, epoch: number, seq: number, count = 3, tag = 'r'): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20, producerId: pid, producerEpoch: epoch, baseSequence: seq });
  for (let i = 0; i < count; i++) assert.ok(b.tryAppend({ key: null, value: Buffer.from(`${tag}-${seq + i}`), timestamp: Date.now(), headers: [] }));
  return Buffer.from(b.build());
}

/** The same as a transactional producer's batch. */
function txnBatch(pid: bigint, epoch: number, seq: number, count = 3): Buffer {
  const b = batch(pid, epoch, seq, count, 'tx');
  b.writeInt16BE(b.readInt16BE(OFF_ATTRIBUTES) | ATTR_TRANSACTIONAL, OFF_ATTRIBUTES);
  writeCrc(b);
  return b;
}

const marker = (producerId: bigint, commit: boolean) => ({ producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestampMs: Date.now() });

async function openLog(t: TestContext, dir: string): Promise<Log> {
  const log = await Log.open(dir, config);
  defer(t, async () => log.close().catch(() => undefined));
  return log;
}

function code(err: unknown): string {
  return err instanceof MqError ? err.code : String(err);
}

describe('ProducerStateTable: the rules', () => {
  const at = (t: ProducerStateTable, b: Buffer, offset: number): void => {
    b.writeBigInt64BE(BigInt(offset), 0);
    t.applyBatch(b);
  };

  test('a new producer is taken at any sequence; the next batch must continue it; a repeat of a kept batch is found', () => {
    const t = new ProducerStateTable();
    const first = batch(7n, 0, 40);
    assert.equal(t.checkAppend(producerInfoAt(first)!, 'p-0'), null);
    at(t, first, 100);
    assert.throws(() => t.checkAppend(producerInfoAt(batch(7n, 0, 44))!, 'p-0'), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    assert.equal(t.checkAppend(producerInfoAt(batch(7n, 0, 43))!, 'p-0'), null);
    const dup = t.checkAppend(producerInfoAt(batch(7n, 0, 40))!, 'p-0');
    assert.deepEqual(dup && [dup.firstOffset, dup.lastOffset], [100, 102]);
    // Same first sequence but a different record count is not the same batch: a gap.
    assert.throws(() => t.checkAppend(producerInfoAt(batch(7n, 0, 40, 2))!, 'p-0'), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  test('only the last five batches are kept; an older epoch is refused; a newer epoch must start at 0', () => {
    const t = new ProducerStateTable();
    for (let i = 0; i < 7; i++) at(t, batch(1n, 2, i * 3), i * 3);
    assert.equal(t.entry(1n)!.batches.length, 5);
    assert.ok(t.checkAppend(producerInfoAt(batch(1n, 2, 6))!, 'p-0') !== null, 'the third batch is still kept');
    assert.throws(() => t.checkAppend(producerInfoAt(batch(1n, 2, 3))!, 'p-0'), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    assert.throws(() => t.checkAppend(producerInfoAt(batch(1n, 1, 21))!, 'p-0'), (e) => code(e) === 'INVALID_PRODUCER_EPOCH');
    assert.throws(() => t.checkAppend(producerInfoAt(batch(1n, 3, 21))!, 'p-0'), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    assert.equal(t.checkAppend(producerInfoAt(batch(1n, 3, 0))!, 'p-0'), null);
    at(t, batch(1n, 3, 0), 21);
    assert.deepEqual([t.entry(1n)!.epoch, t.entry(1n)!.batches.length], [3, 1]);
  });

  test('sequences wrap from INT32 max to 0', () => {
    const t = new ProducerStateTable();
    at(t, batch(9n, 0, 2 ** 31 - 2, 2), 0);
    assert.equal(t.checkAppend(producerInfoAt(batch(9n, 0, 0))!, 'p-0'), null);
  });

  test('a batch without a producer id is never checked nor kept', () => {
    const t = new ProducerStateTable();
    const plain = batch(-1n, -1, -1);
    assert.equal(producerInfoAt(plain), null);
    at(t, plain, 0);
    assert.equal(t.size, 0);
  });

  test('truncateFrom cuts kept batches back; snapshots encode and decode the same state', () => {
    const t = new ProducerStateTable();
    at(t, batch(1n, 0, 0), 0);
    at(t, batch(1n, 0, 3), 3);
    at(t, batch(2n, 0, 0), 6);
    const copy = t.copyBelow(6);
    assert.equal(copy.entry(2n), undefined);
    assert.equal(t.entry(2n)!.batches.length, 1, 'the copy leaves the original alone');
    t.truncateFrom(3);
    assert.deepEqual([t.size, t.entry(1n)!.epoch, t.entry(1n)!.batches.length], [1, 0, 1]);
    const decoded = new ProducerStateTable();
    const snap = decodeSnapshot(encodeSnapshot(copy));
    decoded.reset(snap.producers, snap.aborted);
    assert.deepEqual([...decoded.all()], [...copy.all()]);
    const damaged = encodeSnapshot(copy);
    damaged[damaged.length - 1] ^= 1;
    assert.throws(() => decodeSnapshot(damaged), /CRC/);
  });
});

describe('Log: idempotent appends', () => {
  test('a retried batch gets its first offsets and is not written again; a gap and a stale epoch are refused', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    const first = await log.append(batch(5n, 0, 0), 0);
    await log.append(batch(5n, 0, 3), 0);
    const retry = await log.append(batch(5n, 0, 0), 0);
    assert.deepEqual(retry, { baseOffset: first.baseOffset, lastOffset: first.lastOffset, duplicate: true });
    assert.equal(log.logEndOffset, 6);
    await assert.rejects(log.append(batch(5n, 0, 9), 0), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    await log.append(batch(5n, 1, 0), 0);
    await assert.rejects(log.append(batch(5n, 0, 6), 0), (e) => code(e) === 'INVALID_PRODUCER_EPOCH');
    assert.equal(log.logEndOffset, 9);
  });

  test('a clean restart loads the snapshot written at close; a crash replays the log; either way a retry is still found', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    for (let i = 0; i < 40; i++) await log.append(batch(BigInt(i % 4), 0, Math.floor(i / 4) * 3), 0);
    assert.ok(log.segmentCount > 1, 'several segments');
    const crashDir = await tempDirFor(t);
    await cp(dir, crashDir, { recursive: true });
    await log.close();
    assert.ok((await readdir(dir)).includes(`${String(120).padStart(20, '0')}.snapshot`), 'close wrote a snapshot at the end');
    for (const d of [dir, crashDir]) {
      const again = await openLog(t, d);
      assert.deepEqual(await again.append(batch(3n, 0, 27), 0), { baseOffset: 117, lastOffset: 119, duplicate: true }, d);
      assert.equal((await again.append(batch(3n, 0, 30), 0)).baseOffset, 120);
      await assert.rejects(again.append(batch(2n, 0, 33), 0), (e) => code(e) === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    }
  });

  test('a damaged snapshot is deleted and the log replayed instead', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await log.append(batch(1n, 0, 0), 0);
    await log.close();
    await writeFile(snapshotPath(dir, 3), 'not a snapshot');
    const lines: string[] = [];
    const again = await Log.open(dir, config, { log: (l) => lines.push(l) });
    defer(t, async () => again.close().catch(() => undefined));
    assert.ok(lines.some((l) => l.includes('unusable')), lines.join('\n'));
    assert.equal((await again.append(batch(1n, 0, 0), 0)).duplicate, true);
  });

  test('a follower copying the leader\'s batches dedups as the new leader; truncation cuts the state and later snapshots', async (t) => {
    const leader = await openLog(t, await tempDirFor(t));
    const follower = await openLog(t, await tempDirFor(t));
    for (let i = 0; i < 4; i++) {
      const b = batch(8n, 0, i * 3);
      await leader.append(b, 0);
      await follower.appendAsFollower(b);
    }
    assert.deepEqual(await follower.append(batch(8n, 0, 9), 1), { baseOffset: 9, lastOffset: 11, duplicate: true });
    assert.equal(await follower.maintainProducerState(Date.now(), true), 12);
    await follower.truncateTo(6);
    assert.deepEqual(follower.producerSnapshotOffsets(), [], 'the snapshot past the cut is gone');
    assert.equal((await follower.append(batch(8n, 0, 6), 1)).baseOffset, 6, 'the cut batch is new again');
  });

  test('retention forgets producers whose batches are all gone; expiry forgets idle ones', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    await log.append(batch(1n, 0, 0, 30), 0);
    for (let i = 0; i < 30; i++) await log.append(batch(2n, 0, i * 3), 0);
    await log.deleteRecordsBefore(30);
    assert.equal(log.producers.entry(1n), undefined);
    assert.ok(log.producers.entry(2n));
    await log.maintainProducerState(Date.now() + 2 * 86_400_000);
    assert.equal(log.producers.size, 0);
  });
});

describe('Log: transactions in a partition', () => {
  test('open transactions bound the last stable offset; an ABORT marker lists the transaction; COMMIT does not', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    await log.append(batch(1n, 0, 0), 0); // 0-2, not transactional
    await log.append(txnBatch(2n, 0, 0), 0); // 3-5
    await log.append(txnBatch(3n, 0, 0), 0); // 6-8
    assert.equal(log.producers.firstOpenTxnOffset(), 3);
    await log.appendMarker(marker(2n, false), 0); // 9: abort of 2
    assert.equal(log.producers.firstOpenTxnOffset(), 6);
    await log.append(txnBatch(2n, 0, 3), 0); // 10-12: producer 2's next transaction
    await log.appendMarker(marker(3n, true), 0); // 13
    assert.equal(log.producers.firstOpenTxnOffset(), 10);
    await log.appendMarker(marker(2n, false), 0); // 14
    assert.equal(log.producers.firstOpenTxnOffset(), -1);
    assert.deepEqual(log.producers.abortedBetween(0, 15), [{ producerId: 2n, firstOffset: 3 }, { producerId: 2n, firstOffset: 10 }]);
    assert.deepEqual(log.producers.abortedBetween(10, 15), [{ producerId: 2n, firstOffset: 10 }]);
    assert.deepEqual(log.producers.abortedBetween(0, 4), [{ producerId: 2n, firstOffset: 3 }], 'stops after the first marker past the bound');
    await assert.rejects(log.appendMarker({ ...marker(2n, true), producerEpoch: -1 }, 0), (e) => code(e) === 'INVALID_PRODUCER_EPOCH');
  });

  test('a cut below a marker reopens its transaction; a crash replays markers; a clean restart keeps the aborted list', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    for (let i = 0; i < 12; i++) {
      await log.append(txnBatch(4n, 0, i * 3), 0);
      await log.appendMarker(marker(4n, i % 2 === 0), 0);
    }
    assert.ok(log.segmentCount > 1);
    const crashDir = await tempDirFor(t);
    await cp(dir, crashDir, { recursive: true });
    const expected = log.producers.abortedBetween(0, 100);
    assert.equal(expected.length, 6);
    await log.close();
    for (const d of [dir, crashDir]) {
      const again = await openLog(t, d);
      assert.deepEqual(again.producers.abortedBetween(0, 100), expected, d);
      assert.equal(again.producers.firstOpenTxnOffset(), -1);
      await again.truncateTo(47); // inside the last transaction's marker (44-46 data, 47 marker)
      assert.equal(again.producers.firstOpenTxnOffset(), 44, 'the transaction whose marker was cut is open again');
      assert.deepEqual(again.producers.abortedBetween(0, 100), expected.slice(0, 5), 'its abort is no longer listed');
    }
  });
});
