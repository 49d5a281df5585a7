// Retention applied live and offsets out of range, through one real broker process: `mq topics alter
// --config retention.ms=...` applies to a running broker (no restart); Fetch below the log start or past
// the end answers OFFSET_OUT_OF_RANGE; `mq consume` follows --auto-offset-reset (earliest / latest /
// none) with a message naming the valid range; `mq consume -o @TIME` lands on the right record across
// segments (time index); segment.ms rolls a segment by age alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createProducer } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { readPartitionRaw } from '../helpers/raw-log.js';
import { WireSocket } from '../helpers/wire.js';
import { brokerForTest, eventually, run, uniqueTopic } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const FAST_RETENTION = { MQ_LOG_RETENTION_CHECK_INTERVAL_MS: '100' };
const HOUR_MS = 3_600_000;

async function produce(bootstrap: string, topic: string, records: { value: string; timestamp: number }[]): Promise<void> {
  const producer = createProducer({ bootstrap: [bootstrap], acks: 1, lingerMs: 0, batchSize: 1 });
  try {
    for (const r of records) await producer.send({ topic, partition: 0, value: Buffer.from(r.value), timestamp: r.timestamp });
  } finally {
    await producer.close();
  }
}

async function segmentFiles(dataDir: string, topic: string): Promise<string[]> {
  return (await readdir(join(dataDir, `${topic}-0`))).filter((f) => f.endsWith('.log')).sort();
}

/** One raw Fetch v5 of partition 0 at `offset`: its error code and log start offset. */
async function fetchAt(port: number, topic: string, offset: number): Promise<{ errorCode: number; logStartOffset: number; highWatermark: number }> {
  const ws = await WireSocket.connect(port);
  try {
    const res = await ws.request(ApiKey.Fetch, 5, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    });
    const p = res.responses[0].partitions[0];
    return { errorCode: p.errorCode, logStartOffset: Number(p.logStartOffset), highWatermark: Number(p.highWatermark) };
  } finally {
    ws.close();
  }
}

test('retention.ms altered on a running broker deletes old segments live; out-of-range fetches and consumes follow auto.offset.reset; -o @TIME', async (t) => {
  const broker = await brokerForTest(t, { env: FAST_RETENTION });
  const topic = uniqueTopic('live-retention');
  const mq = (args: string[]) => run([...args, '-b', broker.bootstrap]);
  const created = await mq(['topics', 'create', topic, '-p', '1', '--config', 'segment.bytes=1024']);
  assert.equal(created.code, 0, created.stderr);

  const now = Date.now();
  // 100 records an hour old (expired under retention.ms=2000, kept under the default 7 days), then 40
  // stamped an hour ahead, 1 s apart, so they cannot expire while the test runs.
  const old = Array.from({ length: 100 }, (_, i) => ({ value: `old-${i}`, timestamp: now - HOUR_MS + i }));
  const fresh = Array.from({ length: 40 }, (_, i) => ({ value: `new-${i}`, timestamp: now + HOUR_MS + i * 1000 }));
  await produce(broker.bootstrap, topic, [...old, ...fresh]);
  const segmentsBefore = await segmentFiles(broker.dataDir, topic);
  assert.ok(segmentsBefore.length >= 8, `${segmentsBefore.length} segments`);
  assert.equal((await readPartitionRaw(broker.port, topic)).logStartOffset, 0, 'the default retention (7 days) keeps them');

  const altered = await mq(['topics', 'alter', topic, '--config', 'retention.ms=2000']);
  assert.equal(altered.code, 0, altered.stderr);
  assert.match(altered.stdout, /retention\.ms: 604800000 -> 2000/);
  const after = (await eventually(async () => {
    const p = await readPartitionRaw(broker.port, topic);
    return p.logStartOffset > 0 && !p.values.includes('old-0') ? p : null;
  }, { timeoutMs: 20_000 }))!;
  assert.equal(broker.proc.exitCode, null, 'the same broker process, never restarted');
  assert.deepEqual(after.values.slice(-fresh.length), fresh.map((r) => r.value), 'every newer record is kept');
  const keptOld = after.values.length - fresh.length;
  assert.ok(keptOld < 20, `${keptOld} old records kept (only those sharing a segment with newer ones)`);
  const start = after.logStartOffset;
  assert.equal(start, old.length - keptOld);
  const segmentsAfter = await eventually(async () => {
    const f = await segmentFiles(broker.dataDir, topic);
    return f[0] === `${String(start).padStart(20, '0')}.log` ? f : null;
  });
  assert.ok(segmentsAfter!.length < segmentsBefore.length);
  const described = JSON.parse((await mq(['topics', 'describe', topic, '--json'])).stdout) as { configs: { name: string; value: string; source: string }[] };
  assert.deepEqual(described.configs.find((c) => c.name === 'retention.ms'), { name: 'retention.ms', value: '2000', source: 'topic' });

  // Over the wire: below the log start and past the end are OFFSET_OUT_OF_RANGE; the end itself is fine.
  const end = after.highWatermark;
  assert.equal(end, old.length + fresh.length);
  const below = await fetchAt(broker.port, topic, 0);
  assert.deepEqual([below.errorCode, below.logStartOffset], [ErrorCode.OFFSET_OUT_OF_RANGE, start]);
  assert.equal((await fetchAt(broker.port, topic, end + 1)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.equal((await fetchAt(broker.port, topic, end)).errorCode, ErrorCode.NONE);

  // mq consume at the deleted offset 0: none is an error naming the valid range; earliest / latest move and say so.
  const none = await mq(['consume', topic, '-o', '0', '-e', '--auto-offset-reset', 'none']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, new RegExp(`offset 0 is out of range for ${topic}-0: valid offsets are ${start} to ${end - 1}, or ${end} to wait for the next record`));
  assert.match(none.stderr, /--auto-offset-reset earliest\|latest/, 'the hint names the option');
  const earliest = await mq(['consume', topic, '-o', '0', '-e', '--auto-offset-reset', 'earliest', '-f', '%o\\n']);
  assert.equal(earliest.code, 0, earliest.stderr);
  assert.deepEqual(earliest.stdout.trim().split('\n').map(Number), Array.from({ length: end - start }, (_, i) => start + i));
  assert.match(earliest.stderr, new RegExp(`offset 0 is out of range \\(valid ${start} to ${end}\\); starting at the earliest offset ${start}`));
  const latest = await mq(['consume', topic, '-o', '0', '-e', '--auto-offset-reset', 'latest']);
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(latest.stdout, '');
  assert.match(latest.stderr, /out of range.*starting at the latest offset/);

  // -o @TIME: the first record at or after TIME, wherever its segment is; before everything, the log start.
  const at = await mq(['consume', topic, '-o', `@${now + HOUR_MS + 25_500}`, '-e', '-f', '%o %s\\n']);
  assert.equal(at.code, 0, at.stderr);
  assert.deepEqual(at.stdout.trim().split('\n'), fresh.slice(26).map((r, i) => `${old.length + 26 + i} ${r.value}`));
  const early = await mq(['consume', topic, '-o', `@${now - 2 * HOUR_MS}`, '-e', '-f', '%o\\n']);
  assert.equal(early.stdout.split('\n')[0], String(start));
});

test('segment.ms rolls a segment by age even when it is far from segment.bytes', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('segment-ms');
  const created = await run(['topics', 'create', topic, '-p', '1', '--config', 'segment.ms=200', '-b', broker.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 0 });
  defer(t, async () => producer.close());
  let sent = 0;
  // A record every 50 ms until three segments exist (segment.bytes is the default 1 GiB).
  await eventually(async () => {
    await producer.send({ topic, partition: 0, value: Buffer.from(`r${sent++}`) });
    return (await segmentFiles(broker.dataDir, topic)).length >= 3;
  }, { timeoutMs: 20_000 });
  const raw = await readPartitionRaw(broker.port, topic);
  assert.deepEqual(raw.values, Array.from({ length: sent }, (_, i) => `r${i}`));
  assert.ok(sent < 400, `${sent} records for 3 segments`);
});
