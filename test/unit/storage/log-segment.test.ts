// LogSegment's one write path, driven asynchronously (write) and synchronously (writeNow), on a real
// file with the failures injected into node's file calls: a short write is continued, a failed write
// is cut back to the last whole batch, and a cut-back that fails too is done by the next write before
// it writes, so the segment always ends exactly at its last whole batch.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assignOffset, baseOffsetAt, lastOffsetDeltaAt } from '../../../src/protocol/batch-header.js';
import { FilePool } from '../../../src/storage/file-pool.js';
import { LogSegment } from '../../../src/storage/log-segment.js';
import { fillerBatch } from '../../helpers/filler-batch.js';
import { defer } from '../../helpers/in-process-broker.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

type Method = (...args: unknown[]) => Promise<unknown>;
interface FileHandleMethods { write: Method; writev: Method; truncate: Method }

/** FileHandle.prototype, whose methods the segment's asynchronous writes go through. */
async function fileHandleProto(dir: string): Promise<FileHandleMethods> {
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as FileHandleMethods;
  await probe.close();
  return proto;
}

const diskFull = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A batch of `records` records and `sizeBytes` bytes stored at `baseOffset`. */
function batchAt(baseOffset: number, records: number, sizeBytes: number): Buffer {
  const b = fillerBatch({ records, sizeBytes, fill: baseOffset & 0xff });
  assignOffset(b, baseOffset, 0);
  return b;
}

/** A new segment at offset 0 in its own folder, closed after the test; its descriptor is open. */
async function newSegment(t: TestContext): Promise<{ dir: string; seg: LogSegment }> {
  const dir = await tempDirFor(t);
  const seg = await LogSegment.create(dir, 0, 4096, Date.now(), new FilePool(16));
  defer(t, () => seg.close());
  await seg.fileSizeBytes();
  return { dir, seg };
}

/** The segment file holds exactly `batches`, and a full recovery scan of it cuts nothing. */
async function assertHolds(seg: LogSegment, batches: Buffer[]): Promise<void> {
  assert.deepEqual(await readFile(seg.logPath), Buffer.concat(batches));
  assert.equal(seg.sizeBytes, Buffer.concat(batches).length);
  const last = batches[batches.length - 1];
  assert.equal(seg.endOffset, last === undefined ? seg.baseOffset : baseOffsetAt(last) + lastOffsetDeltaAt(last) + 1);
  assert.equal(await seg.recover(), null);
}

describe('LogSegment writes', () => {
  for (const path of ['write, one batch', 'write, several batches', 'writeNow']) {
    test(`a short write is continued until the batches are whole (${path})`, async (t) => {
      const { dir, seg } = await newSegment(t);
      const proto = await fileHandleProto(dir);
      const { write, writev } = proto;
      const first = batchAt(0, 2, 300);
      const second = batchAt(2, 1, 200);
      let shortened = 0;
      // The first call of each kind writes only 7 bytes and reports it, as a pwrite(v) interrupted may.
      t.mock.method(proto, 'write', function (this: unknown, ...args: unknown[]) {
        if (shortened++ === 0) return write.call(this, args[0], args[1], 7, args[3]);
        return write.apply(this, args);
      });
      t.mock.method(proto, 'writev', function (this: unknown, ...args: unknown[]) {
        if (shortened++ === 0) return write.call(this, (args[0] as Buffer[])[0], 0, 7, args[1]);
        return writev.apply(this, args);
      });
      const writeSync = fs.writeSync;
      t.mock.method(fs, 'writeSync', (...args: unknown[]) => {
        const [fd, buffer, offset, , position] = args as [number, Buffer, number, number, number];
        if (shortened++ === 0) return writeSync(fd, buffer, offset, 7, position);
        return (writeSync as (...a: unknown[]) => number)(...args);
      });
      if (path === 'write, one batch') {
        await seg.write([first]);
        await seg.write([second]);
      } else if (path === 'write, several batches') {
        await seg.write([first, second]);
      } else {
        assert.equal(seg.writeNow([first]), true);
        assert.equal(seg.writeNow([second]), true);
      }
      assert.ok(shortened >= 2, 'the write went on after the short one');
      await assertHolds(seg, [first, second]);
    });

    test(`a partial write that fails is cut back, and its retry leaves exactly the whole batches (${path})`, async (t) => {
      const { dir, seg } = await newSegment(t);
      const kept = batchAt(0, 3, 250);
      await seg.write([kept]);
      const proto = await fileHandleProto(dir);
      const { write, writev } = proto;
      const failing = [batchAt(3, 2, 400), batchAt(5, 1, 150)];
      const batches = path === 'write, several batches' ? failing : failing.slice(0, 1);
      let failures = 0;
      // 300 bytes reach the file, then the disk is full.
      t.mock.method(proto, 'write', function (this: unknown, ...args: unknown[]) {
        if (args[0] === batches[0] && failures++ === 0) return write.call(this, args[0], 0, 300, args[3]).then(() => { throw diskFull(); });
        return write.apply(this, args);
      });
      t.mock.method(proto, 'writev', function (this: unknown, ...args: unknown[]) {
        const buffers = args[0] as Buffer[];
        if (buffers[0] === batches[0] && failures++ === 0) return write.call(this, buffers[0], 0, 300, args[1]).then(() => { throw diskFull(); });
        return writev.apply(this, args);
      });
      const writeSync = fs.writeSync;
      t.mock.method(fs, 'writeSync', (...args: unknown[]) => {
        const [fd, buffer, , , position] = args as [number, Buffer, number, number, number];
        if (buffer === batches[0] && failures++ === 0) {
          writeSync(fd, buffer, 0, 300, position);
          throw diskFull();
        }
        return (writeSync as (...a: unknown[]) => number)(...args);
      });
      if (path === 'writeNow') assert.throws(() => seg.writeNow(batches), { code: 'ENOSPC' });
      else await assert.rejects(seg.write(batches), { code: 'ENOSPC' });
      assert.equal(failures, 1);
      await assertHolds(seg, [kept]);
      if (path === 'writeNow') assert.equal(seg.writeNow(batches), true);
      else await seg.write(batches);
      await assertHolds(seg, [kept, ...batches]);
    });
  }

  test('a cut-back that fails too is done by the next write first; writeNow leaves it to write()', async (t) => {
    const { dir, seg } = await newSegment(t);
    const kept = batchAt(0, 1, 200);
    await seg.write([kept]);
    const proto = await fileHandleProto(dir);
    const { write, truncate } = proto;
    const failing = batchAt(1, 4, 900);
    const next = batchAt(1, 1, 120);
    let truncations = 0;
    t.mock.method(proto, 'write', function (this: unknown, ...args: unknown[]) {
      if (args[0] === failing) return write.call(this, args[0], 0, 600, args[3]).then(() => { throw diskFull(); });
      return write.apply(this, args);
    });
    // The first truncation (the cut-back right after the failure) fails as well.
    t.mock.method(proto, 'truncate', function (this: unknown, ...args: unknown[]) {
      if (truncations++ === 0) return Promise.reject(Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' }));
      return truncate.apply(this, args);
    });
    await assert.rejects(seg.write([failing]), { code: 'ENOSPC' }, 'the write fails with its own error, not the cut-back\'s');
    assert.equal(truncations, 1);
    assert.equal((await stat(seg.logPath)).size, 200 + 600, 'the torn bytes are still in the file');
    assert.equal(seg.sizeBytes, 200);
    assert.equal(seg.writeNow([next]), false, 'writeNow leaves the cut to write()');
    assert.equal((await stat(seg.logPath)).size, 800);
    await seg.write([next]);
    assert.equal(truncations, 2, 'the next write cut the torn bytes first');
    await assertHolds(seg, [kept, next]);
  });
});
