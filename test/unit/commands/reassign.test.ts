// mq reassign: broker id lists, the status table's PROGRESS column, and usage errors from the real
// command line (exit 2) for a bad --brokers value and a bad plan file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBrokerIds, parseThrottle, progressText, reassignStatusRows, type ReassignmentStatus } from '../../../src/cli/reassign.js';
import { formatEta, liveFrame, progressBar, progressFigures } from '../../../src/cli/reassign-progress.js';
import { main } from '../../../commands/index.js';
import { tempDir } from '../../helpers/mq-process.js';
import { PassThrough } from 'node:stream';
import { defer } from '../../helpers/in-process-broker.js';

test('--brokers takes distinct non-negative ids', () => {
  assert.deepEqual(parseBrokerIds('1, 2,3,4'), [1, 2, 3, 4]);
  assert.throws(() => parseBrokerIds('1,x'), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds('1,-2'), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds(''), /not a comma-separated list/);
  assert.throws(() => parseBrokerIds('1,1'), /twice/);
});

const base: ReassignmentStatus = {
  topic: 'orders', partition: 0, state: 'moving', replicas: [1, 2, 3, 4], target: [4, 2, 3], adding: [4], removing: [1],
  leader: 1, leaderLogEndOffset: 5000, leaderSizeBytes: 50_000_000, throttleBytesPerSec: 2_000_000, atMs: 2000,
  progress: [{
    broker: 4, logEndOffset: 1200, sizeBytes: 12_000_000, inIsr: false,
    ...progressFigures({ sizeBytes: 12_000_000, leaderSizeBytes: 50_000_000, inIsr: false, previousSizeBytes: 10_000_000, elapsedMs: 1000 }),
  }],
};

test('PROGRESS shows each adding replica\'s bytes against its leader, with RATE, ETA and THROTTLE', () => {
  assert.equal(progressText(base), '4: 12.0 MB/50.0 MB (24%)');
  assert.equal(progressText({ ...base, progress: [{ ...base.progress[0], inIsr: true }] }), '4: in sync');
  assert.equal(progressText({ ...base, leaderSizeBytes: null }), '4: ?');
  assert.equal(progressText({ ...base, state: 'requested', adding: [], progress: [] }), 'waiting for the controller');
  assert.deepEqual(reassignStatusRows([base]), [['orders', '0', 'moving', '1,2,3,4', '4,2,3', '4', '1', '4: 12.0 MB/50.0 MB (24%)', '2.0 MB/s', '19s', '2.0 MB/s']]);
  const unknown = { ...base, throttleBytesPerSec: null, progress: [{ ...base.progress[0], rateBytesPerSec: null, etaSeconds: null }] };
  assert.deepEqual(reassignStatusRows([unknown]).map((r) => r.slice(8)), [['-', '-', '-']]);
});

test('progress arithmetic: percent, remaining bytes, rate between samples, ETA rounded up', () => {
  assert.deepEqual(progressFigures({ sizeBytes: 250, leaderSizeBytes: 1000, inIsr: false, previousSizeBytes: 150, elapsedMs: 500 }),
    { caughtUpBytes: 250, remainingBytes: 750, percent: 25, rateBytesPerSec: 200, etaSeconds: 4 });
  // No previous sample: no rate, no ETA.
  assert.deepEqual(progressFigures({ sizeBytes: 999, leaderSizeBytes: 1000, inIsr: false }),
    { caughtUpBytes: 999, remainingBytes: 1, percent: 99, rateBytesPerSec: null, etaSeconds: null });
  // Not growing (a paused or fully throttled replica): rate 0, ETA unknown.
  assert.equal(progressFigures({ sizeBytes: 10, leaderSizeBytes: 100, inIsr: false, previousSizeBytes: 10, elapsedMs: 1000 }).etaSeconds, null);
  // Shrunk (truncated by epoch): rate clamps to 0.
  assert.equal(progressFigures({ sizeBytes: 5, leaderSizeBytes: 100, inIsr: false, previousSizeBytes: 10, elapsedMs: 1000 }).rateBytesPerSec, 0);
  // In the ISR: done whatever the sizes say; a replica bigger than its leader caps at 100%.
  assert.deepEqual(progressFigures({ sizeBytes: 10, leaderSizeBytes: 100, inIsr: true }), { caughtUpBytes: 10, remainingBytes: 0, percent: 100, rateBytesPerSec: null, etaSeconds: 0 });
  assert.equal(progressFigures({ sizeBytes: 120, leaderSizeBytes: 100, inIsr: false }).percent, 100);
  assert.equal(progressFigures({ sizeBytes: 0, leaderSizeBytes: 0, inIsr: false }).percent, 100);
  assert.deepEqual(progressFigures({ sizeBytes: null, leaderSizeBytes: 100, inIsr: false }), { caughtUpBytes: null, remainingBytes: null, percent: null, rateBytesPerSec: null, etaSeconds: null });
  assert.equal(formatEta(null), '-');
  assert.equal(formatEta(9), '9s');
  assert.equal(formatEta(75), '1m15s');
  assert.equal(formatEta(3700), '1h01m');
  assert.equal(progressBar(50, 10), '#####-----');
  assert.equal(progressBar(null, 4), '----');
  assert.equal(progressBar(140, 4), '####');
});

test('the live frame: a bar per moving replica and a totals line, cut to the terminal width', () => {
  const row = (label: string, size: number, leader: number, rate: number | null) => ({
    label, leaderSizeBytes: leader, throttleBytesPerSec: null,
    figures: progressFigures({ sizeBytes: size, leaderSizeBytes: leader, inIsr: false, previousSizeBytes: rate === null ? undefined : size - rate, elapsedMs: 1000 }),
  });
  const lines = liveFrame([row('orders-0 -> 4', 25_000_000, 100_000_000, 5_000_000), row('orders-1 -> 4', 50_000_000, 100_000_000, 5_000_000)], 200);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^orders-0 -> 4 {2}\[######------------------\] {2}25% {2}25\.0 MB\/100 MB {2}5\.0 MB\/s {2}eta 15s$/);
  assert.match(lines[2], /^total: 2 moving {2}\[#########---------------\] 37% {2}125 MB left {2}10\.0 MB\/s {2}eta 15s$/);
  const unknownRate = liveFrame([row('orders-0 -> 4', 25_000_000, 100_000_000, null)], 200);
  assert.match(unknownRate[1], /eta -$/);
  assert.ok(liveFrame([row('orders-0 -> 4', 1, 2, 1)], 30).every((l) => l.length <= 30));
});

test('--throttle takes a positive number of MB/s', () => {
  assert.equal(parseThrottle('10'), 10_000_000);
  assert.equal(parseThrottle('0.5'), 500_000);
  assert.equal(parseThrottle('none', true), null);
  for (const bad of ['0', '-1', 'abc', '', '1e3', 'none', '0.0000001']) assert.throws(() => parseThrottle(bad), /not a positive number of MB\/s/, bad);
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
  defer(t, async () => dir.remove());
  const file = join(dir.path, 'plan.json');
  await writeFile(file, '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}');
  const r = await mq(['reassign', 'execute', file, '--etcd', 'http://127.0.0.1:1']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /lists a broker twice/);
  const bad = await mq(['reassign', 'execute', file, '--etcd', 'http://127.0.0.1:1', '--throttle', '0']);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err, /not a positive number of MB\/s/);
  assert.equal((await mq(['reassign', 'throttle', 'fast', '--etcd', 'http://127.0.0.1:1'])).code, 2);
});
