// RecordIterator (Consumer.records()) behaves like the async generator it replaced: records in order
// across batches, the opening check on the first next(), errors, abort between records, return() that
// closes the fetcher's batches, and overlapping next() calls answered in order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PartitionBatch } from '../../../src/client/fetcher.js';
import { RecordIterator } from '../../../src/client/record-iterator.js';
import type { ConsumedRecord } from '../../../src/client/types.js';

function rec(offset: number): ConsumedRecord {
  return { topic: 't', partition: 0, offset, timestamp: 0, timestampType: 0, key: null, value: Buffer.from(String(offset)), headers: [] };
}

function pb(offsets: number[]): PartitionBatch {
  return { topic: 't', partition: 0, records: offsets.map(rec), nextOffset: (offsets.at(-1) ?? -1) + 1, highWatermark: 100 };
}

/** A batches() stand-in that records whether its finally ran; `fail` is thrown after the batches. */
function source(list: PartitionBatch[], fail?: Error): { gen: AsyncGenerator<PartitionBatch>; closed: () => boolean } {
  let closed = false;
  async function* gen(): AsyncGenerator<PartitionBatch> {
    try {
      for (const b of list) {
        await new Promise((resolve) => setImmediate(resolve));
        yield b;
      }
      if (fail) throw fail;
    } finally {
      closed = true;
    }
  }
  return { gen: gen(), closed: () => closed };
}

async function drain(it: AsyncIterable<ConsumedRecord>): Promise<number[]> {
  const out: number[] = [];
  for await (const r of it) out.push(r.offset);
  return out;
}

describe('RecordIterator', () => {
  test('hands out every record of every batch in order, then ends', async () => {
    const s = source([pb([0, 1, 2]), pb([3]), pb([4, 5])]);
    const stop = new AbortController();
    assert.deepEqual(await drain(new RecordIterator(() => ({ stop: stop.signal, batches: s.gen }))), [0, 1, 2, 3, 4, 5]);
    assert.equal(s.closed(), true);
  });

  test('opens lazily: the opening error comes from the first next(), and then it is done', async () => {
    let opened = 0;
    const it = new RecordIterator(() => {
      opened++;
      throw Object.assign(new Error('call assign() before records()'), { code: 'INVALID_STATE' });
    });
    assert.equal(opened, 0);
    await assert.rejects(it.next(), { code: 'INVALID_STATE' });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    assert.equal(opened, 1);
  });

  test('an error from the batches comes after the records before it, then it is done', async () => {
    const s = source([pb([0, 1])], Object.assign(new Error('boom'), { code: 'CORRUPT_MESSAGE' }));
    const it = new RecordIterator(() => ({ stop: new AbortController().signal, batches: s.gen }));
    assert.equal((await it.next()).value?.offset, 0);
    assert.equal((await it.next()).value?.offset, 1);
    await assert.rejects(it.next(), { code: 'CORRUPT_MESSAGE' });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('an abort between records ends it and closes the batches', async () => {
    const s = source([pb([0, 1, 2, 3]), pb([4])]);
    const stop = new AbortController();
    const it = new RecordIterator(() => ({ stop: stop.signal, batches: s.gen }));
    const got: number[] = [];
    for await (const r of it) {
      got.push(r.offset);
      if (r.offset === 1) stop.abort();
    }
    assert.deepEqual(got, [0, 1]);
    assert.equal(s.closed(), true);
  });

  test('break (return()) mid-batch closes the batches; later next() calls are done', async () => {
    const s = source([pb([0, 1, 2]), pb([3])]);
    const it = new RecordIterator(() => ({ stop: new AbortController().signal, batches: s.gen }));
    for await (const r of it) if (r.offset === 1) break;
    assert.equal(s.closed(), true);
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('overlapping next() calls, across batch boundaries, are answered in order', async () => {
    const s = source([pb([0]), pb([1, 2]), pb([3])]);
    const it = new RecordIterator(() => ({ stop: new AbortController().signal, batches: s.gen }));
    const all = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next(), it.return()]);
    assert.deepEqual(all.map((r) => (r.done ? 'done' : r.value.offset)), [0, 1, 2, 3, 'done', 'done']);
    assert.equal(s.closed(), true);
  });
});
