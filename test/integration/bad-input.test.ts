// Bad input against a real broker process: each case checks the error the peer gets and that the
// broker still serves afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { startBrokerProcess, tempDir, uniqueTopic, run, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

let broker: BrokerProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  dir = await tempDir();
  broker = await startBrokerProcess(dir.path, { env: { MQ_SOCKET_REQUEST_MAX_BYTES: String(4 * 1024 * 1024), MQ_MESSAGE_MAX_BYTES: '100000' } });
});
after(async () => {
  await broker.stop();
  await dir.remove();
});

/** The broker answers a fresh connection: the proof that it survived. */
async function assertServing(): Promise<void> {
  const s = await WireSocket.connect(broker.port);
  try {
    const res = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    assert.equal(res.brokers.length, 1);
    assert.equal(res.brokers[0].port, broker.port);
  } finally {
    s.close();
  }
}

function batch(values: string[]): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
  for (const v of values) assert.ok(b.tryAppend({ key: null, value: Buffer.from(v), timestamp: Date.now() }));
  return b.build();
}

async function produce(s: WireSocket, topic: string, records: Buffer): Promise<number> {
  const res = await s.request(ApiKey.Produce, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0].errorCode;
}

async function highWatermark(s: WireSocket, topic: string): Promise<bigint> {
  const res = await s.request(ApiKey.ListOffsets, 3, {
    replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  assert.equal(res.topics[0].partitions[0].errorCode, 0);
  return res.topics[0].partitions[0].offset;
}

test('garbage after a valid size closes that connection only, with one log line', async () => {
  const s = await WireSocket.connect(broker.port);
  const garbage = Buffer.from([0, 0, 0, 10, 0x7f, 0x7f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0xff, 0xff]);
  s.write(garbage);
  assert.equal(await s.closedWithin(5000), true);
  assert.match(broker.output(), /closing connection .*unsupported request API key 32639/);
  await assertServing();
});

test('a truncated body closes the connection', async () => {
  const s = await WireSocket.connect(broker.port);
  // Metadata v1 header, then a topics array claiming 1000 entries with no bytes behind it.
  const payload = Buffer.alloc(2 + 2 + 4 + 2 + 4);
  payload.writeInt16BE(3, 0); payload.writeInt16BE(1, 2); payload.writeInt32BE(9, 4); payload.writeInt16BE(-1, 8);
  payload.writeInt32BE(1000, 10);
  const size = Buffer.alloc(4); size.writeInt32BE(payload.length);
  s.write(Buffer.concat([size, payload]));
  assert.equal(await s.closedWithin(5000), true);
  assert.match(broker.output(), /malformed Metadata v1 request/);
  await assertServing();
});

test('a frame over socket.request.max.bytes is refused before its body is read', async () => {
  const s = await WireSocket.connect(broker.port);
  const size = Buffer.alloc(4); size.writeInt32BE(64 * 1024 * 1024);
  s.write(size); // the size alone: the broker must not wait for 64 MiB of body
  assert.equal(await s.closedWithin(5000), true);
  assert.match(broker.output(), /exceeds socket.request.max.bytes/);
  await assertServing();
});

test('a negative frame size closes the connection', async () => {
  const s = await WireSocket.connect(broker.port);
  s.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  assert.equal(await s.closedWithin(5000), true);
  await assertServing();
});

test('an unsupported ApiVersions version gets the v0 error answer, not a closed socket', async () => {
  const s = await WireSocket.connect(broker.port);
  const payload = Buffer.alloc(2 + 2 + 4 + 2);
  payload.writeInt16BE(18, 0); payload.writeInt16BE(9, 2); payload.writeInt32BE(77, 4); payload.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4); size.writeInt32BE(payload.length);
  s.write(Buffer.concat([size, payload]));
  const frame = await s.nextFrame();
  assert.equal(frame.readInt32BE(0), 77);
  assert.equal(frame.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
  s.close();
});

test('a CRC mismatch is CORRUPT_MESSAGE and nothing is appended', async () => {
  const topic = uniqueTopic('crc');
  const s = await WireSocket.connect(broker.port);
  try {
    assert.equal(await produce(s, topic, batch(['good'])).catch(() => -99), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(await produce(s, topic, batch(['one'])), 0);
    const bad = batch(['two', 'three']);
    bad[bad.length - 1] ^= 0xff;
    assert.equal(await produce(s, topic, bad), ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await highWatermark(s, topic), 1n);
    assert.equal(await produce(s, topic, batch(['four'])), 0);
    assert.equal(await highWatermark(s, topic), 2n);
  } finally {
    s.close();
  }
  await assertServing();
});

test('invalid topic names are INVALID_TOPIC_EXCEPTION everywhere', async () => {
  const s = await WireSocket.connect(broker.port);
  try {
    for (const name of ['..', '.', 'a/b', '../etc', 'x'.repeat(250), 'sp ace']) {
      const md = await s.request(ApiKey.Metadata, 4, { topics: [{ name }], allowAutoTopicCreation: true });
      assert.equal(md.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, name);
      const ct = await s.request(ApiKey.CreateTopics, 4, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      assert.equal(ct.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, name);
      assert.equal(await produce(s, name, batch(['x'])), ErrorCode.INVALID_TOPIC_EXCEPTION, name);
    }
  } finally {
    s.close();
  }
  await assertServing();
});

test('a batch over max.message.bytes is MESSAGE_TOO_LARGE and nothing is appended', async () => {
  const topic = uniqueTopic('big');
  const s = await WireSocket.connect(broker.port);
  try {
    await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(await produce(s, topic, batch(['x'.repeat(150_000)])), ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(await highWatermark(s, topic), 0n);
    assert.equal(await produce(s, topic, batch(['small'])), 0);
  } finally {
    s.close();
  }
  await assertServing();
});

test('two batches in one partition, a truncated batch and a v1 message set are INVALID_RECORD', async () => {
  const topic = uniqueTopic('inv');
  const s = await WireSocket.connect(broker.port);
  try {
    await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(await produce(s, topic, Buffer.concat([batch(['a']), batch(['b'])])), ErrorCode.INVALID_RECORD);
    const whole = batch(['abc', 'def']);
    assert.equal(await produce(s, topic, whole.subarray(0, whole.length - 3)), ErrorCode.INVALID_RECORD);
    const v1 = batch(['old']);
    v1[16] = 1;
    assert.equal(await produce(s, topic, v1), ErrorCode.INVALID_RECORD);
    assert.equal(await highWatermark(s, topic), 0n);
  } finally {
    s.close();
  }
  await assertServing();
});

test('the CLI: an unreachable broker, an unknown topic with auto-create off, and a bad flag', async (t) => {
  const unreachable = await run(['consume', 'x', '-b', '127.0.0.1:1', '-e']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^mq: error: .*127\.0\.0\.1:1/m);
  assert.doesNotMatch(unreachable.stderr, /\n\s+at /, 'no stack trace');

  const d = await tempDir();
  t.after(() => d.remove());
  const noAuto = await startBrokerProcess(d.path, { env: { MQ_AUTO_CREATE_TOPICS_ENABLE: 'false' } });
  t.after(() => noAuto.stop());
  const unknown = await run(['produce', 'nope', '-b', noAuto.bootstrap], { input: 'a\n' });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /mq: error: .*'nope' does not exist/);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  const unknownConsume = await run(['consume', 'nope', '-b', noAuto.bootstrap, '-e']);
  assert.equal(unknownConsume.code, 1);
  assert.match(unknownConsume.stderr, /'nope' does not exist/);

  const badFlag = await run(['produce', 't', '--no-such-flag']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--no-such-flag/);
  assert.equal(badFlag.stderr.trim().split('\n').length <= 2, true, badFlag.stderr);
});
