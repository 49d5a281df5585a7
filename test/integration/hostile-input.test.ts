// Hostile requests against a real broker process (issue 14, "What was seen"): each one used to end
// the process, build millions of objects, or leave a store the broker could not start from. Each test
// sends the bytes a stranger could send and checks the broker answers or closes that one connection,
// stays up and serves a normal request afterwards.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FetchResponse } from '../../src/protocol/messages/fetch.js';
import { Reader } from '../../src/protocol/reader.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { brokerForTest, memoryMiB, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';
import { createTopicOnWire, WireSocket } from '../helpers/wire.js';

const MAX_INT32 = 2 ** 31 - 1;

/** The broker process is running and answers Metadata on a fresh connection. */
async function assertServing(broker: BrokerProcess): Promise<void> {
  assert.equal(broker.proc.exitCode, null, `the broker exited:\n${broker.output().slice(-3000)}`);
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    assert.equal(res.brokers[0].port, broker.port);
  } finally {
    s.close();
  }
}

/** A STRING of raw bytes (the encoder only takes JS strings, which are always valid UTF-8). */
function rawString(bytes: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

/** A whole request frame: Size, header v1 (key, version, correlation id 1, client id "t"), body. */
function frame(apiKey: number, version: number, body: Buffer[]): Buffer {
  const payload = Buffer.concat([int16(apiKey), int16(version), int32(1), rawString(Buffer.from('t')), ...body]);
  return Buffer.concat([int32(payload.length), payload]);
}

/** Sends a raw frame on a fresh connection; resolves once the broker answered or closed it. */
async function sendRaw(broker: BrokerProcess, bytes: Buffer): Promise<{ closed: boolean; frame?: Buffer }> {
  const s = await WireSocket.connect(broker.port);
  try {
    s.write(bytes);
    try {
      return { closed: false, frame: await s.nextFrame(20_000) };
    } catch {
      assert.equal(await s.closedWithin(20_000), true, 'neither an answer nor a close');
      return { closed: true };
    }
  } finally {
    s.close();
  }
}

function createTopic(broker: BrokerProcess, name: string, configs: { name: string; value: string }[] = [], numPartitions = 1): ReturnType<typeof createTopicOnWire> {
  return createTopicOnWire(broker.port, name, { configs, numPartitions });
}

async function topicExists(broker: BrokerProcess, name: string): Promise<boolean> {
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.Metadata, 4, { topics: [{ name }], allowAutoTopicCreation: false });
    return res.topics[0].errorCode === 0;
  } finally {
    s.close();
  }
}

const ffName = Buffer.alloc(11_000, 0xff);

test('Metadata v1 with one topic name of 11,000 0xFF bytes closes that connection; the broker serves on', async (t) => {
  const broker = await brokerForTest(t);
  const body = [int32(1), rawString(ffName)];
  const got = await sendRaw(broker, frame(ApiKey.Metadata, 1, body));
  assert.equal(got.closed, true);
  await broker.waitForOutput(/closing connection.*not valid UTF-8/);
  await assertServing(broker);
});

test('a Produce topic name of 11,000 0xFF bytes closes that connection; the broker serves on', async (t) => {
  const broker = await brokerForTest(t);
  // v7: TransactionalId null, Acks 1, TimeoutMs, one topic with one partition and empty records.
  const body = [int16(-1), int16(1), int32(5000), int32(1), rawString(ffName), int32(1), int32(0), int32(0)];
  const got = await sendRaw(broker, frame(ApiKey.Produce, 7, body));
  assert.equal(got.closed, true);
  await assertServing(broker);
});

test('a DescribeGroups group id of 11,000 0xFF bytes closes that connection; the broker serves on', async (t) => {
  const broker = await brokerForTest(t);
  const got = await sendRaw(broker, frame(ApiKey.DescribeGroups, 0, [int32(1), rawString(ffName)]));
  assert.equal(got.closed, true);
  await assertServing(broker);
});

test('DescribeConfigs for a 32,760-character topic answers UNKNOWN_TOPIC_OR_PARTITION with a clipped message', async (t) => {
  const broker = await brokerForTest(t);
  const s = await WireSocket.connect(broker.port);
  try {
    const name = 'a'.repeat(32_760);
    const res = await s.request(ApiKey.DescribeConfigs, 0, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: null }] });
    assert.equal(res.results[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(res.results[0].resourceName, name);
    assert.ok(res.results[0].errorMessage.length <= 1000, `message of ${res.results[0].errorMessage.length} characters`);
  } finally {
    s.close();
  }
  await assertServing(broker);
});

test('a 10 MB Metadata request of 5 M empty names is refused at once, without building the names', async (t) => {
  const broker = await brokerForTest(t);
  const count = 5_000_000;
  const body = Buffer.alloc(4 + count * 2); // zero-filled: every name is an empty STRING
  body.writeInt32BE(count, 0);
  const before = await memoryMiB(broker.proc.pid!);
  const startedMs = Date.now();
  const got = await sendRaw(broker, frame(ApiKey.Metadata, 1, [body]));
  assert.equal(got.closed, true);
  // The old decoder took 16 s and 1.17 GB; the count check refuses before any name is read.
  assert.ok(Date.now() - startedMs < 5000, `took ${Date.now() - startedMs} ms`);
  await broker.waitForOutput(/closing connection.*over the limit/);
  const after = await memoryMiB(broker.proc.pid!);
  t.diagnostic(`refused in ${Date.now() - startedMs} ms; broker RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB`);
  assert.ok(after - before < 150, `RSS grew from ${before.toFixed(0)} to ${after.toFixed(0)} MB`);
  await assertServing(broker);
});

/** A topic whose partitions each hold one batch with a 400 KB value at offset 0. */
async function topicWithBigBatch(broker: BrokerProcess, partitions = 1): Promise<string> {
  const topic = uniqueTopic('fetch');
  assert.equal((await createTopic(broker, topic, [], partitions)).errorCode, 0);
  const s = await WireSocket.connect(broker.port);
  try {
    for (let index = 0; index < partitions; index++) {
      const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
      assert.ok(b.tryAppend({ key: null, value: Buffer.alloc(400_000, 7), timestamp: Date.now() }));
      const res = await s.request(ApiKey.Produce, 7, {
        transactionalId: null, acks: 1, timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index, records: b.build() }] }],
      });
      assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
    }
  } finally {
    s.close();
  }
  return topic;
}

/** Fetch v4 from offset 0 of each listed partition (repeats allowed), asking for up to 2^31-1 bytes everywhere. */
async function fetchFromStart(broker: BrokerProcess, topic: string, indexes: number[]): Promise<{ frameBytes: number; recordBytes: number[] }> {
  const s = await WireSocket.connect(broker.port);
  try {
    const partitions = indexes.map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: MAX_INT32 }));
    const id = s.send(ApiKey.Fetch, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: MAX_INT32, isolationLevel: 0, topics: [{ topic, partitions }],
    });
    const f = await s.nextFrame(60_000);
    assert.equal(f.readInt32BE(0), id);
    const res = FetchResponse.decode(new Reader(f, 4), 4);
    return { frameBytes: f.length, recordBytes: res.responses.flatMap((x) => x.partitions.map((p) => (p.records as Buffer).length)) };
  } finally {
    s.close();
  }
}

for (const [repeats, seen] of [[5400, 'a >2 GiB answer and exit 1'], [100, 'a 40 MB answer to a 1.6 KB request']] as const) {
  test(`Fetch v4 naming one partition ${repeats} times with max bytes 2^31-1 is answered once (was: ${seen})`, async (t) => {
    const broker = await brokerForTest(t);
    const topic = await topicWithBigBatch(broker);
    const got = await fetchFromStart(broker, topic, Array.from({ length: repeats }, () => 0));
    assert.equal(got.recordBytes.length, 1);
    assert.ok(got.frameBytes < 1_000_000, `response of ${got.frameBytes} bytes`);
    await assertServing(broker);
  });
}

test('Fetch honours fetch.max.bytes over the whole response, and still returns the first batch whole', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_FETCH_MAX_BYTES: '500000' } });
  const topic = await topicWithBigBatch(broker, 2);
  const got = await fetchFromStart(broker, topic, [0, 1]);
  // Partition 0's 400 KB batch fits; partition 1's would pass 500 KB, so it waits for the next fetch.
  assert.equal(got.recordBytes.length, 2);
  assert.ok(got.recordBytes[0] > 400_000, `partition 0: ${got.recordBytes[0]} bytes`);
  assert.equal(got.recordBytes[1], 0);
  // A limit below one batch still returns that batch (KIP-74: a consumer always progresses).
  const small = await brokerForTest(t, { env: { MQ_FETCH_MAX_BYTES: '100000' } });
  const one = await fetchFromStart(small, await topicWithBigBatch(small), [0]);
  assert.ok(one.recordBytes[0] > 400_000, `partition 0: ${one.recordBytes[0]} bytes`);
});

test('CreateTopics with numPartitions 2^31-1 answers INVALID_PARTITIONS at once', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('huge');
  const startedMs = Date.now();
  const res = await createTopic(broker, topic, [], MAX_INT32);
  assert.equal(res.errorCode, ErrorCode.INVALID_PARTITIONS);
  assert.match(res.errorMessage ?? '', /max\.partitions\.per\.topic/);
  assert.ok(Date.now() - startedMs < 5000);
  assert.equal(await topicExists(broker, topic), false);
  await assertServing(broker);
});

test('CreatePartitions past max.partitions.per.topic answers INVALID_PARTITIONS and adds none', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_MAX_PARTITIONS_PER_TOPIC: '8' } });
  const topic = uniqueTopic('grow');
  assert.equal((await createTopic(broker, topic)).errorCode, 0);
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.CreatePartitions, 1, { topics: [{ name: topic, count: MAX_INT32, assignments: null }], timeoutMs: 5000, validateOnly: false });
    assert.equal(res.results[0].errorCode, ErrorCode.INVALID_PARTITIONS);
    const md = await s.request(ApiKey.Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
    assert.equal(md.topics[0].partitions.length, 1);
  } finally {
    s.close();
  }
});

test('CreateTopics past max.partitions.per.request refuses the topic that passes it', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_MAX_PARTITIONS_PER_REQUEST: '5' } });
  const [a, b] = [uniqueTopic('a'), uniqueTopic('b')];
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.CreateTopics, 2, {
      topics: [a, b].map((name) => ({ name, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 10_000, validateOnly: false,
    });
    assert.deepEqual(res.topics.map((x: { errorCode: number }) => x.errorCode), [0, ErrorCode.INVALID_PARTITIONS]);
  } finally {
    s.close();
  }
  assert.equal(await topicExists(broker, b), false);
});

test('max.topics caps the topics a broker holds', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_MAX_TOPICS: '1' } });
  assert.equal((await createTopic(broker, uniqueTopic('one'))).errorCode, 0);
  const second = await createTopic(broker, uniqueTopic('two'));
  assert.equal(second.errorCode, ErrorCode.POLICY_VIOLATION);
  assert.match(second.errorMessage ?? '', /max\.topics/);
});

/** Stops `broker` cleanly and starts it again on its data (a new port); the restarted one is stopped with the test. */
async function restart(t: TestContext, broker: BrokerProcess, env: Record<string, string> = {}): Promise<BrokerProcess> {
  assert.equal(await broker.stop(), 0);
  const again = await startBrokerProcess(broker.dataDir, { env });
  defer(t, async () => { await again.stop(); });
  return again;
}

test('CreateTopics with segment.bytes=20 is INVALID_CONFIG, leaves nothing stored, and the broker restarts', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('seg');
  const res = await createTopic(broker, topic, [{ name: 'segment.bytes', value: '20' }]);
  assert.equal(res.errorCode, ErrorCode.INVALID_CONFIG);
  assert.equal(await topicExists(broker, topic), false);
  const store = await readFile(join(broker.dataDir, 'meta', 'store.json'), 'utf8');
  assert.equal(store.includes(topic), false);
  const again = await restart(t, broker);
  await assertServing(again);
});

test('AlterConfigs segment.bytes=3000000000 is INVALID_CONFIG, keeps the old config, and the broker restarts', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('alter');
  assert.equal((await createTopic(broker, topic)).errorCode, 0);
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.AlterConfigs, 0, {
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'segment.bytes', value: '3000000000' }] }], validateOnly: false,
    });
    assert.equal(res.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  } finally {
    s.close();
  }
  const again = await restart(t, broker);
  assert.equal(await topicExists(again, topic), true);
});

test('max.message.bytes above socket.request.max.bytes is INVALID_CONFIG', async (t) => {
  const broker = await brokerForTest(t);
  const res = await createTopic(broker, uniqueTopic('mmb'), [{ name: 'max.message.bytes', value: String(200 * 1024 * 1024) }]);
  assert.equal(res.errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(res.errorMessage ?? '', /socket\.request\.max\.bytes/);
});

test('a stored topic config that fails validation is logged at start and the topic served with the default', async (t) => {
  const dir = await tempDir();
  defer(t, () => dir.remove());
  const broker = await startBrokerProcess(dir.path);
  defer(t, async () => { await broker.stop(); });
  const topic = uniqueTopic('stored');
  assert.equal((await createTopic(broker, topic, [{ name: 'segment.bytes', value: '1048576' }])).errorCode, 0);
  assert.equal(await broker.stop(), 0);
  // What an older version let through: a segment smaller than one batch header.
  const file = join(dir.path, 'meta', 'store.json');
  const store = JSON.parse(await readFile(file, 'utf8'));
  const record = JSON.parse(store[`topics/${topic}`].value);
  record.configs['segment.bytes'] = '20';
  store[`topics/${topic}`].value = JSON.stringify(record);
  await writeFile(file, JSON.stringify(store));
  const again = await startBrokerProcess(dir.path);
  defer(t, async () => { await again.stop(); });
  await again.waitForOutput(/stored topic config is invalid.*segment\.bytes/);
  assert.equal(await topicExists(again, topic), true);
  const s = await WireSocket.connect(again.port);
  try {
    const res = await s.request(ApiKey.DescribeConfigs, 0, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['segment.bytes'] }] });
    assert.equal(res.results[0].configs[0].value, String(1024 * 1024 * 1024));
  } finally {
    s.close();
  }
});
