// The FilePool caps open descriptors: a log with many segments is written, read back and reopened
// with at most `maxOpen` descriptors open, and every byte reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_BATCH_LENGTH, OFF_MAGIC, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, baseOffsetAt, batchSizeAt, writeCrc,
} from '../../../src/protocol/batch-header.js';
import { FilePool } from '../../../src/storage/file-pool.js';
import { Log } from '../../../src/storage/log.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

function batch(fill: number): Buffer {
  const buf = Buffer.alloc(120, fill);
  buf.fill(0, 0, BATCH_HEADER_BYTES);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  buf.writeInt8(2, OFF_MAGIC);
  buf.writeInt32BE(1, OFF_RECORDS_COUNT);
  buf.writeBigInt64BE(-1n, OFF_PRODUCER_ID); // no producer id, as non-idempotent clients send
  writeCrc(buf);
  return buf;
}

test('a log of 40 segments in 8 logs stays within a pool of 6 descriptors', async (t) => {
  const dir = await tempDirFor(t, 'mq-pool-');
  const pool = new FilePool(6);
  let maxSeen = 0;
  const open = async () => Promise.all(Array.from({ length: 8 }, (_, i) => Log.open(join(dir, `p${i}`), { segmentBytes: 600, indexIntervalBytes: 100 }, { filePool: pool })));
  let logs = await open();
  for (let n = 0; n < 25; n++) {
    await Promise.all(logs.map((log, i) => log.append(batch((n + i) & 0xff), 0)));
    maxSeen = Math.max(maxSeen, pool.openCount);
  }
  await Promise.all(logs.map((l) => l.flush()));
  for (const log of logs) assert.ok(log.segmentCount >= 5);
  assert.ok(maxSeen <= 6 + 8, `at most the cap plus one busy file per log (${maxSeen})`);
  assert.ok(pool.openCount <= 6);
  await Promise.all(logs.map((l) => l.close()));
  logs = await open();
  for (const [i, log] of logs.entries()) {
    const all = Buffer.concat(await log.read(0, 1 << 20));
    let n = 0;
    for (let at = 0; at < all.length; at += batchSizeAt(all, at), n++) {
      assert.equal(baseOffsetAt(all, at), n);
      assert.equal(all[at + BATCH_HEADER_BYTES], (n + i) & 0xff);
    }
    assert.equal(n, 25);
    assert.ok(pool.openCount <= 6);
  }
  await Promise.all(logs.map((l) => l.close()));
  assert.equal(pool.openCount, 0);
});
