import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { open, readFile, readdir, readlink, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  BATCH_HEADER_BYTES, assignOffset, baseOffsetAt, batchSizeAt, lastOffsetDeltaAt, maxTimestampAt, validateBatch,
} from '../../../src/protocol/batch-header.js';
import { Log, type LogConfig, type LogOptions } from '../../../src/storage/log.js';
import { segmentFileName } from '../../../src/storage/log-segment.js';
import { MqError } from '../../../src/util/mq-error.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

// ---- fixtures ----------------------------------------------------------------------------------------

const makeBatch = fillerBatch;

/** The bytes a batch should have once stored at `baseOffset` with `leaderEpoch`. */
function stored(batch: Buffer, baseOffset: number, leaderEpoch: number): Buffer {
  const copy = Buffer.from(batch);
  assignOffset(copy, baseOffset, leaderEpoch);
  return copy;
}

/** Splits concatenated stored batches and checks each is whole and passes its CRC. */
function splitBatches(buffers: Buffer[]): Buffer[] {
  const all = Buffer.concat(buffers);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const size = batchSizeAt(all, at);
    assert.ok(size >= BATCH_HEADER_BYTES && at + size <= all.length, `whole batch at ${at}`);
    assert.equal(validateBatch(all, at, size), null, `batch at ${at} is sound`);
    out.push(all.subarray(at, at + size));
    at += size;
  }
  return out;
}

const smallConfig: LogConfig = { segmentBytes: 1000, indexIntervalBytes: 250 };

/** Opens a log in `dir`, closing it after the test (before the folder is removed). */
async function openLog(t: TestContext, dir: string, config: LogConfig = smallConfig, opts: LogOptions = {}): Promise<Log> {
  const log = await Log.open(dir, config, opts);
  defer(t, async () => log.close().catch(() => undefined));
  return log;
}

/** Appends batches one after another; returns their base offsets. */
async function appendAll(log: Log, batches: Buffer[], leaderEpoch = 0): Promise<number[]> {
  const bases: number[] = [];
  for (const b of batches) bases.push((await log.append(b, leaderEpoch)).baseOffset);
  return bases;
}

async function readAll(log: Log): Promise<Buffer[]> {
  return splitBatches(await log.read(log.logStartOffset, 1 << 30));
}

function isMqError(code: string) {
  return (err: unknown): boolean => err instanceof MqError && err.code === code;
}

// ---- append and read ---------------------------------------------------------------------------------

describe('Log append and read', () => {
  test('assigns offsets and stores the bytes unchanged apart from BaseOffset and epoch', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    const batches = [makeBatch({ records: 1, fill: 1 }), makeBatch({ records: 3, fill: 2 }), makeBatch({ records: 2, fill: 3 })];
    const originals = batches.map((b) => Buffer.from(b));
    const results = [];
    for (const b of batches) results.push(await log.append(b, 7));
    assert.deepEqual(results, [{ baseOffset: 0, lastOffset: 0 }, { baseOffset: 1, lastOffset: 3 }, { baseOffset: 4, lastOffset: 5 }]);
    assert.equal(log.logStartOffset, 0);
    assert.equal(log.logEndOffset, 6);
    assert.equal(log.writtenEndOffset, 6);
    assert.equal(log.sizeBytes, 300);
    const read = await log.read(0, 1 << 20);
    assert.deepEqual(Buffer.concat(read), Buffer.concat([stored(originals[0], 0, 7), stored(originals[1], 1, 7), stored(originals[2], 4, 7)]));
    assert.equal(splitBatches(read).length, 3);
  });

  test('concurrent appends take offsets synchronously and are written in call order', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    const batches = Array.from({ length: 60 }, (_, i) => makeBatch({ records: 1 + (i % 4), sizeBytes: 70 + (i % 5) * 9, fill: i }));
    const pending = batches.map((b) => log.append(b, 1));
    const total = batches.reduce((n, b) => n + lastOffsetDeltaAt(b) + 1, 0);
    assert.equal(log.logEndOffset, total, 'logEndOffset advances inside append()');
    const results = await Promise.all(pending);
    let next = 0;
    for (let i = 0; i < results.length; i++) {
      assert.equal(results[i].baseOffset, next);
      next = results[i].lastOffset + 1;
    }
    assert.equal(log.writtenEndOffset, total);
    const read = await readAll(log);
    assert.equal(read.length, 60);
    read.forEach((b, i) => {
      assert.equal(b[BATCH_HEADER_BYTES], i, `batch ${i} in call order`);
      assert.equal(baseOffsetAt(b), results[i].baseOffset);
    });
    const logs = (await readdir(dir)).filter((n) => n.endsWith('.log'));
    assert.ok(logs.length >= 5, 'rolled while appends were queued');
    for (const name of logs) assert.ok((await stat(join(dir, name))).size <= smallConfig.segmentBytes, name);
  });

  test('reading an offset inside a batch returns the whole containing batch', async (t) => {
    const log = await openLog(t, await tempDirFor(t), { segmentBytes: 100_000, indexIntervalBytes: 1 });
    await appendAll(log, [makeBatch({ records: 10, fill: 1 }), makeBatch({ records: 5, fill: 2 }), makeBatch({ records: 3, fill: 3 })]);
    for (const [offset, base] of [[0, 0], [9, 0], [10, 10], [12, 10], [14, 10], [15, 15], [17, 15]]) {
      const read = splitBatches(await log.read(offset, 1));
      assert.equal(read.length, 1);
      assert.equal(baseOffsetAt(read[0]), base, `offset ${offset}`);
    }
  });

  test('maxBytes takes whole batches only, but always the first one whole', async (t) => {
    const log = await openLog(t, await tempDirFor(t), { segmentBytes: 100_000, indexIntervalBytes: 4096 });
    await appendAll(log, Array.from({ length: 5 }, (_, i) => makeBatch({ fill: i })));
    assert.equal(Buffer.concat(await log.read(0, 250)).length, 200);
    assert.equal(Buffer.concat(await log.read(0, 300)).length, 300);
    assert.equal(Buffer.concat(await log.read(1, 50)).length, 100, 'first batch whole even over maxBytes');
    assert.equal(Buffer.concat(await log.read(1, 0)).length, 100);
    assert.equal(splitBatches(await log.read(3, 1000)).length, 2);
  });

  test('upTo excludes batches at or past it; offsets at the end read as empty', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    await appendAll(log, [makeBatch({ records: 2 }), makeBatch({ records: 2 }), makeBatch({ records: 2 })]);
    assert.deepEqual(splitBatches(await log.read(0, 1 << 20, 4)).map((b) => baseOffsetAt(b)), [0, 2]);
    assert.deepEqual(splitBatches(await log.read(0, 1 << 20, 3)).map((b) => baseOffsetAt(b)), [0], 'a batch straddling upTo is held back');
    assert.deepEqual(await log.read(4, 1 << 20, 4), []);
    assert.deepEqual(await log.read(6, 1 << 20), [], 'offset == logEndOffset');
    assert.deepEqual(splitBatches(await log.read(2, 1 << 20, 1000)).map((b) => baseOffsetAt(b)), [2, 4], 'upTo is capped at writtenEndOffset');
  });

  test('OFFSET_OUT_OF_RANGE below the log start and past the log end', async (t) => {
    const dir = await tempDirFor(t);
    await writeFile(join(dir, segmentFileName(100, '.log')), Buffer.alloc(0));
    const log = await openLog(t, dir);
    assert.equal(log.logStartOffset, 100);
    assert.equal(log.logEndOffset, 100);
    assert.deepEqual(await log.append(makeBatch({ records: 3 }), 0), { baseOffset: 100, lastOffset: 102 });
    await assert.rejects(log.read(99, 1000), isMqError('OFFSET_OUT_OF_RANGE'));
    await assert.rejects(log.read(-1, 1000), isMqError('OFFSET_OUT_OF_RANGE'));
    await assert.rejects(log.read(104, 1000), isMqError('OFFSET_OUT_OF_RANGE'));
    assert.deepEqual(await log.read(103, 1000), []);
    assert.equal(splitBatches(await log.read(101, 1000)).length, 1);
  });

  test('rejects buffers that are not one whole batch, and batches larger than a segment', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    await assert.rejects(log.append(makeBatch().subarray(0, 90), 0), isMqError('CORRUPT_MESSAGE'));
    await assert.rejects(log.append(makeBatch({ sizeBytes: 1001 }), 0), isMqError('RECORD_LIST_TOO_LARGE'));
    assert.equal(log.logEndOffset, 0);
  });
});

// ---- segments ----------------------------------------------------------------------------------------

describe('Log segments', () => {
  test('rolls at segmentBytes and reads across segments', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir, { segmentBytes: 1000, indexIntervalBytes: 250 });
    const batches = Array.from({ length: 10 }, (_, i) => makeBatch({ records: 2, sizeBytes: 300, fill: i }));
    const originals = batches.map((b) => Buffer.from(b));
    const bases = await appendAll(log, batches);
    const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    assert.deepEqual(logs, [0, 6, 12, 18].map((o) => segmentFileName(o, '.log')));
    for (const name of logs) assert.ok((await stat(join(dir, name))).size <= 1000);
    for (const o of [0, 6, 12, 18]) {
      assert.ok((await readdir(dir)).includes(segmentFileName(o, '.index')));
      assert.ok((await readdir(dir)).includes(segmentFileName(o, '.timeindex')));
    }
    assert.equal(log.sizeBytes, 3000);
    const all = await log.read(0, 1 << 20);
    assert.deepEqual(Buffer.concat(all), Buffer.concat(originals.map((b, i) => stored(b, bases[i], 0))));
    // From the middle of segment 0 into segment 2, limited by maxBytes.
    const some = splitBatches(await log.read(3, 1000));
    assert.deepEqual(some.map((b) => baseOffsetAt(b)), [2, 4, 6]);
    const tail = splitBatches(await log.read(13, 1 << 20));
    assert.deepEqual(tail.map((b) => baseOffsetAt(b)), [12, 14, 16, 18]);
  });

  test('rolls a non-empty segment after segmentMs (injected clock)', async (t) => {
    const dir = await tempDirFor(t);
    let now = 1_000;
    const log = await openLog(t, dir, { segmentBytes: 100_000, indexIntervalBytes: 4096, segmentMs: 60_000 }, { clock: { now: () => now } });
    await appendAll(log, [makeBatch(), makeBatch()]);
    now += 59_999;
    await log.append(makeBatch(), 0);
    now += 1;
    await log.append(makeBatch(), 0);
    const logs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    assert.deepEqual(logs, [segmentFileName(0, '.log'), segmentFileName(3, '.log')]);
    assert.equal(splitBatches(await log.read(0, 1 << 20)).length, 4);
  });

  test('writes a sparse offset index every indexIntervalBytes', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, { segmentBytes: 100_000, indexIntervalBytes: 250 });
    await appendAll(log, Array.from({ length: 10 }, () => makeBatch({ records: 2 })));
    await log.close();
    const index = await readFile(join(dir, segmentFileName(0, '.index')));
    const entries = [];
    for (let at = 0; at < index.length; at += 8) entries.push([index.readInt32BE(at), index.readInt32BE(at + 4)]);
    assert.deepEqual(entries, [[6, 300], [12, 600], [18, 900]]);
  });

  test('batchForTimestamp finds the first batch whose MaxTimestamp reaches the target', async (t) => {
    const dir = await tempDirFor(t);
    const timestamps = [100, 200, 150, 300, 250, 400, 390, 500];
    const config = { segmentBytes: 400, indexIntervalBytes: 1 };
    let log = await Log.open(dir, config);
    await appendAll(log, timestamps.map((ts, i) => makeBatch({ maxTimestampMs: ts, fill: i })));
    const check = async (l: Log): Promise<void> => {
      for (const [target, expected] of [[50, 0], [100, 0], [101, 1], [160, 1], [200, 1], [201, 3], [260, 3], [301, 5], [395, 5], [401, 7], [500, 7]]) {
        const batch = await l.batchForTimestamp(target);
        assert.ok(batch !== null, `a batch for ${target}`);
        assert.equal(batch[BATCH_HEADER_BYTES], expected, `timestamp ${target}`);
        assert.equal(maxTimestampAt(batch), timestamps[expected]);
      }
      assert.equal(await l.batchForTimestamp(501), null);
    };
    await check(log);
    await log.close();
    log = await openLog(t, dir, config);
    await check(log);
  });

  test('a sealed segment keeps its largest timestamp through crash recovery and clean reopens', async (t) => {
    const dir = await tempDirFor(t);
    // Sparse indexes: in each 4-batch segment only the third batch is indexed, so the largest
    // timestamp of a segment is known from the final time-index entry alone.
    const config = { segmentBytes: 400, indexIntervalBytes: 150 };
    const timestamps = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const check = async (l: Log): Promise<void> => {
      for (const [i, ts] of timestamps.entries()) {
        assert.equal((await l.batchForTimestamp(ts - 5))?.[BATCH_HEADER_BYTES], i, `timestamp ${ts - 5}`);
      }
    };
    const batches = (): Buffer[] => timestamps.map((ts, i) => makeBatch({ maxTimestampMs: ts, fill: i }));
    // Rolled and cleanly closed.
    const closed = await Log.open(dir, config);
    await appendAll(closed, batches());
    await closed.close();
    const clean = await openLog(t, dir, config);
    await check(clean);
    // Crashed, recovered (indexes rebuilt), then cleanly closed.
    const dir2 = await tempDirFor(t);
    const crashed = await openLog(t, dir2, config);
    await appendAll(crashed, batches());
    await check(crashed);
    const recovered = await Log.open(dir2, config);
    await check(recovered);
    await recovered.close();
    const reopened = await openLog(t, dir2, config);
    await check(reopened);
  });
});

// ---- lifecycle and recovery --------------------------------------------------------------------------

describe('Log lifecycle and recovery', () => {
  const config: LogConfig = { segmentBytes: 1000, indexIntervalBytes: 150 };
  const fill = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => makeBatch({ records: 1 + (i % 3), sizeBytes: 100 + (i % 4) * 20, fill: i, maxTimestampMs: 1000 + i }));

  test('reopen after close keeps everything and removes the marker', async (t) => {
    const dir = await tempDirFor(t);
    const lines: string[] = [];
    const first = await Log.open(dir, config);
    await appendAll(first, fill(25));
    const before = Buffer.concat(await first.read(0, 1 << 30));
    const leo = first.logEndOffset;
    await first.close();
    await first.close();
    assert.ok((await readdir(dir)).includes('.clean-shutdown'));
    const log = await openLog(t, dir, config, { log: (l) => lines.push(l) });
    assert.ok(!(await readdir(dir)).includes('.clean-shutdown'), 'a later crash is noticed');
    assert.deepEqual(lines, []);
    assert.equal(log.logEndOffset, leo);
    assert.equal(log.writtenEndOffset, leo);
    assert.deepEqual(Buffer.concat(await log.read(0, 1 << 30)), before);
    assert.equal((await log.append(makeBatch(), 0)).baseOffset, leo);
    assert.equal((await log.batchForTimestamp(1010))?.[BATCH_HEADER_BYTES], 10);
  });

  test('reopen without close (crash) keeps every written batch', async (t) => {
    const dir = await tempDirFor(t);
    const lines: string[] = [];
    const crashed = await openLog(t, dir, config);
    await appendAll(crashed, fill(25));
    const before = Buffer.concat(await crashed.read(0, 1 << 30));
    const log = await openLog(t, dir, config, { log: (l) => lines.push(l) });
    assert.deepEqual(lines, []);
    assert.equal(log.logEndOffset, crashed.logEndOffset);
    assert.deepEqual(Buffer.concat(await log.read(0, 1 << 30)), before);
    const next = await log.append(makeBatch({ records: 2 }), 3);
    assert.equal(next.baseOffset, crashed.logEndOffset);
  });

  for (const closeFirst of [false, true]) {
    test(`torn tail is cut to the last whole batch (${closeFirst ? 'after close' : 'after a crash'})`, async (t) => {
      const dir = await tempDirFor(t);
      const lines: string[] = [];
      const first = await openLog(t, dir, config);
      const bases = await appendAll(first, fill(5));
      if (closeFirst) await first.close();
      const path = join(dir, segmentFileName(0, '.log'));
      const size = (await stat(path)).size;
      await truncate(path, size - 10);
      const log = await openLog(t, dir, config, { log: (l) => lines.push(l) });
      assert.equal(log.logEndOffset, bases[4]);
      assert.equal(lines.filter((l) => l.includes('truncated')).length, 1);
      assert.match(lines.find((l) => l.includes('truncated'))!, new RegExp(`truncated 90 bytes .* \\(offset ${bases[4]}\\): torn`));
      assert.equal((await stat(path)).size, size - 100);
      assert.equal((await readAll(log)).length, 4);
      assert.equal((await log.append(makeBatch({ records: 2 }), 0)).baseOffset, bases[4]);
      assert.deepEqual((await readAll(log)).map((b) => baseOffsetAt(b)), [...bases.slice(0, 4), bases[4]]);
    });
  }

  test('a flipped byte drops that batch and everything after it, later segments included', async (t) => {
    const dir = await tempDirFor(t);
    const lines: string[] = [];
    const first = await openLog(t, dir, config);
    const batches = fill(30);
    const bases = await appendAll(first, batches);
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    assert.ok(segments.length >= 3);
    // Flip one byte inside the records of the third batch (inside the CRC).
    const fh = await open(join(dir, segments[0]), 'r+');
    const at = batches[0].length + batches[1].length + 70;
    const byte = Buffer.alloc(1);
    await fh.read(byte, 0, 1, at);
    byte[0] ^= 0xff;
    await fh.write(byte, 0, 1, at);
    await fh.close();
    const log = await openLog(t, dir, config, { log: (l) => lines.push(l) });
    assert.equal(log.logEndOffset, bases[2]);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /CRC-32C mismatch; deleted \d+ later segment/);
    assert.deepEqual((await readdir(dir)).filter((n) => /^\d{20}\./.test(n)).sort(),
      [segmentFileName(0, '.index'), segmentFileName(0, '.log'), segmentFileName(0, '.timeindex')]);
    assert.deepEqual((await readAll(log)).map((b) => baseOffsetAt(b)), bases.slice(0, 2));
    assert.equal((await log.append(makeBatch(), 0)).baseOffset, bases[2]);
  });

  test('a flipped byte in the last batch is caught even after a clean close', async (t) => {
    const dir = await tempDirFor(t);
    const first = await Log.open(dir, { segmentBytes: 100_000, indexIntervalBytes: 150 });
    const bases = await appendAll(first, fill(12));
    await first.close();
    const path = join(dir, segmentFileName(0, '.log'));
    const size = (await stat(path)).size;
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([0x55]), 0, 1, size - 1);
    await fh.close();
    const lines: string[] = [];
    const log = await openLog(t, dir, { segmentBytes: 100_000, indexIntervalBytes: 150 }, { log: (l) => lines.push(l) });
    assert.equal(log.logEndOffset, bases[11]);
    assert.match(lines.join('\n'), /CRC-32C mismatch/);
    assert.equal((await readAll(log)).length, 11);
  });

  test('a corrupted .index is rebuilt to the same entries', async (t) => {
    const dir = await tempDirFor(t);
    const first = await Log.open(dir, config);
    await appendAll(first, fill(30));
    const expected = await first.read(0, 1 << 30);
    await first.close();
    const indexPath = join(dir, segmentFileName(0, '.index'));
    const good = await readFile(indexPath);
    assert.ok(good.length >= 16);
    const bad = Buffer.from(good);
    bad.writeInt32BE(999_999, bad.length - 4);
    await writeFile(indexPath, bad);
    const lines: string[] = [];
    const log = await openLog(t, dir, config, { log: (l) => lines.push(l) });
    assert.equal(lines.length, 1);
    assert.match(lines[0], /rebuilding the indexes of 0{20}\.log/);
    assert.deepEqual(await readFile(indexPath), good);
    assert.deepEqual(await log.read(0, 1 << 30), expected);
    for (let o = 0; o < log.logEndOffset; o++) assert.ok(splitBatches(await log.read(o, 1)).length === 1);
  });

  test('a torn .index and a .timeindex with the wrong size are rebuilt', async (t) => {
    const dir = await tempDirFor(t);
    const cfg = { segmentBytes: 100_000, indexIntervalBytes: 150 };
    const first = await Log.open(dir, cfg);
    await appendAll(first, fill(30));
    await first.close();
    const indexPath = join(dir, segmentFileName(0, '.index'));
    const timePath = join(dir, segmentFileName(0, '.timeindex'));
    const goodIndex = await readFile(indexPath);
    const goodTime = await readFile(timePath);
    await truncate(indexPath, goodIndex.length - 3);
    await writeFile(timePath, Buffer.concat([goodTime, Buffer.alloc(12, 0xff)]));
    const lines: string[] = [];
    const log = await Log.open(dir, cfg, { log: (l) => lines.push(l) });
    assert.equal(lines.length, 1);
    assert.equal((await log.batchForTimestamp(1020))?.[BATCH_HEADER_BYTES], 20);
    await log.close();
    assert.deepEqual(await readFile(indexPath), goodIndex);
    assert.deepEqual(await readFile(timePath), goodTime);
  });

  test('a plausible but wrong index entry in the middle is never followed to a wrong batch', async (t) => {
    const dir = await tempDirFor(t);
    const cfg = { segmentBytes: 100_000, indexIntervalBytes: 150 };
    const first = await Log.open(dir, cfg);
    await appendAll(first, fill(30));
    await first.close();
    const indexPath = join(dir, segmentFileName(0, '.index'));
    const index = await readFile(indexPath);
    // Point the second entry one byte further in: still inside the file and still increasing.
    index.writeInt32BE(index.readInt32BE(12) + 1, 12);
    await writeFile(indexPath, index);
    const log = await openLog(t, dir, cfg);
    const rel = index.readInt32BE(8);
    assert.equal(baseOffsetAt(splitBatches(await log.read(rel, 1))[0]), rel);
  });

  test('a failed write is cut away and its offsets go to the next append', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    const probe = await open(join(dir, 'probe'), 'w');
    type Method = (...args: unknown[]) => Promise<unknown>;
    const proto = Object.getPrototypeOf(probe) as { write: Method; writev: Method };
    await probe.close();
    const failing = makeBatch({ records: 3, fill: 2 });
    const failingLast = makeBatch({ records: 1, fill: 4 });
    const { write, writev } = proto;
    const enospc = (): never => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    let failures = 0;
    let groupFailures = 0;
    // Appends queued together go out in one writev; a failing one makes that fail after a partial write,
    // then the single write of the failing batch itself fails after a partial write.
    t.mock.method(proto, 'writev', function (this: unknown, ...args: unknown[]) {
      const buffers = args[0] as Buffer[];
      if (buffers.includes(failing) && failures === 0) {
        groupFailures += 1;
        return write.call(this, buffers[0], 0, 10, args[1]).then(enospc);
      }
      return writev.apply(this, args);
    });
    t.mock.method(proto, 'write', function (this: unknown, ...args: unknown[]) {
      if ((args[0] === failing && failures === 0) || (args[0] === failingLast && failures === 1)) {
        failures += 1;
        return write.call(this, args[0], args[1], 10, args[3]).then(enospc);
      }
      return write.apply(this, args);
    });
    // Small appends finding the queue idle are first tried synchronously (Log.writeNow). a, b and c go
    // through the queue (a is the first of epoch 0, which is recorded first); the lone failingLast below
    // is tried synchronously, fails there too after a partial write, and its queued retry fails as above.
    let syncFailures = 0;
    const writeSync = fs.writeSync;
    t.mock.method(fs, 'writeSync', (...args: unknown[]) => {
      const [fd, buffer, , , position] = args as [number, Buffer, number, number, number];
      if ((buffer === failing && failures === 0) || (buffer === failingLast && failures === 1)) {
        syncFailures += 1;
        writeSync(fd, buffer, 0, 10, position);
        enospc();
      }
      return (writeSync as (...a: unknown[]) => number)(...args);
    });
    const a = log.append(makeBatch({ records: 2, fill: 1 }), 0);
    const b = log.append(failing, 0);
    const c = log.append(makeBatch({ records: 4, fill: 3 }), 0);
    assert.equal(log.logEndOffset, 9);
    assert.deepEqual(await a, { baseOffset: 0, lastOffset: 1 });
    await assert.rejects(b, (err: unknown) => isMqError('KAFKA_STORAGE_ERROR')(err) && (err as MqError).retriable);
    assert.deepEqual(await c, { baseOffset: 2, lastOffset: 5 });
    assert.equal(failures, 1);
    assert.equal(groupFailures, 1, 'b and c were first written together');
    assert.equal(log.logEndOffset, 6);
    assert.equal((await log.append(makeBatch(), 0)).baseOffset, 6);
    assert.deepEqual((await readAll(log)).map((x) => [baseOffsetAt(x), x[BATCH_HEADER_BYTES]]), [[0, 1], [2, 3], [6, 0x61]]);
    assert.equal((await stat(join(dir, segmentFileName(0, '.log')))).size, 300);
    // A failure with nothing queued after it leaves no partial bytes behind either.
    await assert.rejects(log.append(failingLast, 0), isMqError('KAFKA_STORAGE_ERROR'));
    assert.equal(failures, 2);
    assert.equal(syncFailures, 1, 'the lone failing append was first tried synchronously');
    assert.equal(log.logEndOffset, 7);
    assert.equal((await stat(join(dir, segmentFileName(0, '.log')))).size, 300);
    const reopened = await openLog(t, dir);
    assert.equal(reopened.logEndOffset, 7);
  });

  test('a roll leaves the old segment to the next flush, which syncs every segment written since', { skip: process.platform !== 'linux' }, async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir, { segmentBytes: 1000, indexIntervalBytes: 4096 });
    const probe = await open(join(dir, 'probe'), 'w');
    type Method = (...args: unknown[]) => Promise<unknown>;
    const proto = Object.getPrototypeOf(probe) as { datasync: Method };
    await probe.close();
    const { datasync } = proto;
    const synced: string[] = [];
    t.mock.method(proto, 'datasync', async function (this: { fd: number }) {
      synced.push(basename(await readlink(`/proc/self/fd/${this.fd}`)));
      return datasync.call(this);
    });
    await appendAll(log, Array.from({ length: 12 }, () => makeBatch({ sizeBytes: 300 })));
    assert.deepEqual(synced.filter((n) => n.endsWith('.log')), [], 'rolls do not wait for a data sync');
    await log.flush();
    assert.deepEqual(synced.filter((n) => n.endsWith('.log')).sort(), [0, 3, 6, 9].map((o) => segmentFileName(o, '.log')));
    synced.length = 0;
    await log.append(makeBatch(), 0);
    await log.flush();
    assert.deepEqual(synced.filter((n) => n.endsWith('.log')), [segmentFileName(9, '.log')]);
  });

  test('flush, then close, then appends and reads are refused; delete removes the folder', async (t) => {
    const dir = join(await tempDirFor(t), 'topic-0');
    const log = await Log.open(dir, config);
    await appendAll(log, fill(3));
    const pending = log.append(makeBatch(), 0);
    await log.flush();
    assert.equal(log.writtenEndOffset, log.logEndOffset, 'flush waits for earlier appends');
    await pending;
    await log.close();
    await assert.rejects(log.append(makeBatch(), 0), isMqError('KAFKA_STORAGE_ERROR'));
    await assert.rejects(log.read(0, 100), isMqError('KAFKA_STORAGE_ERROR'));
    const again = await Log.open(dir, config);
    const late = again.append(makeBatch(), 0);
    await again.delete();
    await late;
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    await assert.rejects(again.append(makeBatch(), 0), isMqError('KAFKA_STORAGE_ERROR'));
  });

  test('survives kill -9 while appending', { timeout: 60_000 }, async (t) => {
    const dir = await tempDirFor(t);
    const template = makeBatch({ records: 3, sizeBytes: 200, fill: 0x42 });
    const logUrl = new URL('../../../src/storage/log.js', import.meta.url).href;
    // The child appends copies of the template as fast as it can, 8 in flight, and prints each
    // acknowledged lastOffset.
    const script = `
      const { Log } = await import(${JSON.stringify(logUrl)});
      const template = Buffer.from(process.argv[1], 'hex');
      const log = await Log.open(process.argv[2], { segmentBytes: 5000, indexIntervalBytes: 300 });
      for (;;) {
        const acks = await Promise.all(Array.from({ length: 8 }, () => log.append(Buffer.from(template), 1)));
        process.stdout.write(acks[acks.length - 1].lastOffset + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, template.toString('hex'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    defer(t, async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    let acked = -1;
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 3000) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    const log = await openLog(t, dir, { segmentBytes: 5000, indexIntervalBytes: 300 });
    assert.ok(log.logEndOffset > acked, `every acknowledged append survived (${log.logEndOffset} > ${acked})`);
    const batches = await readAll(log);
    assert.equal(batches.length * 3, log.logEndOffset);
    batches.forEach((b, i) => assert.equal(baseOffsetAt(b), i * 3));
  });
});
