// flush.policy through a real Partition on a real Log (issue 3, "Durability policy"): `batch` answers an
// append only after the fdatasync that covers it, and one fdatasync covers every append whose flush was
// asked for while the previous one ran (group commit); `interval` answers at once and syncs within
// flush.ms; `os` never syncs on the produce path. The fdatasyncs are held back with a gate on
// FileHandle.prototype.datasync, so the order is shown without timing. Also: a clean restart of a
// many-segment log rescans nothing but the active segment's unindexed tail.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { open, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultBrokerConfig } from '../../../src/config/config.js';
import type { FlushPolicy, TopicConfig } from '../../../src/config/topic-config.js';
import { Partition } from '../../../src/replication/partition.js';
import { Log, type LogConfig } from '../../../src/storage/log.js';
import { LogSegment } from '../../../src/storage/log-segment.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

const logConfig: LogConfig = { segmentBytes: 1 << 20, indexIntervalBytes: 4096 };

async function openLog(t: TestContext, dir: string, config = logConfig): Promise<Log> {
  const log = await Log.open(dir, config);
  defer(t, async () => log.close().catch(() => undefined));
  return log;
}

/** Lets every ready promise callback and I/O completion run (a few event-loop turns). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Polls `cond` until it holds or `timeoutMs` passes. */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Holds every FileHandle.datasync while closed (counting the calls that reached it); open() lets the held
 * ones and all later ones through.
 */
async function datasyncGate(t: TestContext, dir: string): Promise<{ close(): void; open(): void; readonly calls: number }> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: (...a: unknown[]) => Promise<void> };
  await probe.close();
  const { datasync } = proto;
  let gate: Promise<void> | null = null;
  let release: () => void = () => undefined;
  let calls = 0;
  t.mock.method(proto, 'datasync', async function (this: unknown) {
    calls += 1;
    if (gate !== null) await gate;
    return datasync.call(this);
  });
  return {
    close() { gate = new Promise((r) => { release = r; }); },
    open() { gate = null; release(); },
    get calls() { return calls; },
  };
}

function topicConfig(policy: FlushPolicy, flushMs = 1000): TopicConfig {
  return { ...defaultBrokerConfig().topicDefaults, 'flush.policy': policy, 'flush.ms': flushMs };
}

const batch = (): Buffer => fillerBatch({ maxTimestampMs: Date.now() });

describe('group commit (flush.policy=batch)', () => {
  test('every append whose sync is asked for during an fdatasync shares exactly one next fdatasync', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, join(dir, 'log'));
    const gate = await datasyncGate(t, dir);
    const flush = t.mock.method(log, 'flush');
    const first = await log.append(batch(), 0);
    gate.close();
    const firstSynced = log.syncTo(first.lastOffset + 1);
    await until(() => gate.calls > 0, 'the first fdatasync to start');
    assert.equal(flush.mock.callCount(), 1);

    // 100 produce requests arrive while that fdatasync runs; each asks for its own offsets to be synced.
    let answered = 0;
    const later = Array.from({ length: 100 }, async () => {
      const r = await log.append(batch(), 0);
      await log.syncTo(r.lastOffset + 1);
      answered += 1;
      return r.lastOffset;
    });
    await settle();
    assert.equal(answered, 0, 'no append is answered before an fdatasync covers it');
    assert.equal(log.flushedEndOffset, 0);
    assert.equal(flush.mock.callCount(), 1, 'they wait for the running fdatasync instead of starting their own');

    gate.open();
    await firstSynced;
    assert.equal(Math.max(...(await Promise.all(later))), 100);
    assert.equal(answered, 100);
    assert.equal(log.flushedEndOffset, 101);
    assert.equal(flush.mock.callCount(), 2, 'one more flush round covered all 100 appends');
  });
});

describe('flush.policy through a Partition', () => {
  test('batch: the append is answered only after the fdatasync that covers it', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, join(dir, 'log'));
    const p = new Partition('t', 0, log, topicConfig('batch'));
    await p.append(batch()); // the first append of an epoch records it first; not what is measured here
    const gate = await datasyncGate(t, dir);
    gate.close();
    let answered = false;
    const appended = p.append(batch()).then((r) => { answered = true; return r; });
    await until(() => gate.calls > 0, 'the fdatasync to start');
    await settle();
    assert.equal(answered, false, 'not acknowledged while the fdatasync runs');
    assert.equal(log.writtenEndOffset, 2, 'the data is written (and readable) meanwhile');
    assert.equal(log.flushedEndOffset, 1);
    gate.open();
    const r = await appended;
    assert.equal(r.baseOffset, 1);
    assert.ok(log.flushedEndOffset >= 2, `flushed to ${log.flushedEndOffset} when answered`);
  });

  test('interval: answered at once, synced within flush.ms without another append', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, join(dir, 'log'));
    const p = new Partition('t', 0, log, topicConfig('interval', 50));
    defer(t, async () => p.stopTimers());
    await log.append(batch(), 0); // records epoch 0 (its checkpoint is fdatasynced); not what is measured here
    const gate = await datasyncGate(t, dir);
    gate.close();
    await p.append(batch());
    await p.append(batch());
    assert.equal(log.flushedEndOffset, 0, 'acknowledged before any fdatasync');
    gate.open();
    await until(() => log.flushedEndOffset === 3, 'the interval flush');
    const callsAfterFirst = gate.calls;
    assert.ok(callsAfterFirst > 0);
    await p.append(batch());
    await until(() => log.flushedEndOffset === 4, 'the next interval flush');
    assert.ok(gate.calls > callsAfterFirst);
  });

  test('os: answered at once and never synced on the produce path', async (t) => {
    const dir = await tempDirFor(t);
    const log = await openLog(t, join(dir, 'log'));
    const p = new Partition('t', 0, log, topicConfig('os'));
    const flush = t.mock.method(log, 'flush');
    for (let i = 0; i < 20; i++) await p.append(batch());
    await settle();
    assert.equal(log.writtenEndOffset, 20);
    assert.equal(log.flushedEndOffset, 0);
    assert.equal(flush.mock.callCount(), 0);
  });

  test('the broker default, used in embedded mode, is batch', () => {
    assert.equal(defaultBrokerConfig().topicDefaults['flush.policy'], 'batch');
  });
});

describe('a failed index write (a full disk)', () => {
  test('does not fail an append whose data is written and synced; the indexes are rebuilt on open', { skip: process.platform !== 'linux' }, async (t) => {
    const dir = await tempDirFor(t);
    const logDir = join(dir, 'log');
    const config: LogConfig = { segmentBytes: 1 << 20, indexIntervalBytes: 1 };
    const lines: string[] = [];
    const log = await Log.open(logDir, config, { log: (l) => lines.push(l) });
    defer(t, async () => log.close().catch(() => undefined));
    const first = await log.append(batch(), 0);
    await log.syncTo(first.lastOffset + 1);
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<unknown>; fd: number };
    await probe.close();
    const { write } = proto;
    let refused = 0;
    // Writes to the index files fail as on a full disk; the .log itself still has room.
    t.mock.method(proto, 'write', async function (this: { fd: number }, ...args: unknown[]) {
      if (/\.(time)?index$/.test(await readlink(`/proc/self/fd/${this.fd}`))) {
        refused += 1;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return write.apply(this, args);
    });
    const results: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await log.append(batch(), 0);
      await log.syncTo(r.lastOffset + 1);
      results.push(r.baseOffset);
    }
    assert.deepEqual(results, [1, 2, 3, 4, 5], 'every append acknowledged once synced');
    assert.ok(refused > 0, 'the index writes were refused');
    assert.equal(log.flushedEndOffset, 6);
    assert.match(lines.join('\n'), /index write failed/);
    t.mock.restoreAll();
    await log.close();
    const reopened = await Log.open(logDir, config);
    defer(t, async () => reopened.close().catch(() => undefined));
    assert.equal(reopened.logEndOffset, 6);
    assert.equal((await reopened.read(5, 1 << 20)).length, 1);
  });
});

describe('clean restart', () => {
  test('a clean restart of a 40-segment log validates no sealed segment batch by batch', async (t) => {
    const dir = await tempDirFor(t);
    const config: LogConfig = { segmentBytes: 2000, indexIntervalBytes: 300 };
    const log = await Log.open(dir, config);
    for (let i = 0; i < 800; i++) await log.append(fillerBatch({ maxTimestampMs: 1_700_000_000_000 + i, fill: i & 0xff }), 0);
    assert.ok(log.segmentCount >= 40, `${log.segmentCount} segments`);
    await log.close();
    const recover = t.mock.method(LogSegment.prototype, 'recover');
    const trusted = t.mock.method(LogSegment.prototype, 'trustAsInactive');
    const lines: string[] = [];
    const reopened = await Log.open(dir, config, { log: (l) => lines.push(l) });
    defer(t, async () => reopened.close().catch(() => undefined));
    assert.equal(recover.mock.callCount(), 0, 'no segment rescanned');
    assert.equal(trusted.mock.callCount(), reopened.segmentCount - 1, 'sealed segments checked by their indexes only');
    assert.deepEqual(lines, []);
    assert.equal(reopened.logEndOffset, 800);
  });
});
