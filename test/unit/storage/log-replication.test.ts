// The Log's replication side: the leader epoch cache fed by append and appendAsFollower, endOffsetForEpoch,
// truncateTo (inside the active segment, at a segment boundary, across several segments) and
// truncateFullyAndStartAt, each checked against a reference log that only ever appended the kept batches:
// same bytes, same index files, same timestamp lookups, through clean reopens and simulated crashes.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { cp, open, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BATCH_HEADER_BYTES, OFF_LEADER_EPOCH, assignOffset, baseOffsetAt, batchSizeAt, lastOffsetDeltaAt, validateBatch,
} from '../../../src/protocol/batch-header.js';
import { Log, type LogConfig } from '../../../src/storage/log.js';
import { LEADER_EPOCH_CHECKPOINT_FILE } from '../../../src/storage/leader-epoch-cache.js';
import { MqError } from '../../../src/util/mq-error.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

const config: LogConfig = { segmentBytes: 1000, indexIntervalBytes: 150 };

async function openLog(t: TestContext, dir: string): Promise<Log> {
  const log = await Log.open(dir, config);
  defer(t, async () => log.close().catch(() => undefined));
  return log;
}

/** Opens the log in `dir` again: after a clean close, or (crash) from a copy taken without closing. */
async function reopen(t: TestContext, log: Log, dir: string, crash: boolean): Promise<Log> {
  let reopenDir = dir;
  if (crash) {
    reopenDir = await tempDirFor(t);
    await cp(dir, reopenDir, { recursive: true });
  } else {
    await log.close();
  }
  return openLog(t, reopenDir);
}

/**
 * Batches as a leader stored them: contiguous offsets from `from`, PartitionLeaderEpoch from `epochOf`,
 * varied sizes, record counts and (not monotonic) timestamps.
 */
function stampedBatches(n: number, from: number, epochOf: (i: number) => number, seed = 0): Buffer[] {
  const out: Buffer[] = [];
  let offset = from;
  for (let i = 0; i < n; i++) {
    const k = i + seed;
    const records = 1 + (k % 4);
    const b = fillerBatch({ records, sizeBytes: 90 + (k % 5) * 30, fill: k % 256, maxTimestampMs: 10_000 + ((k * 37) % 50) * 10 });
    assignOffset(b, offset, epochOf(i));
    out.push(b);
    offset += records;
  }
  return out;
}

const endOf = (b: Buffer): number => baseOffsetAt(b) + lastOffsetDeltaAt(b) + 1;

async function appendFollower(log: Log, batches: Buffer[]): Promise<void> {
  for (const b of batches) await log.appendAsFollower(Buffer.from(b));
}

/** Every stored batch from the log start, each checked whole and CRC-sound. */
async function readBatches(log: Log): Promise<Buffer[]> {
  const all = Buffer.concat(await log.read(log.logStartOffset, 1 << 30));
  const out: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const size = batchSizeAt(all, at);
    assert.ok(size >= BATCH_HEADER_BYTES && at + size <= all.length);
    assert.equal(validateBatch(all, at, size), null);
    out.push(Buffer.from(all.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** Segment and index files by name (checkpoints and markers left out). */
async function segmentFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) {
    if (/^\d{20}\.(log|index|timeindex)$/.test(name)) files.set(name, await readFile(join(dir, name)));
  }
  return files;
}

function isMqError(code: string) {
  return (err: unknown): boolean => err instanceof MqError && err.code === code;
}

describe('leader epochs in the log', () => {
  test('append records each new epoch at its first offset; endOffsetForEpoch answers like Kafka', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    assert.equal(log.latestEpoch, -1);
    assert.deepEqual(log.endOffsetForEpoch(0), { leaderEpoch: -1, endOffset: -1 });
    const epochs = [3, 3, 5, 5, 5, 7, 7, 6];
    const bases: number[] = [];
    for (const [i, e] of epochs.entries()) bases.push((await log.append(fillerBatch({ records: 2, fill: i }), e)).baseOffset);
    assert.deepEqual(log.epochEntries(), [{ epoch: 3, startOffset: 0 }, { epoch: 5, startOffset: 4 }, { epoch: 7, startOffset: 10 }],
      'a lower epoch is stored in the batch but not cached');
    assert.equal(log.latestEpoch, 7);
    assert.deepEqual(log.endOffsetForEpoch(2), { leaderEpoch: -1, endOffset: -1 }, 'unknown epoch below the first');
    assert.deepEqual(log.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 4 });
    assert.deepEqual(log.endOffsetForEpoch(4), { leaderEpoch: 3, endOffset: 4 }, 'unknown middle epoch: the one below');
    assert.deepEqual(log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: 10 });
    assert.deepEqual(log.endOffsetForEpoch(7), { leaderEpoch: 7, endOffset: 16 }, 'latest epoch: the log end');
    assert.deepEqual(log.endOffsetForEpoch(9), { leaderEpoch: 7, endOffset: 16 });
    assert.equal(await readFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8'), '3 0\n5 4\n7 10\n');
    await log.close();
    const reopened = await openLog(t, dir);
    assert.deepEqual(reopened.epochEntries(), log.epochEntries());
    assert.deepEqual(reopened.endOffsetForEpoch(7), { leaderEpoch: 7, endOffset: 16 });
  });

  test('appendAsFollower keeps offsets, epochs and bytes; refuses a gap or an overlap', async (t) => {
    const leaderBatches = stampedBatches(30, 0, (i) => (i < 10 ? 1 : i < 22 ? 4 : 6));
    const log = await openLog(t, await tempDirFor(t));
    const results = [];
    for (const b of leaderBatches) results.push(await log.appendAsFollower(Buffer.from(b)));
    assert.deepEqual(results.map((r) => r.baseOffset), leaderBatches.map((b) => baseOffsetAt(b)));
    assert.ok(log.segmentCount > 3, 'rolled like append');
    assert.equal(log.logEndOffset, endOf(leaderBatches[29]));
    assert.deepEqual(await readBatches(log), leaderBatches, 'byte for byte, epochs included');
    assert.deepEqual(log.epochEntries(), [
      { epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: baseOffsetAt(leaderBatches[10]) }, { epoch: 6, startOffset: baseOffsetAt(leaderBatches[22]) },
    ]);
    const end = log.logEndOffset;
    const gap = stampedBatches(1, end + 1, () => 6)[0];
    await assert.rejects(log.appendAsFollower(gap), isMqError('OFFSET_OUT_OF_RANGE'));
    await assert.rejects(log.appendAsFollower(Buffer.from(leaderBatches[29])), isMqError('OFFSET_OUT_OF_RANGE'));
    await assert.rejects(log.appendAsFollower(Buffer.alloc(30)), isMqError('CORRUPT_MESSAGE'));
    assert.equal(log.logEndOffset, end);
    const next = stampedBatches(3, end, () => 6);
    for (const b of next) await log.appendAsFollower(Buffer.from(b));
    assert.equal(log.logEndOffset, endOf(next[2]));
  });
});

describe('a failed follower write', () => {
  test('fails the follower appends queued behind it and drops its epoch entry', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    const batches = stampedBatches(8, 0, (i) => (i < 5 ? 1 : 2));
    await appendFollower(log, batches.slice(0, 4));
    const probe = await open(join(dir, 'probe'), 'w');
    type Method = (...args: unknown[]) => Promise<unknown>;
    const proto = Object.getPrototypeOf(probe) as { write: Method; writev: Method };
    await probe.close();
    const failing = Buffer.from(batches[5]);
    const { write, writev } = proto;
    const enospc = (): never => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    let failures = 0;
    t.mock.method(proto, 'writev', function (this: unknown, ...args: unknown[]) {
      if ((args[0] as Buffer[]).includes(failing)) return write.call(this, (args[0] as Buffer[])[0], 0, 10, args[1]).then(enospc);
      return writev.apply(this, args);
    });
    t.mock.method(proto, 'write', function (this: unknown, ...args: unknown[]) {
      if (args[0] === failing) {
        failures += 1;
        return write.call(this, args[0], args[1], 10, args[3]).then(enospc);
      }
      return write.apply(this, args);
    });
    const a = log.appendAsFollower(Buffer.from(batches[4]));
    const b = log.appendAsFollower(failing);
    const c = log.appendAsFollower(Buffer.from(batches[6]));
    const storageError = (err: unknown): boolean => isMqError('KAFKA_STORAGE_ERROR')(err);
    const refused = [assert.rejects(b, storageError), assert.rejects(c, storageError)];
    assert.equal((await a).baseOffset, baseOffsetAt(batches[4]));
    await Promise.all(refused);
    assert.equal(failures, 1);
    assert.equal(log.logEndOffset, baseOffsetAt(batches[5]));
    assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }], 'no entry for the epoch whose first batch failed');
    t.mock.restoreAll();
    await appendFollower(log, batches.slice(5));
    assert.deepEqual(await readBatches(log), batches);
    assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: baseOffsetAt(batches[5]) }]);
  });
});

describe('truncateTo', () => {
  // 40 batches over about 9 segments of 1000 bytes; epochs change at batches 12 and 27.
  const source = stampedBatches(40, 0, (i) => (i < 12 ? 0 : i < 27 ? 2 : 5));
  const more = (from: number): Buffer[] => stampedBatches(12, from, () => 9, 100);

  /** Builds the truncated log and a reference of the kept batches; checks both agree, before and after more appends. */
  async function check(t: TestContext, pickOffset: (log: Log) => number, keptBatches: number, label: string): Promise<void> {
    const dir = await tempDirFor(t);
    const refDir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await appendFollower(log, source);
    const offset = pickOffset(log);
    const kept = source.slice(0, keptBatches);
    const newEnd = keptBatches === 0 ? 0 : endOf(kept[kept.length - 1]);
    await log.truncateTo(offset);
    assert.equal(log.logEndOffset, newEnd, `${label}: end`);
    assert.equal(log.writtenEndOffset, newEnd);
    assert.deepEqual(await readBatches(log), kept, `${label}: kept batches`);
    const ref = await openLog(t, refDir);
    await appendFollower(ref, kept);
    // At a boundary the cut segment stays as an empty active segment; the reference rolls to it on the next append.
    assert.deepEqual(log.segmentBaseOffsets().filter((b) => b < newEnd), ref.segmentBaseOffsets().filter((b) => b < newEnd));
    assert.deepEqual(log.epochEntries(), ref.epochEntries(), `${label}: epoch entries past the cut are gone`);
    assert.equal(log.latestEpoch, ref.latestEpoch);
    for (const ts of [10_000, 10_150, 10_333, 10_490, 10_491]) {
      assert.deepEqual(await log.batchForTimestamp(ts), await ref.batchForTimestamp(ts), `${label}: time lookup ${ts}`);
    }
    // Closed, both hold the same files below the cut (a cut at a boundary leaves an empty segment there).
    await log.close();
    await ref.close();
    const files = await segmentFiles(dir);
    const refFiles = await segmentFiles(refDir);
    const below = (m: Map<string, Buffer>) => new Map([...m].filter(([name]) => Number(name.slice(0, 20)) < newEnd));
    assert.deepEqual(below(files), below(refFiles), `${label}: identical segment and index files below the cut`);
    for (const [name, bytes] of files) if (Number(name.slice(0, 20)) >= newEnd) assert.equal(bytes.length, 0, `${label}: ${name} is empty`);
    // Appends continue at the new end, under a new epoch.
    const again = await openLog(t, dir);
    const refAgain = await openLog(t, refDir);
    const next = more(newEnd);
    await appendFollower(again, next);
    await appendFollower(refAgain, next);
    assert.deepEqual(await readBatches(again), [...kept, ...next]);
    assert.deepEqual(again.epochEntries(), refAgain.epochEntries());
    for (const o of [0, newEnd - 1, newEnd, newEnd + 5, again.logEndOffset - 1].filter((x) => x >= 0)) {
      assert.deepEqual(await again.read(o, 1), await refAgain.read(o, 1), `${label}: read at ${o}`);
    }
    for (const ts of [10_000, 10_150, 10_333, 10_490, 10_491]) {
      assert.deepEqual(await again.batchForTimestamp(ts), await refAgain.batchForTimestamp(ts), `${label}: time lookup ${ts} after appends`);
    }
  }

  test('in the middle of the active segment (rounded down to the batch start)', async (t) => {
    await check(t, () => baseOffsetAt(source[39]) + 1, 39, 'active');
  });

  test('at a segment boundary', async (t) => {
    await check(t, (log) => log.segmentBaseOffsets()[4], countBelow(source, 4), 'boundary');
  });

  test('across several segments, inside a sealed one', async (t) => {
    await check(t, () => baseOffsetAt(source[9]) + 1, 9, 'several');
  });

  test('inside a sealed segment whose time index was damaged after the log opened', async (t) => {
    const dir = await tempDirFor(t);
    const refDir = await tempDirFor(t);
    const first = await openLog(t, dir);
    await appendFollower(first, source);
    await first.close();
    const log = await openLog(t, dir); // sealed segments keep their index entries on disk only
    const seg = log.segmentBaseOffsets()[2];
    await writeFile(join(dir, `${String(seg).padStart(20, '0')}.timeindex`), Buffer.alloc(7));
    const keep = source.findIndex((b) => baseOffsetAt(b) >= log.segmentBaseOffsets()[3]) - 1; // the segment's last batch
    await log.truncateTo(baseOffsetAt(source[keep]));
    const ref = await openLog(t, refDir);
    await appendFollower(ref, source.slice(0, keep));
    await log.close();
    await ref.close();
    assert.deepEqual(await segmentFiles(dir), await segmentFiles(refDir), 'the indexes are rebuilt to what appending builds');
  });

  test('to offset 0 and at or past the end', async (t) => {
    await check(t, () => 0, 0, 'zero');
    const log = await openLog(t, await tempDirFor(t));
    await appendFollower(log, source.slice(0, 5));
    const end = log.logEndOffset;
    await log.truncateTo(end);
    await log.truncateTo(end + 100);
    assert.equal(log.logEndOffset, end);
    assert.deepEqual(await readBatches(log), source.slice(0, 5));
  });

  for (const crash of [false, true]) {
    test(`a truncated log reopens to the same end (${crash ? 'after a simulated crash' : 'after close'})`, async (t) => {
      const dir = await tempDirFor(t);
      const log = await openLog(t, dir);
      await appendFollower(log, source);
      await log.flush();
      await log.truncateTo(baseOffsetAt(source[20]));
      const end = log.logEndOffset;
      const entries = log.epochEntries();
      const before = await readBatches(log);
      const reopened = await reopen(t, log, dir, crash);
      assert.equal(reopened.logEndOffset, end);
      assert.deepEqual(await readBatches(reopened), before);
      assert.deepEqual(reopened.epochEntries(), entries);
      const next = more(end);
      await appendFollower(reopened, next);
      assert.deepEqual(await readBatches(reopened), [...before, ...next]);
    });
  }

  test('segments written after a truncation are validated after a crash even below the old recovery point', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await appendFollower(log, source);
    await log.flush(); // the recovery point moves to the active segment (offset 93)
    const oldPoint = Number(await readFile(join(dir, '.recovery-point'), 'utf8'));
    await log.truncateTo(baseOffsetAt(source[5]));
    await appendFollower(log, stampedBatches(30, log.logEndOffset, () => 9, 7));
    const bases = log.segmentBaseOffsets();
    // A segment written after the truncation whose successor starts below the old recovery point.
    const victim = bases.findIndex((b, i) => b > baseOffsetAt(source[5]) && i + 1 < bases.length && bases[i + 1] <= oldPoint);
    assert.ok(victim > 0, `a victim segment among ${bases.join(',')} below ${oldPoint}`);
    const copy = await tempDirFor(t);
    await cp(dir, copy, { recursive: true });
    const path = join(copy, `${String(bases[victim]).padStart(20, '0')}.log`);
    const bytes = await readFile(path);
    bytes[70] ^= 0xff; // inside the first batch's records, before the segment's last index entry
    await writeFile(path, bytes);
    const lines: string[] = [];
    const reopened = await Log.open(copy, config, { log: (l) => lines.push(l) });
    defer(t, async () => reopened.close().catch(() => undefined));
    assert.equal(reopened.logEndOffset, bases[victim], lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('CRC')), lines.join('\n'));
    assert.ok(reopened.epochEntries().every((e) => e.startOffset < reopened.logEndOffset));
  });

  test('a crash before the epoch cache was cut: entries past the end are dropped on open', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await appendFollower(log, source.slice(0, 20));
    await log.truncateTo(baseOffsetAt(source[12]));
    await log.close();
    await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), `0 0\n2 ${baseOffsetAt(source[12])}\n`);
    const reopened = await openLog(t, dir);
    assert.deepEqual(reopened.epochEntries(), [{ epoch: 0, startOffset: 0 }]);
  });

  test('queued appends: leader appends after a truncation are renumbered, follower appends refused', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    await appendFollower(log, source.slice(0, 10));
    const cut = baseOffsetAt(source[6]);
    const pending = log.appendAsFollower(Buffer.from(source[10]));
    const truncated = log.truncateTo(cut);
    const stale = log.appendAsFollower(Buffer.from(source[11]));
    const leader = log.append(fillerBatch({ records: 2 }), 8);
    await pending;
    await truncated;
    await assert.rejects(stale, isMqError('OFFSET_OUT_OF_RANGE'));
    assert.deepEqual(await leader, { baseOffset: cut, lastOffset: cut + 1 });
    assert.equal(log.logEndOffset, cut + 2);
    const stored = await readBatches(log);
    assert.deepEqual(stored.slice(0, 6), source.slice(0, 6));
    assert.equal(baseOffsetAt(stored[6]), cut);
    assert.equal(stored[6].readInt32BE(OFF_LEADER_EPOCH), 8);
    assert.deepEqual(log.epochEntries(), [{ epoch: 0, startOffset: 0 }, { epoch: 8, startOffset: cut }]);
  });
});

describe('truncateFullyAndStartAt and the log start', () => {
  const source = stampedBatches(25, 0, (i) => (i < 10 ? 1 : 3));

  for (const crash of [false, true]) {
    test(`restarts the log empty at an offset, which survives a reopen (${crash ? 'crash' : 'clean'})`, async (t) => {
      const dir = await tempDirFor(t);
      const log = await openLog(t, dir);
      await appendFollower(log, source);
      await log.truncateFullyAndStartAt(5000);
      assert.equal(log.logStartOffset, 5000);
      assert.equal(log.logEndOffset, 5000);
      assert.deepEqual(log.segmentBaseOffsets(), [5000]);
      assert.deepEqual(log.epochEntries(), []);
      assert.equal(log.latestEpoch, -1);
      assert.deepEqual(await log.read(5000, 1000), []);
      await assert.rejects(log.read(0, 1000), isMqError('OFFSET_OUT_OF_RANGE'));
      const next = stampedBatches(4, 5000, () => 7);
      await appendFollower(log, next);
      const reopened = await reopen(t, log, dir, crash);
      assert.equal(reopened.logStartOffset, 5000);
      assert.equal(reopened.logEndOffset, endOf(next[3]));
      assert.deepEqual(await readBatches(reopened), next);
      assert.deepEqual(reopened.epochEntries(), [{ epoch: 7, startOffset: 5000 }]);
      assert.deepEqual((await readdir(reopened.dir)).filter((f) => f.endsWith('.log')), ['00000000000000005000.log']);
    });
  }

  test('truncating below the log start restarts there; a lower restart point is kept after reopen', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await appendFollower(log, source);
    await log.deleteRecordsBefore(baseOffsetAt(source[15]));
    assert.deepEqual(log.epochEntries(), [{ epoch: 3, startOffset: baseOffsetAt(source[15]) }], 'the covering entry is raised to the new start');
    await log.truncateTo(3);
    assert.equal(log.logStartOffset, 3);
    assert.equal(log.logEndOffset, 3);
    await appendFollower(log, stampedBatches(20, 3, () => 4));
    await log.close();
    const reopened = await openLog(t, dir);
    assert.equal(reopened.logStartOffset, 3, 'the old, higher .log-start-offset is gone');
  });

  test('a log without leader-epoch-checkpoint rebuilds it from the batch headers', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, dir);
    await appendFollower(log, source);
    const entries = log.epochEntries();
    await log.close();
    await unlink(join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
    const reopened = await openLog(t, dir);
    assert.deepEqual(reopened.epochEntries(), entries);
    assert.equal(await readFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8'), entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join(''));
  });
});

/** Number of source batches below segment `i` of a log built from `batches` (for the boundary case). */
function countBelow(batches: Buffer[], i: number): number {
  // Segments roll when the next batch would pass 1000 bytes; replay that to find segment i's first batch.
  let segment = 0;
  let size = 0;
  for (let k = 0; k < batches.length; k++) {
    if (size > 0 && size + batches[k].length > config.segmentBytes) {
      segment += 1;
      size = 0;
    }
    if (segment === i) return k;
    size += batches[k].length;
  }
  return batches.length;
}

describe('follower appends written at once', () => {
  test('a small follower append (writeNow) on an idle log is written before appendAsFollower returns; without it, it is queued', async (t) => {
    const log = await openLog(t, await tempDirFor(t));
    const [first, second, third] = stampedBatches(3, 0, () => 0);
    await log.appendAsFollower(Buffer.from(first)); // the epoch entry of epoch 0 goes through the queue
    const written = log.appendAsFollower(Buffer.from(second), true);
    assert.equal(log.writtenEndOffset, endOf(second), 'written on the event loop: readable (and fetchable) at once');
    await written;
    const queued = log.appendAsFollower(Buffer.from(third));
    assert.equal(log.writtenEndOffset, endOf(second), 'a catching-up append keeps the thread pool');
    await queued;
    assert.equal(log.writtenEndOffset, endOf(third));
    assert.deepEqual(Buffer.concat(await log.read(0, 1 << 20)), Buffer.concat([first, second, third]));
  });
});
