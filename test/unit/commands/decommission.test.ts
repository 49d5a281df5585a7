// mq brokers decommission without a cluster: the progress line's format (partitions left, leaders,
// each moving partition's new replicas against the leader), and usage errors (exit 2) for a missing
// --etcd or an id that is not a broker id. The cluster behaviour is test/integration/cluster-decommission.test.ts.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import { decommissionProgressLine, decommissionTimeoutError, safeToStopLine } from '../../../src/cli/decommission.js';
import type { ReassignmentStatus } from '../../../src/cli/reassign.js';
import { progressFigures } from '../../../src/cli/reassign-progress.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

function moving(partition: number, progress: { broker: number; sizeBytes: number | null; inIsr: boolean }[], leaderSizeBytes: number | null, state: ReassignmentStatus['state'] = 'moving'): ReassignmentStatus {
  return {
    topic: 'orders', partition, state, replicas: [4, 1, 2], target: [3, 1, 2], adding: progress.map((p) => p.broker), removing: [4],
    leader: 4, leaderLogEndOffset: null, leaderSizeBytes, throttleBytesPerSec: null, atMs: 0,
    progress: progress.map((p) => ({ ...p, logEndOffset: null, ...progressFigures({ sizeBytes: p.sizeBytes, leaderSizeBytes, inIsr: p.inIsr }) })),
  };
}

test('the progress line names the partitions left, those led, and each new replica against its leader', () => {
  const line = decommissionProgressLine({
    broker: 4, holding: ['orders-0', 'orders-1', 'orders-2'], leading: 1, done: false,
    moving: [
      moving(0, [{ broker: 3, sizeBytes: 1_140_000, inIsr: false }], 5_000_000),
      moving(1, [{ broker: 3, sizeBytes: 5_000_000, inIsr: true }], 5_000_000),
      moving(2, [{ broker: 3, sizeBytes: null, inIsr: false }], 5_000_000),
      moving(3, [], null, 'requested'),
    ],
  });
  assert.equal(line, 'broker 4: 3 partitions left (1 led by it); moving orders-0 [3: 1.1 MB/5.0 MB (22%)], orders-1 [3: in sync], orders-2 [3: ?], orders-3 [waiting for the controller]');
  assert.equal(decommissionProgressLine({ broker: 2, holding: ['t-0'], leading: 0, moving: [], done: false }), 'broker 2: 1 partition left (0 led by it)');
  assert.equal(safeToStopLine(4), 'broker 4 holds no replicas; it is safe to stop it');
});

test('a --timeout that runs out says what is left and moving, that the moves continue, and not to stop the broker', () => {
  const err = decommissionTimeoutError({
    broker: 4, holding: ['orders-0', 'orders-1'], leading: 1, done: false,
    moving: [moving(0, [{ broker: 3, sizeBytes: 1_140_000, inIsr: false }], 5_000_000)],
  }, 60, '--etcd http://127.0.0.1:2379');
  assert.equal(err.code, 'REQUEST_TIMED_OUT');
  assert.equal(err.message, 'timed out after 60 s: broker 4 still holds 2 partitions (1 led by it); still moving: orders-0 [3: 1.1 MB/5.0 MB (22%)]. The moves continue in the background');
  assert.match(err.hint ?? '', /Do not stop broker 4 yet.*mq reassign status --etcd http:\/\/127\.0\.0\.1:2379/);
});

test('usage errors exit 2: an id that is not a broker id, a bad --timeout or --throttle', async () => {
  for (const args of [['brokers', 'decommission', 'four', '--etcd', 'http://127.0.0.1:1'], ['brokers', 'decommission', '-1', '--etcd', 'http://127.0.0.1:1'],
    ['brokers', 'decommission', '4', '--etcd', 'http://127.0.0.1:1', '--wait', '--timeout', '0'],
    ['brokers', 'decommission', '4', '--etcd', 'http://127.0.0.1:1', '--throttle', 'fast']]) {
    const out = sink();
    const err = sink();
    const code = await main(args, { out, err, stdin: Readable.from([]), env: {} });
    assert.equal(code, 2, `${args.join(' ')}: ${err.text()}`);
    assert.equal(out.text(), '');
  }
});
