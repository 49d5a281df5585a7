// mq reassign: broker id lists, the status table's PROGRESS column, and usage errors from the real
// command line (exit 2) for a bad --brokers value and a bad plan file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBrokerIds, progressText, reassignStatusRows, type ReassignmentStatus } from '../../../src/cli/reassign.js';
import { main } from '../../../commands/index.js';
import { tempDir } from '../../helpers/mq-process.js';
import { PassThrough } from 'node:stream';

test('--brokers takes distinct non-negative ids', () => {
  assert.deepEqual(parseBrokerIds('1, 2,3,4'), [1, 2, 3, 4]);
  assert.throws(() => parseBrokerIds('1,x'), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds('1,-2'), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds(''), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds('1,1'), /twice/);
});

const base: ReassignmentStatus = {
  topic: 'orders', partition: 0, state: 'moving', replicas: [1, 2, 3, 4], target: [4, 2, 3], adding: [4], removing: [1],
  leader: 1, leaderLogEndOffset: 5000, progress: [{ broker: 4, logEndOffset: 1200, inIsr: false }],
};

test('PROGRESS shows each adding replica against its leader', () => {
  assert.equal(progressText(base), '4: 1200/5000 (24%)');
  assert.equal(progressText({ ...base, progress: [{ broker: 4, logEndOffset: 5000, inIsr: true }] }), '4: in sync');
  assert.equal(progressText({ ...base, leaderLogEndOffset: null }), '4: ?');
  assert.equal(progressText({ ...base, state: 'requested', adding: [], progress: [] }), 'waiting for the controller');
  assert.deepEqual(reassignStatusRows([base]), [['orders', '0', 'moving', '1,2,3,4', '4,2,3', '4', '1', '4: 1200/5000 (24%)']]);
});

async function mq(args: string[]): Promise<{ code: number; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let errText = '';
  err.on('data', (d) => { errText += d; });
  out.resume();
  const code = await main(args, { out, err, env: {}, signal: new AbortController().signal });
  return { code, err: errText };
}

test('a bad --brokers value and a bad plan file are usage errors (exit 2)', async (t) => {
  assert.equal((await mq(['reassign', 'plan', '--brokers', '1,a'])).code, 2);
  const dir = await tempDir('mq-reassign-unit-');
  t.after(() => dir.remove());
  const file = join(dir.path, 'plan.json');
  await writeFile(file, '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}');
  const r = await mq(['reassign', 'execute', file, '--etcd', 'http://127.0.0.1:1']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /lists a broker twice/);
});
