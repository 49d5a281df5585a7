import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseOffsetAt, lastOffsetDeltaAt } from '../../../src/protocol/batch-header.js';
import { Log, type LogConfig } from '../../../src/storage/log.js';
import { TailCache } from '../../../src/storage/tail-cache.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

/** A stored batch (BaseOffset set) of `records` records and `sizeBytes` bytes. */
function stored(baseOffset: number, records: number, sizeBytes = 100): Buffer {
  const b = fillerBatch({ records, sizeBytes, fill: baseOffset & 0xff });
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  return b;
}

/** [baseOffset, lastOffset] of every batch in the buffers. */
function spans(buffers: Buffer[]): [number, number][] {
  const out: [number, number][] = [];
  for (const buf of buffers) {
    for (let at = 0; at < buf.length;) {
      const base = baseOffsetAt(buf, at);
      out.push([base, base + lastOffsetDeltaAt(buf, at)]);
      at += 12 + buf.readInt32BE(at + 8);
    }
  }
  return out;
}

describe('TailCache', () => {
  test('reads whole batches from the one holding the offset, within maxBytes and below upTo', () => {
    const c = new TailCache(10_000, 1 << 30, 100);
    // Batches at offsets 10-11, 12, 13-15, 16.
    c.add(stored(10, 2), 10, 11);
    c.add(stored(12, 1), 12, 12);
    c.add(stored(13, 3), 13, 15);
    c.add(stored(16, 1), 16, 16);
    assert.equal(c.firstOffset, 10);
    assert.equal(c.sizeBytes, 400);
    assert.deepEqual(spans(c.read(11, 1 << 20, 17)!), [[10, 11], [12, 12], [13, 15], [16, 16]]);
    assert.equal(c.read(11, 1 << 20, 17)!.length, 1, 'several batches come joined in one buffer');
    assert.deepEqual(spans(c.read(14, 1 << 20, 17)!), [[13, 15], [16, 16]]);
    // maxBytes: the first batch always whole, then only whole batches that fit.
    assert.deepEqual(spans(c.read(12, 1, 17)!), [[12, 12]]);
    assert.deepEqual(spans(c.read(12, 250, 17)!), [[12, 12], [13, 15]]);
    // upTo: no batch holding an offset at or past it; a first batch past it gives nothing.
    assert.deepEqual(spans(c.read(10, 1 << 20, 15)!), [[10, 11], [12, 12]]);
    assert.deepEqual(c.read(13, 1 << 20, 15), []);
    // Outside the cached range: the caller reads the file.
    assert.equal(c.read(9, 1 << 20, 17), null);
    assert.equal(c.read(17, 1 << 20, 17), null);
  });

  test('a single batch is handed out as written, not copied', () => {
    const c = new TailCache();
    const b = stored(0, 1);
    c.add(b, 0, 0);
    const got = c.read(0, 1 << 20, 1)!;
    assert.equal(got.length, 1);
    assert.equal(got[0], b);
    c.clear();
  });

  test('a batch that does not continue the range restarts it', () => {
    const c = new TailCache();
    c.add(stored(0, 1), 0, 0);
    c.add(stored(1, 1), 1, 1);
    c.add(stored(5, 2), 5, 6);
    assert.equal(c.firstOffset, 5);
    assert.equal(c.read(1, 1 << 20, 7), null);
    assert.deepEqual(spans(c.read(5, 1 << 20, 7)!), [[5, 6]]);
    c.clear();
  });

  test('evicts the oldest batches past its byte and batch limits, and keeps the process total', (t: TestContext) => {
    const before = TailCache.totalBytes;
    const c = new TailCache(350, 1 << 30, 100);
    defer(t, async () => c.clear());
    for (let i = 0; i < 5; i++) c.add(stored(i, 1), i, i);
    assert.equal(c.sizeBytes, 300);
    assert.equal(c.firstOffset, 2);
    assert.equal(TailCache.totalBytes, before + 300);
    const byCount = new TailCache(1 << 20, 1 << 30, 2);
    defer(t, async () => byCount.clear());
    for (let i = 0; i < 5; i++) byCount.add(stored(i, 1), i, i);
    assert.equal(byCount.firstOffset, 3);
    // A batch larger than the whole cache is not kept, and nothing older is either.
    c.add(stored(5, 1, 400), 5, 5);
    assert.equal(c.sizeBytes, 0);
    assert.equal(c.read(5, 1 << 20, 6), null);
    c.clear();
    byCount.clear();
    assert.equal(TailCache.totalBytes, before);
  });

  test('a cache that would go over the process total drops its own oldest batches first', (t: TestContext) => {
    const base = TailCache.totalBytes;
    const a = new TailCache(1 << 20, base + 300, 100);
    const b = new TailCache(1 << 20, base + 300, 100);
    defer(t, async () => { a.clear(); b.clear(); });
    a.add(stored(0, 1), 0, 0);
    a.add(stored(1, 1), 1, 1);
    b.add(stored(0, 1), 0, 0);
    assert.equal(TailCache.totalBytes, base + 300);
    b.add(stored(1, 1), 1, 1); // over the total: b has only its own batch 0 to drop
    assert.equal(b.firstOffset, 1);
    assert.equal(TailCache.totalBytes, base + 300);
    b.add(stored(2, 1, 250), 2, 2); // does not fit even alone next to a's 200 bytes
    assert.equal(b.sizeBytes, 0);
    assert.equal(TailCache.totalBytes, base + 200);
  });
});

describe('Log reads near the end (tail cache and synchronous small writes)', () => {
  const config: LogConfig = { segmentBytes: 1500, indexIntervalBytes: 150 };
  const batches = (n: number, from = 0): Buffer[] =>
    Array.from({ length: n }, (_, i) => fillerBatch({ records: 1 + ((from + i) % 3), sizeBytes: 100 + ((from + i) % 4) * 20, fill: from + i }));

  /** Every read the test compares: each offset, with a few byte limits. */
  async function allReads(log: Log): Promise<Buffer[][]> {
    const out: Buffer[][] = [];
    for (let o = log.logStartOffset; o <= log.logEndOffset; o++) {
      for (const maxBytes of [1, 150, 400, 1 << 20]) out.push(await log.read(o, maxBytes));
    }
    return out;
  }

  test('answers exactly as the files do, across rolls and a truncation', async (t) => {
    const dir = await tempDirFor(t);
    const open = async (): Promise<Log> => {
      const log = await Log.open(dir, config);
      defer(t, async () => log.close().catch(() => undefined));
      return log;
    };
    const first = await open();
    for (const b of batches(40)) await first.append(b, 0);
    // Appends made in one go (queued together, written by one writev) are cached too.
    await Promise.all(batches(10, 40).map((b) => first.append(b, 0)));
    const fromMemory = await allReads(first);
    await first.close();
    const second = await open();
    assert.deepEqual(fromMemory, await allReads(second), 'the same reads from the files after a reopen');

    for (const b of batches(10, 50)) await second.append(b, 0);
    await second.truncateTo(second.logEndOffset - 7);
    for (const b of batches(5, 100)) await second.append(b, 0);
    const afterTruncation = await allReads(second);
    await second.close();
    assert.deepEqual(afterTruncation, await allReads(await open()));
  });

  test('reads of the newest batches come from memory, older ones from the file', async (t) => {
    const dir = await tempDirFor(t);
    const log = await Log.open(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 4096 });
    defer(t, async () => log.close().catch(() => undefined));
    const written = Array.from({ length: 2000 }, (_, i) => fillerBatch({ sizeBytes: 100, fill: i & 0xff }));
    for (const b of written) await log.append(b, 0);
    // Overwrite the segment file with zeros: what still reads back intact was not read from it.
    const fh = await openFile(join(dir, '00000000000000000000.log'), 'r+');
    await fh.write(Buffer.alloc(200_000), 0, 200_000, 0);
    await fh.close();
    const newest = await log.read(1999, 1 << 20);
    assert.deepEqual(newest, [written[1999]]);
    assert.equal(spans(await log.read(1500, 1 << 20)).length, 500);
    await assert.rejects(log.read(0, 1 << 20), 'offset 0 is past the cache (1,024 batches) and its bytes are gone');
  });
});
