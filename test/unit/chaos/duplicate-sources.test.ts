// The chaos harness's duplicate classifier (test/chaos/duplicate-sources.ts) on a hand-made log: one
// producer batch stored twice (same producer, epoch and sequence: the broker's fault) and the same records
// sent again under the next sequence (the client's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OFF_BASE_OFFSET } from '../../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { duplicateSources } from '../../chaos/duplicate-sources.js';
import { tempDirFor } from '../../helpers/temp-dir.js';

function batch(baseOffset: number, seq: number, values: string[]): Buffer {
  const b = new RecordBatchBuilder({ producerId: 5n, producerEpoch: 0, baseSequence: seq });
  for (const v of values) b.tryAppend({ key: null, value: Buffer.from(v), timestamp: 1, headers: [] });
  const buf = Buffer.from(b.build());
  buf.writeBigInt64BE(BigInt(baseOffset), OFF_BASE_OFFSET);
  return buf;
}

test('a batch stored twice under one sequence and records re-sent under a new one are told apart', async (t) => {
  const dir = await tempDirFor(t);
  await mkdir(join(dir, 't-0'));
  await writeFile(join(dir, 't-0', '00000000000000000000.log'), Buffer.concat([
    batch(0, 0, ['a', 'b']), batch(2, 0, ['a', 'b']), batch(4, 2, ['c']), batch(5, 3, ['c']),
  ]));
  const found = await duplicateSources('t', dir);
  assert.deepEqual([found.sameSequence, found.resent], [2, 1]);
});
