// LeaderEpochCache on its own: assign, Kafka's OffsetForLeaderEpoch answers, truncation from either end,
// and the `leader-epoch-checkpoint` file (exact text, reload, malformed files).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache } from '../../../src/storage/leader-epoch-cache.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

async function checkpointText(dir: string): Promise<string> {
  return readFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8');
}

describe('LeaderEpochCache', () => {
  test('assign keeps epochs increasing, replaces empty epochs, and persists every change', async (t) => {
    const dir = await tempDirFor(t);
    const cache = LeaderEpochCache.empty(dir);
    assert.equal(cache.latestEpoch, -1);
    assert.equal(await cache.assign(-1, 0), false, 'no entry for "no epoch"');
    assert.equal(await cache.assign(2, 0), true);
    assert.equal(await cache.assign(2, 10), false, 'the same epoch again changes nothing');
    assert.equal(await cache.assign(1, 10), false, 'a lower epoch changes nothing');
    assert.equal(await cache.assign(4, 10), true);
    // Epoch 4 never wrote anything: epoch 5 starting at the same offset replaces it.
    assert.equal(await cache.assign(5, 10), true);
    assert.equal(await cache.assign(7, 25), true);
    assert.deepEqual(cache.list(), [{ epoch: 2, startOffset: 0 }, { epoch: 5, startOffset: 10 }, { epoch: 7, startOffset: 25 }]);
    assert.equal(cache.latestEpoch, 7);
    assert.equal(await checkpointText(dir), '2 0\n5 10\n7 25\n');
    assert.deepEqual((await readdir(dir)).sort(), [LEADER_EPOCH_CHECKPOINT_FILE], 'the temp file was renamed away');
  });

  test('endOffsetFor answers like Kafka: floor epoch, next start or the log end, -1/-1 below the first', async (t) => {
    const cache = LeaderEpochCache.empty(await tempDirFor(t));
    assert.deepEqual(cache.endOffsetFor(0, 50), { leaderEpoch: -1, endOffset: -1 }, 'empty cache');
    await cache.assign(3, 5);
    await cache.assign(5, 20);
    await cache.assign(8, 30);
    assert.deepEqual(cache.endOffsetFor(2, 50), { leaderEpoch: -1, endOffset: -1 }, 'below the first epoch');
    assert.deepEqual(cache.endOffsetFor(3, 50), { leaderEpoch: 3, endOffset: 20 });
    assert.deepEqual(cache.endOffsetFor(4, 50), { leaderEpoch: 3, endOffset: 20 }, 'unknown epoch between two: the one below');
    assert.deepEqual(cache.endOffsetFor(5, 50), { leaderEpoch: 5, endOffset: 30 });
    assert.deepEqual(cache.endOffsetFor(8, 50), { leaderEpoch: 8, endOffset: 50 }, 'latest epoch: the log end');
    assert.deepEqual(cache.endOffsetFor(12, 50), { leaderEpoch: 8, endOffset: 50 }, 'above the latest: the latest');
  });

  test('truncateFromEnd drops entries at or past the end; truncateFromStart raises the covering one', async (t) => {
    const dir = await tempDirFor(t);
    const cache = LeaderEpochCache.empty(dir);
    for (const [e, s] of [[1, 0], [2, 10], [4, 20], [6, 30]]) await cache.assign(e, s);
    assert.equal(await cache.truncateFromEnd(31), false);
    assert.equal(await cache.truncateFromEnd(20), true);
    assert.deepEqual(cache.list(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 10 }]);
    assert.equal(cache.latestEpoch, 2);
    await cache.assign(3, 20);
    assert.equal(await cache.truncateFromStart(0), false, 'start at the first entry: nothing to do');
    assert.equal(await cache.truncateFromStart(15), true);
    assert.deepEqual(cache.list(), [{ epoch: 2, startOffset: 15 }, { epoch: 3, startOffset: 20 }]);
    assert.equal(await cache.truncateFromStart(20), true);
    assert.deepEqual(cache.list(), [{ epoch: 3, startOffset: 20 }]);
    assert.equal(await cache.truncateFromStart(25), true);
    assert.deepEqual(cache.list(), [{ epoch: 3, startOffset: 25 }]);
    assert.equal(await checkpointText(dir), '3 25\n');
    assert.equal(await cache.clear(), true);
    assert.equal(cache.latestEpoch, -1);
    assert.equal(await checkpointText(dir), '');
  });

  test('reload gives the same entries; a missing or malformed file is reported with an empty cache', async (t) => {
    const dir = await tempDirFor(t);
    const missing = await LeaderEpochCache.load(dir);
    assert.equal(missing.missing, true);
    assert.match(missing.problem ?? '', /missing/);
    const cache = missing.cache;
    await cache.assign(0, 0);
    await cache.assign(3, 100);
    const again = await LeaderEpochCache.load(dir);
    assert.equal(again.problem, null);
    assert.deepEqual(again.cache.list(), cache.list());
    assert.deepEqual(again.cache.endOffsetFor(0, 150), { leaderEpoch: 0, endOffset: 100 });
    for (const bad of ['0 0\n3 x\n', '3 0\n2 10\n', '1 10\n2 10\n', '1 -5\n', '1  5\n']) {
      await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), bad);
      const loaded = await LeaderEpochCache.load(dir);
      assert.equal(loaded.missing, false);
      assert.match(loaded.problem ?? '', /malformed or out of order/, bad);
      assert.equal(loaded.cache.latestEpoch, -1);
    }
  });
});
