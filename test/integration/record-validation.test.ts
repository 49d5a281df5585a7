// Record validation on produce and the consumer's decompression limits, against real broker processes
// (issue 14, "Stored but unreadable"): a batch whose CRC is sound but whose records are not is refused
// with nothing appended, a compression bomb is refused without the broker inflating it, and a bomb
// already on disk (stored before validation existed) is a clear error in `mq consume`, not an OOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { brokerForTest, run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';
import { WireSocket } from '../helpers/wire.js';
import { batchOf, gzipBomb, lz4Bomb, withBaseOffset, withBodyFilled, withRecordsCount } from '../helpers/hostile-batches.js';

async function createTopic(s: WireSocket, topic: string): Promise<void> {
  const res = await s.request(ApiKey.CreateTopics, 4, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
  });
  assert.equal(res.topics[0].errorCode, 0);
}

async function produce(s: WireSocket, topic: string, records: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const res = await s.request(ApiKey.Produce, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0];
}

async function highWatermark(s: WireSocket, topic: string): Promise<bigint> {
  const res = await s.request(ApiKey.ListOffsets, 3, {
    replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  return res.topics[0].partitions[0].offset;
}

/** The broker's resident memory in MB (VmRSS). */
async function rssMb(broker: BrokerProcess): Promise<number> {
  const status = await readFile(`/proc/${broker.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Opens a raw connection closed when the test ends. */
async function connect(t: Parameters<typeof defer>[0], broker: BrokerProcess): Promise<WireSocket> {
  const s = await WireSocket.connect(broker.port);
  defer(t, async () => s.close());
  return s;
}

test('a sound CRC over a batch claiming 2^31-1 records but holding one: INVALID_RECORD, nothing appended, offsets unharmed', async (t) => {
  const broker = await brokerForTest(t);
  const s = await connect(t, broker);
  const topic = uniqueTopic('count');
  await createTopic(s, topic);
  assert.equal((await produce(s, topic, batchOf(['first']))).errorCode, 0);
  const liar = withRecordsCount(batchOf(['only']), 2 ** 31 - 1);
  assert.equal((await produce(s, topic, liar)).errorCode, ErrorCode.INVALID_RECORD);
  await broker.waitForOutput(/produce refused.*claims 2147483647 records but holds 1/);
  assert.equal(await highWatermark(s, topic), 1n);
  const next = await produce(s, topic, batchOf(['second', 'third']));
  assert.deepEqual(next, { ...next, errorCode: 0, baseOffset: 1n }, 'the next batch follows the first, not offset 2147483647');
  const out = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, 'first\nsecond\nthird\n');
});

test('a body of 0xFF bytes, and records whose offset deltas lie, are INVALID_RECORD with nothing appended', async (t) => {
  const broker = await brokerForTest(t);
  const s = await connect(t, broker);
  const topic = uniqueTopic('garbage');
  await createTopic(s, topic);
  assert.equal((await produce(s, topic, withBodyFilled(batchOf(['x'.repeat(500)]), 0xff))).errorCode, ErrorCode.INVALID_RECORD);
  await broker.waitForOutput(/produce refused.*record 0: Length is a varint longer than 5 bytes/);
  assert.equal((await produce(s, topic, withRecordsCount(batchOf(['a', 'b', 'c']), 2))).errorCode, ErrorCode.INVALID_RECORD);
  assert.equal(await highWatermark(s, topic), 0n);
  assert.equal((await produce(s, topic, batchOf(['fine']))).errorCode, 0);
  assert.equal(await highWatermark(s, topic), 1n);
});

test('a 1 MB gzip batch inflating to 960 MiB and an LZ4 bomb are CORRUPT_MESSAGE; the broker never inflates them whole', async (t) => {
  const broker = await brokerForTest(t);
  const s = await connect(t, broker);
  const topic = uniqueTopic('bomb');
  await createTopic(s, topic);
  const gzip = gzipBomb(960);
  assert.ok(gzip.length > 1_000_000 && gzip.length < 1_048_588, `a ${gzip.length}-byte batch, under max.message.bytes`);
  assert.equal((await produce(s, topic, gzip)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  await broker.waitForOutput(/produce refused.*gzip data inflates to more than 67109632 bytes/);
  const lz4 = lz4Bomb(60); // 60 blocks of 4 MiB: 240 MiB from about 1 MB
  assert.equal((await produce(s, topic, lz4)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  await broker.waitForOutput(/produce refused.*lz4 data inflates to more than 67109632 bytes/);
  assert.equal(await highWatermark(s, topic), 0n);
  const rss = await rssMb(broker);
  assert.ok(rss < 400, `broker RSS ${rss.toFixed(0)} MB after the bombs`);
  assert.equal((await produce(s, topic, batchOf(['after']))).errorCode, 0);
});

test('a gzip bomb already on disk: mq consume prints the records before it, then exits with an error naming topic, partition and offset, not an out-of-memory', async (t) => {
  const dir = await tempDir();
  defer(t, () => dir.remove());
  const topic = uniqueTopic('ondisk');
  let broker = await startBrokerProcess(dir.path);
  {
    const s = await WireSocket.connect(broker.port);
    await createTopic(s, topic);
    assert.equal((await produce(s, topic, batchOf(['before']))).errorCode, 0);
    s.close();
  }
  assert.equal(await broker.stop(), 0);
  // As if stored by a broker without validation: 300 MiB of zeros in one record, at offset 1.
  await appendFile(join(dir.path, `${topic}-0`, '00000000000000000000.log'), withBaseOffset(gzipBomb(300), 1));
  broker = await startBrokerProcess(dir.path);
  defer(t, async () => { await broker.stop(); });
  const out = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap]);
  assert.equal(out.stdout, 'before\n', 'the record before the bomb is printed');
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, new RegExp(`${topic}-0: record batch at offset 1: gzip data inflates to more than 268435456 bytes`));
  assert.doesNotMatch(out.stderr, /heap out of memory|RangeError/);
});

test('mq consume -g --exec: a record whose key holds a NUL byte or is 200 KB is reported once and handed over; the group moves on', async (t) => {
  const broker = await brokerForTest(t);
  const s = await connect(t, broker);
  const topic = uniqueTopic('execkeys');
  await createTopic(s, topic);
  const keys = [Buffer.from('plain'), Buffer.from('nul\0key'), Buffer.alloc(200_000, 0x6b), null];
  assert.equal((await produce(s, topic, batchOf(['v0', 'v1', 'v2', 'v3'], keys))).errorCode, 0);
  const cmd = 'printf "%s:%s:%s\\n" "$MQ_OFFSET" "$(cat)" "${MQ_KEY-$(wc -c < "$MQ_KEY_FILE" | tr -d " ")}"';
  const out = await run(['consume', topic, '-g', 'g', '--auto-offset-reset', 'earliest', '-c', '4', '--exec', cmd, '-b', broker.bootstrap]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, '0:v0:plain\n1:v1:7\n2:v2:200000\n3:v3:\n');
  const notes = out.stderr.split('\n').filter((l) => /MQ_KEY is left out/.test(l));
  assert.deepEqual(notes.map((l) => /offset (\d+): (.*?);/.exec(l)!.slice(1)), [
    ['1', 'its key holds a NUL byte'], ['2', 'its key is 200000 bytes, over the 32768 that go into the environment'],
  ]);
  assert.match(notes[0], new RegExp(`${topic}-0 offset 1`));
  const d = JSON.parse((await run(['groups', 'describe', 'g', '--json', '-b', broker.bootstrap])).stdout);
  assert.equal(d.offsets[0].committedOffset, 4, 'every record committed');
});
