import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OffsetIndex } from '../../../src/storage/offset-index.js';
import { TimeIndex } from '../../../src/storage/time-index.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

describe('OffsetIndex', () => {
  test('lookup returns the last entry at or below the offset', () => {
    const index = new OffsetIndex('unused');
    for (const [rel, pos] of [[5, 400], [9, 800], [20, 1300]]) index.append(rel, pos);
    assert.equal(index.lookup(4), null);
    assert.deepEqual(index.lookup(5), { relativeOffset: 5, position: 400 });
    assert.deepEqual(index.lookup(19), { relativeOffset: 9, position: 800 });
    assert.deepEqual(index.lookup(1_000), { relativeOffset: 20, position: 1300 });
  });

  test('persists incrementally, loads back, and checks against the log', async (t) => {
    const path = join(await tempDirFor(t), '00000000000000000000.index');
    const index = new OffsetIndex(path);
    defer(t, async () => index.close());
    index.reset();
    index.append(3, 300);
    await index.persist();
    index.append(7, 650);
    await index.persist();
    assert.deepEqual(await readFile(path), Buffer.from([0, 0, 0, 3, 0, 0, 1, 44, 0, 0, 0, 7, 0, 0, 2, 138]));
    const loaded = await OffsetIndex.load(path);
    assert.deepEqual(loaded.last(), { relativeOffset: 7, position: 650 });
    assert.equal(loaded.check(700, 10), null);
    assert.match(loaded.check(650, 10)!, /past the 650-byte log/);
    assert.match(loaded.check(700, 7)!, /past the segment's end/);
    assert.match(loaded.check(61, null)!, /more than a 61-byte log can hold/);
  });

  test('a malformed file loads empty with the reason, and is replaced on persist', async (t) => {
    const path = join(await tempDirFor(t), 'x.index');
    await writeFile(path, Buffer.from([0, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 8, 0, 0, 2, 0]));
    const index = await OffsetIndex.load(path);
    defer(t, async () => index.close());
    assert.match(index.loadProblem!, /out of order/);
    assert.equal(index.length, 0);
    index.append(1, 100);
    await index.persist();
    assert.deepEqual(await readFile(path), Buffer.from([0, 0, 0, 1, 0, 0, 0, 100]));
    assert.match((await OffsetIndex.load(join(path, '..', 'missing.index'))).loadProblem!, /missing/);
  });
});

describe('TimeIndex', () => {
  test('keeps only growing timestamps and finds a safe start below a target', async (t) => {
    const path = join(await tempDirFor(t), 'x.timeindex');
    const index = new TimeIndex(path);
    defer(t, async () => index.close());
    index.reset();
    index.maybeAppend(100, 2);
    index.maybeAppend(100, 4);
    index.maybeAppend(90, 5);
    index.maybeAppend(250, 7);
    assert.equal(index.length, 2);
    assert.equal(index.lookupBelow(100), null);
    assert.equal(index.lookupBelow(101), 2);
    assert.equal(index.lookupBelow(250), 2);
    assert.equal(index.lookupBelow(251), 7);
    await index.persist();
    const loaded = await TimeIndex.load(path);
    assert.deepEqual(loaded.last(), { timestampMs: 250, relativeOffset: 7 });
    assert.equal(loaded.check(1000, 8), null);
    assert.match(loaded.check(1000, 7)!, /past the segment's end/);
    assert.match(new TimeIndex('unused').check(100, null)!, /non-empty segment is empty/);
  });
});
