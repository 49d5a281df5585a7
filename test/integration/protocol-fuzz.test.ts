// The protocol fuzzer (test/fuzz/) in the suite: a seeded run of at least 100,000 mutated request frames
// (every API the broker serves, every version, ten mutation kinds) over several connections against a
// real broker process. The broker must stay up, accept connections throughout, stay under a memory bound
// and serve a normal produce/fetch afterwards. The long run is `node dist/test/fuzz/run.js --minutes 10`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerForTest } from '../helpers/mq-process.js';
import { createFuzzTopic, formatFuzzReport, fuzzBroker, produceAndFetch } from '../fuzz/protocol-fuzzer.js';

const SEED = 20261207;
const FRAMES = 100_000;
const MAX_RSS_MB = 400;

test(`${FRAMES} fuzzed frames (seed ${SEED}): the broker stays up, bounded, and serves afterwards`, async (t) => {
  const broker = await brokerForTest(t);
  await createFuzzTopic(broker.port, 'fuzz');
  const report = await fuzzBroker({
    port: broker.port, pid: broker.proc.pid!, seed: SEED, topic: 'fuzz', group: 'fuzz-group',
    frames: FRAMES, durationMs: 120_000,
  });
  t.diagnostic(formatFuzzReport(report));
  assert.equal(report.death, null, `${formatFuzzReport(report)}\n${broker.output().slice(-3000)}`);
  assert.ok(report.framesSent >= FRAMES, `only ${report.framesSent} frames in the time bound`);
  // How many of each depends on how strict decoding is (stricter: more closed, fewer answered); both must happen.
  assert.ok(report.closedByBroker > 1000 && report.responses > 1000, 'the broker both answered requests and closed connections');
  assert.ok(report.peakRssMb < MAX_RSS_MB, `broker peak RSS ${report.peakRssMb.toFixed(0)} MB`);
  assert.deepEqual(await produceAndFetch(broker.port, 'after-fuzz', ['still', 'serving']), ['still', 'serving']);
});
