// Retention (retention.ms / retention.bytes), DeleteRecords, the log start checkpoint, group commit,
// and a randomized damage test: index files scrambled and segments cut at random bytes always reopen
// to a clean prefix of what was written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BATCH_HEADER_BYTES, OFF_LAST_OFFSET_DELTA, baseOffsetAt, batchSizeAt, validateBatch,
} from '../../../src/protocol/batch-header.js';
import { Log, type LogConfig } from '../../../src/storage/log.js';
import { LogCleaner } from '../../../src/storage/log-cleaner.js';
import { LogSegment } from '../../../src/storage/log-segment.js';
import { MqError } from '../../../src/util/mq-error.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

/** A valid RecordBatch v2 of `records` records, `sizeBytes` long, with MaxTimestamp `ts`; filler records. */
function makeBatch(ts: number, sizeBytes = 100, records = 1, fill = 0x61): Buffer {
  return fillerBatch({ maxTimestampMs: ts, sizeBytes, records, fill });
}

const config: LogConfig = { segmentBytes: 1000, indexIntervalBytes: 250 };

/** Every stored batch from `from` on, checked whole and CRC-sound; returns their base offsets. */
async function readAll(log: Log, from = log.logStartOffset): Promise<number[]> {
  const bases: number[] = [];
  let offset = from;
  while (offset < log.writtenEndOffset) {
    const all = Buffer.concat(await log.read(offset, 64 * 1024));
    if (all.length === 0) break;
    let last = offset;
    for (let at = 0; at < all.length;) {
      const size = batchSizeAt(all, at);
      assert.ok(size >= BATCH_HEADER_BYTES && at + size <= all.length, 'whole batch');
      assert.equal(validateBatch(all, at, size), null, 'sound batch');
      bases.push(baseOffsetAt(all, at));
      last = baseOffsetAt(all, at) + all.readInt32BE(at + OFF_LAST_OFFSET_DELTA) + 1;
      at += size;
    }
    offset = last;
  }
  return bases;
}

async function logFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
}

describe('retention', () => {
  test('retention.ms deletes the old inactive segments and nothing newer', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, config);
    defer(t, async () => log.close().catch(() => undefined));
    const now = 1_800_000_000_000;
    // 30 old batches (3 segments of 10 x 100 bytes), then 25 new ones.
    for (let i = 0; i < 30; i++) await log.append(makeBatch(now - 60_000), 0);
    for (let i = 0; i < 25; i++) await log.append(makeBatch(now - 500), 0);
    assert.equal(log.segmentCount, 6);
    const deleted = await log.applyRetention({ retentionMs: 2000, retentionBytes: -1 }, now);
    assert.equal(deleted, 3);
    assert.equal(log.logStartOffset, 30);
    assert.deepEqual(log.segmentBaseOffsets(), [30, 40, 50]);
    assert.deepEqual(await readAll(log), Array.from({ length: 25 }, (_, i) => 30 + i));
    await assert.rejects(log.read(29, 1000), (e: MqError) => e.code === 'OFFSET_OUT_OF_RANGE');
    assert.equal((await logFiles(dir)).length, 3);
    // Once the newer ones are old too, only the active segment stays.
    assert.equal(await log.applyRetention({ retentionMs: 2000, retentionBytes: -1 }, now + 10_000), 2);
    assert.deepEqual(log.segmentBaseOffsets(), [50]);
  });

  test('retention.bytes keeps the log within one segment of the limit', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, config);
    defer(t, async () => log.close().catch(() => undefined));
    for (let i = 0; i < 95; i++) await log.append(makeBatch(Date.now()), 0);
    await log.applyRetention({ retentionMs: -1, retentionBytes: 3000 });
    assert.ok(log.sizeBytes >= 3000 - 1000 && log.sizeBytes <= 3000 + 1000, `size ${log.sizeBytes}`);
    assert.ok(log.sizeBytes < 9500);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets()[0]);
    const bases = await readAll(log);
    assert.equal(bases[bases.length - 1], 94);
  });

  test('the cleaner runs passes on its timer and survives a failing log', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, config);
    defer(t, async () => log.close().catch(() => undefined));
    for (let i = 0; i < 25; i++) await log.append(makeBatch(1000), 0);
    const errors: unknown[] = [];
    const broken = { applyRetention: () => Promise.reject(new Error('boom')), segmentCount: 2 } as unknown as Log;
    const cleaner = new LogCleaner({
      intervalMs: 20,
      logs: () => [{ log: broken, policy: { retentionMs: 1, retentionBytes: -1 } }, { log, policy: { retentionMs: 1000, retentionBytes: -1 } }],
      onError: (_l, e) => errors.push(e),
    });
    defer(t, async () => cleaner.close());
    cleaner.start();
    const deadline = Date.now() + 5000;
    while (log.segmentCount > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Stopped here, not only in an after hook: a pass still deleting segments or writing the log start
    // checkpoint would race the directory's removal.
    await cleaner.close();
    assert.equal(log.segmentCount, 1);
    assert.ok(errors.length > 0);
  });
});

describe('delete records', () => {
  test('a start offset inside a segment is served from and survives clean and unclean reopen', async (t) => {
    const dir = await tempDirFor(t);
    let log = await Log.open(dir, config);
    for (let i = 0; i < 35; i++) await log.append(makeBatch(Date.now()), 0);
    assert.equal(await log.deleteRecordsBefore(23), 23);
    assert.deepEqual(log.segmentBaseOffsets(), [20, 30]);
    await assert.rejects(log.read(22, 1000), (e: MqError) => e.code === 'OFFSET_OUT_OF_RANGE');
    assert.equal((await readAll(log))[0], 23);
    assert.equal(baseOffsetAt((await log.batchForTimestamp(0))!), 23, 'a time lookup never answers a deleted offset');
    await log.close();
    log = await Log.open(dir, config);
    assert.equal(log.logStartOffset, 23);
    await log.append(makeBatch(Date.now()), 0); // active segment grows, no clean marker on the next open
    const copy = await tempDirFor(t);
    for (const f of await readdir(dir)) await writeFile(join(copy, f), await readFile(join(dir, f)));
    await log.close();
    const crashed = await Log.open(copy, config);
    defer(t, async () => crashed.close().catch(() => undefined));
    assert.equal(crashed.logStartOffset, 23);
    assert.equal(crashed.logEndOffset, 36);
  });

  test('trimming to the end rolls and frees every byte; past the end is OFFSET_OUT_OF_RANGE', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, config);
    defer(t, async () => log.close().catch(() => undefined));
    for (let i = 0; i < 15; i++) await log.append(makeBatch(Date.now()), 0);
    await assert.rejects(log.deleteRecordsBefore(16), (e: MqError) => e.code === 'OFFSET_OUT_OF_RANGE');
    assert.equal(await log.deleteRecordsBefore(15), 15);
    assert.equal(log.sizeBytes, 0);
    assert.deepEqual(await logFiles(dir), ['00000000000000000015.log']);
    await log.append(makeBatch(Date.now()), 0);
    assert.deepEqual(await readAll(log), [15]);
    await log.flush();
  });
});

describe('group commit', () => {
  test('appends that arrive during an fdatasync share the next one', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 4096 });
    defer(t, async () => log.close().catch(() => undefined));
    const flush = t.mock.method(log, 'flush');
    const done = await Promise.all(Array.from({ length: 200 }, async () => {
      const r = await log.append(makeBatch(Date.now()), 0);
      await log.syncTo(r.lastOffset + 1);
      return r.lastOffset;
    }));
    assert.equal(log.flushedEndOffset, 200);
    assert.equal(Math.max(...done), 199);
    assert.ok(flush.mock.callCount() >= 1 && flush.mock.callCount() <= 5, `${flush.mock.callCount()} fdatasync rounds for 200 appends`);
  });
});

describe('recovery point', () => {
  test('after a crash only the segments past the recovery point are validated batch by batch', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, config);
    for (let i = 0; i < 64; i++) {
      const r = await log.append(makeBatch(Date.now()), 0);
      await log.syncTo(r.lastOffset + 1);
    }
    assert.equal(log.segmentCount, 7);
    assert.equal((await readFile(join(dir, '.recovery-point'), 'utf8')).trim(), '60');
    // Abandoned without close() (a crash: no clean-shutdown marker); reopened from a copy.
    const copy = await tempDirFor(t);
    for (const f of await readdir(dir)) await writeFile(join(copy, f), await readFile(join(dir, f)));
    await log.close();
    const recover = t.mock.method(LogSegment.prototype, 'recover');
    const reopened = await Log.open(copy, config);
    defer(t, async () => reopened.close().catch(() => undefined));
    assert.equal(recover.mock.callCount(), 1, 'only the active segment is rescanned');
    assert.equal(reopened.logEndOffset, 64);
    assert.deepEqual(await readAll(reopened), Array.from({ length: 64 }, (_, i) => i));
  });
});

describe('crashes in the middle of a roll, a retention deletion or an index write', () => {
  const states: [string, (dir: string, names: string[]) => Promise<void>][] = [
    ['a roll that created the next .log but not its indexes', async (dir) => {
      await writeFile(join(dir, '00000000000000000035.log'), Buffer.alloc(0));
    }],
    ['a roll that created index files but not the .log', async (dir) => {
      await writeFile(join(dir, '00000000000000000035.index'), Buffer.alloc(0));
      await writeFile(join(dir, '00000000000000000035.timeindex'), Buffer.alloc(0));
    }],
    ['a retention pass that deleted the oldest .log but not its indexes, and left a temp checkpoint', async (dir) => {
      await rm(join(dir, '00000000000000000000.log'));
      await writeFile(join(dir, '.log-start-offset.tmp'), '1');
    }],
    ['an index write cut mid-entry', async (dir, names) => {
      const index = join(dir, names.find((n) => n.endsWith('.index') && !n.startsWith('000000000000000000'.padEnd(20, '0')))!);
      const bytes = await readFile(index);
      await writeFile(index, Buffer.concat([bytes, Buffer.from([1, 2, 3])]));
    }],
  ];
  for (const [name, damage] of states) {
    test(name, async (t) => {
      const dir = await tempDirFor(t);
      const log = await Log.open(dir, config);
      for (let i = 0; i < 35; i++) await log.append(makeBatch(Date.now(), 100), 0);
      await log.close();
      await damage(dir, (await readdir(dir)).sort());
      const reopened = await Log.open(dir, config);
      defer(t, async () => reopened.close().catch(() => undefined));
      const bases = await readAll(reopened);
      assert.equal(bases[bases.length - 1], 34, 'the newest record is still there');
      assert.deepEqual(bases, Array.from({ length: bases.length }, (_, i) => reopened.logStartOffset + i), 'contiguous');
      await reopened.append(makeBatch(Date.now()), 0);
      assert.equal(reopened.logEndOffset, 36);
    });
  }
});

describe('random damage', () => {
  test('scrambled index files and segments cut at random bytes always reopen to a clean prefix', async (t) => {
    const dir = await tempDirFor(t);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 60; round++) {
      const d = join(dir, `r${round}`);
      const log = await Log.open(d, { segmentBytes: 2000, indexIntervalBytes: 150 });
      const n = 40 + rand(60);
      for (let i = 0; i < n; i++) await log.append(makeBatch(1_700_000_000_000 + i, 60 + rand(200), 1 + rand(3), i & 0xff), 0);
      const end = log.logEndOffset;
      const written = await readAll(log);
      if (rand(2) === 0) await log.close(); // else: abandoned as if killed (no clean marker)
      const files = (await readdir(d)).filter((f) => /\.(log|index|timeindex)$/.test(f));
      for (let k = 1 + rand(3); k > 0; k--) {
        const f = join(d, files[rand(files.length)]);
        const size = (await stat(f)).size;
        if (f.endsWith('.log') && size > 0) {
          await truncate(f, rand(size));
        } else if (size > 0) {
          const bytes = await readFile(f);
          for (let j = 0; j < 4; j++) bytes[rand(bytes.length)] = rand(256);
          await writeFile(f, bytes);
        } else {
          await writeFile(f, Buffer.from([rand(256), rand(256), rand(256)]));
        }
      }
      const reopened = await Log.open(d, { segmentBytes: 2000, indexIntervalBytes: 150 });
      try {
        assert.ok(reopened.logEndOffset <= end);
        const served = await readAll(reopened);
        assert.deepEqual(served, written.slice(0, served.length), `round ${round}: a prefix`);
        if (served.length > 0) assert.ok(reopened.logEndOffset > served[served.length - 1]);
        await reopened.append(makeBatch(Date.now()), 0);
        assert.equal((await readAll(reopened)).length, served.length + 1);
      } finally {
        await reopened.close();
        await log.close().catch(() => undefined);
      }
    }
  });
});
