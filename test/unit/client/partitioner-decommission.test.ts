// The partitioner with decommissioned / deleted partitions: only keys whose murmur2 partition is
// unavailable move (onto active[hash % active.length]); keyless records stick to active partitions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { murmur2, toPositive } from '../../../src/client/murmur2.js';
import { Partitioner, type PartitionLayout } from '../../../src/client/partitioner.js';

const layout = (count: number, unavailable: number[]): PartitionLayout => ({
  unavailable: new Set(unavailable),
  active: Array.from({ length: count }, (_, p) => p).filter((p) => !unavailable.includes(p)),
});

describe('partitioner with decommissioned partitions', () => {
  test('keys of active partitions keep their partition; keys of the decommissioned one spread over the active ones', () => {
    const p = new Partitioner();
    const l = layout(6, [2]);
    const moved = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const key = Buffer.from(`key-${i}`);
      const hash = toPositive(murmur2(key));
      const before = p.partition('t', key, 6);
      const after = p.partition('t', key, 6, undefined, l);
      if (before !== 2) {
        assert.equal(after, before, `key-${i} keeps partition ${before}`);
      } else {
        assert.notEqual(after, 2);
        assert.equal(after, l.active[hash % l.active.length]);
        moved.set(after, (moved.get(after) ?? 0) + 1);
      }
      // Stable: the same key always lands on the same partition.
      assert.equal(p.partition('t', key, 6, undefined, l), after);
    }
    assert.equal(moved.size, 5, 'the moved keys use every active partition');
  });

  test('a deleted partition (a gap in the ids) is skipped the same way; the id count stays the modulus', () => {
    const p = new Partitioner();
    const l = layout(4, [0, 3]);
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(`k${i}`);
      const plain = toPositive(murmur2(key)) % 4;
      const got = p.partition('t', key, 4, undefined, l);
      assert.ok(got === 1 || got === 2);
      if (plain === 1 || plain === 2) assert.equal(got, plain);
    }
  });

  test('keyless records stick to an active partition and move among active ones when a batch closes', () => {
    let r = 0;
    const seq = [0.99, 0.0, 0.5, 0.3, 0.7, 0.1, 0.9];
    const p = new Partitioner(() => seq[r++ % seq.length]);
    const l = layout(5, [1, 4]);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const sticky = p.partition('t', null, 5, undefined, l);
      assert.ok(l.active.includes(sticky), `sticky ${sticky} is active`);
      assert.equal(p.partition('t', null, 5, undefined, l), sticky, 'sticky until its batch closes');
      p.batchClosed('t', sticky, 5, l);
      const next = p.partition('t', null, 5, undefined, l);
      assert.notEqual(next, sticky, 'closing the batch moves to another active partition');
      seen.add(sticky);
    }
    assert.deepEqual([...seen].sort(), [0, 2, 3]);
  });

  test('a sticky partition chosen before the decommission is dropped at once', () => {
    const p = new Partitioner(() => 0.5);
    const first = p.partition('t', null, 3);
    assert.equal(first, 1);
    assert.notEqual(p.partition('t', null, 3, undefined, layout(3, [1])), 1);
  });

  test('an explicit partition is used as given (the producer refuses decommissioned ones itself)', () => {
    assert.equal(new Partitioner().partition('t', Buffer.from('x'), 3, 1, layout(3, [1])), 1);
  });
});
