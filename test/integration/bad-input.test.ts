// Bad input against a real broker process: each case checks the error the peer gets and that the
// broker still serves afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { brokerForTest, startBrokerProcess, tempDir, uniqueTopic, run, eventually, type BrokerProcess } from '../helpers/mq-process.js';
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
  const s = await connect();
  try {
    const res = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
    assert.equal(res.brokers.length, 1);
    assert.equal(res.brokers[0].port, broker.port);
  } finally {
    s.close();
  }
}

const localPorts = new WeakMap<WireSocket, number>();

/** A raw connection to the broker whose local port is remembered (the broker's log names it). */
async function connect(): Promise<WireSocket> {
  const s = await WireSocket.connect(broker.port);
  localPorts.set(s, s.socket.localPort!);
  return s;
}

/** Waits for the broker's 'closing connection' log line about socket `s` and checks there is exactly one. */
async function assertOneLogLine(s: WireSocket, reason: RegExp): Promise<void> {
  const peer = `peer=127.0.0.1:${localPorts.get(s)} `;
  const lines = (): string[] => broker.output().split('\n').filter((l) => /closing connection|connection closed/.test(l) && l.includes(peer));
  await eventually(() => lines().length > 0, { timeoutMs: 10_000 });
  assert.equal(lines().length, 1, lines().join('\n'));
  assert.match(lines()[0], reason);
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
  const s = await connect();
  const garbage = Buffer.from([0, 0, 0, 10, 0x7f, 0x7f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0xff, 0xff]);
  s.write(garbage);
  assert.equal(await s.closedWithin(5000), true);
  await assertOneLogLine(s, /unsupported request API key 32639/);
  await assertServing();
});

test('a truncated body closes the connection', async () => {
  const s = await connect();
  // Metadata v1 header, then a topics array claiming 1000 entries with no bytes behind it.
  const payload = Buffer.alloc(2 + 2 + 4 + 2 + 4);
  payload.writeInt16BE(3, 0); payload.writeInt16BE(1, 2); payload.writeInt32BE(9, 4); payload.writeInt16BE(-1, 8);
  payload.writeInt32BE(1000, 10);
  const size = Buffer.alloc(4); size.writeInt32BE(payload.length);
  s.write(Buffer.concat([size, payload]));
  assert.equal(await s.closedWithin(5000), true);
  await assertOneLogLine(s, /malformed Metadata v1 request/);
  await assertServing();
});

test('a frame over socket.request.max.bytes is refused before its body is read', async () => {
  const s = await connect();
  const size = Buffer.alloc(4); size.writeInt32BE(64 * 1024 * 1024);
  s.write(size); // the size alone: the broker must not wait for 64 MiB of body
  assert.equal(await s.closedWithin(5000), true);
  await assertOneLogLine(s, /frame of 67108864 bytes exceeds socket.request.max.bytes \(4194304\)/);
  await assertServing();
});

test('a negative frame size closes the connection', async () => {
  const s = await connect();
  s.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  assert.equal(await s.closedWithin(5000), true);
  await assertOneLogLine(s, /frame size -16 is negative/);
  await assertServing();
});

test('an unsupported ApiVersions version gets the v0 error answer, not a closed socket', async () => {
  const s = await connect();
  const payload = Buffer.alloc(2 + 2 + 4 + 2);
  payload.writeInt16BE(18, 0); payload.writeInt16BE(9, 2); payload.writeInt32BE(77, 4); payload.writeInt16BE(-1, 8);
  const size = Buffer.alloc(4); size.writeInt32BE(payload.length);
  s.write(Buffer.concat([size, payload]));
  const frame = await s.nextFrame();
  assert.equal(frame.readInt32BE(0), 77);
  assert.equal(frame.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
  // The rest is a v0 body: ApiKeys [{18, 0, 2}] and no ThrottleTimeMs, so a client can downgrade.
  assert.equal(frame.readInt32BE(6), 1);
  assert.deepEqual([frame.readInt16BE(10), frame.readInt16BE(12), frame.readInt16BE(14)], [ApiKey.ApiVersions, 0, 2]);
  assert.equal(frame.length, 16);
  // ... and it does, on the same connection.
  const v0 = await s.request(ApiKey.ApiVersions, 0, {});
  assert.equal(v0.errorCode, 0);
  assert.deepEqual(v0.apiKeys.find((k: { apiKey: number }) => k.apiKey === ApiKey.Produce), { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 7 });
  s.close();
});

// PROTOCOL.md §1: any other API in a version we do not serve has no response layout to answer in;
// Kafka closes the connection, and so does mq (one log line naming the version and the range).
for (const [apiKey, name, version, range] of [[ApiKey.Metadata, 'Metadata', 99, 'v0-v4'], [ApiKey.ListOffsets, 'ListOffsets', 0, 'v1-v3'], [ApiKey.Fetch, 'Fetch', 12, 'v4-v11']] as const) {
  test(`an unsupported ${name} v${version} request closes that connection with one log line`, async () => {
    const s = await connect();
    const payload = Buffer.alloc(2 + 2 + 4 + 2);
    payload.writeInt16BE(apiKey, 0); payload.writeInt16BE(version, 2); payload.writeInt32BE(5, 4); payload.writeInt16BE(-1, 8);
    const size = Buffer.alloc(4); size.writeInt32BE(payload.length);
    s.write(Buffer.concat([size, payload]));
    assert.equal(await s.closedWithin(5000), true);
    await assertOneLogLine(s, new RegExp(`unsupported request ${name} v${version} \\(supported: ${range}\\)`));
    await assertServing();
  });
}

test('a frame cut short by the peer (half a body, then FIN) is one log line and leaves the broker serving', async () => {
  const s = await connect();
  const size = Buffer.alloc(4); size.writeInt32BE(100);
  s.write(Buffer.concat([size, Buffer.alloc(50, 1)]));
  s.socket.end();
  assert.equal(await s.closedWithin(5000), true);
  await assertOneLogLine(s, /connection closed mid-request .*bytesReceived=54/);
  await assertServing();
});

test('a CRC mismatch is CORRUPT_MESSAGE and nothing is appended', async () => {
  const topic = uniqueTopic('crc');
  const s = await connect();
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
  const s = await connect();
  try {
    for (const name of ['..', '.', 'a/b', '../etc', 'a\\b', 'x'.repeat(250), 'sp ace']) {
      const md = await s.request(ApiKey.Metadata, 4, { topics: [{ name }], allowAutoTopicCreation: true });
      assert.equal(md.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, name);
      const ct = await s.request(ApiKey.CreateTopics, 4, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      assert.equal(ct.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, name);
      assert.equal(await produce(s, name, batch(['x'])), ErrorCode.INVALID_TOPIC_EXCEPTION, name);
    }
    // The boundary: 249 characters is a valid name, and the topic works.
    const longest = 'L'.repeat(249);
    const ct = await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: longest, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(ct.topics[0].errorCode, 0);
    assert.equal(await produce(s, longest, batch(['ok'])), 0);
  } finally {
    s.close();
  }
  await assertServing();
});

test('a batch over max.message.bytes is MESSAGE_TOO_LARGE and nothing is appended', async () => {
  const topic = uniqueTopic('big');
  const s = await connect();
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
  const s = await connect();
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

test('Produce v0-v2 (advertised for librdkafka gzip): a legacy message set is INVALID_RECORD, a v2 batch is appended', async () => {
  const topic = uniqueTopic('oldprod');
  const s = await connect();
  try {
    await s.request(ApiKey.CreateTopics, 4, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const legacy = batch(['old']);
    legacy[16] = 1; // magic 1
    for (const v of [0, 1, 2]) {
      const refused = await s.request(ApiKey.Produce, v, { acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: legacy }] }] });
      assert.equal(refused.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_RECORD, `v${v}`);
      // Kafka checks the magic only from v3 on; a v2 batch in an older request is taken as it is.
      const taken = await s.request(ApiKey.Produce, v, { acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch([`v${v}`]) }] }] });
      assert.equal(taken.responses[0].partitionResponses[0].errorCode, 0, `v${v}`);
      assert.equal(taken.responses[0].partitionResponses[0].baseOffset, BigInt(v));
    }
    assert.equal(await highWatermark(s, topic), 3n);
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

  const noAuto = await brokerForTest(t, { env: { MQ_AUTO_CREATE_TOPICS_ENABLE: 'false' } });
  const unknown = await run(['produce', 'nope', '-b', noAuto.bootstrap], { input: 'a\n' });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /mq: error: .*'nope' does not exist/);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  const unknownConsume = await run(['consume', 'nope', '-b', noAuto.bootstrap, '-e']);
  assert.equal(unknownConsume.code, 1);
  assert.match(unknownConsume.stderr, /'nope' does not exist/);

  // The broker that refused is still serving: create the topic, then the same produce works.
  assert.equal((await run(['topics', 'create', 'nope', '-b', noAuto.bootstrap])).code, 0);
  assert.equal((await run(['produce', 'nope', '-b', noAuto.bootstrap], { input: 'a\n' })).code, 0);
  assert.equal((await run(['consume', 'nope', '-b', noAuto.bootstrap, '-o', 'beginning', '-e'])).stdout, 'a\n');

  for (const args of [['produce', 'x', '-b', '127.0.0.1:1'], ['topics', 'list', '-b', '127.0.0.1:1']]) {
    const res = await run(args, { input: 'a\n' });
    assert.equal(res.code, 1, args.join(' '));
    assert.match(res.stderr, /^mq: error: .*127\.0\.0\.1:1/m);
    assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
  }

  const badFlag = await run(['produce', 't', '--no-such-flag']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--no-such-flag/);
  assert.equal(badFlag.stderr.trim().split('\n').length <= 2, true, badFlag.stderr);
});

test('the CLI: bad flag values are one-line errors naming the flag (exit 2), and the broker serves afterwards', async () => {
  const b = ['-b', broker.bootstrap];
  const cases: [string[], RegExp][] = [
    [['produce', 't', '--acks', '2', ...b], /'--acks <acks>' argument '2' is invalid/],
    [['produce', 't', '-p', 'x', ...b], /'-p, --partition <n>' argument 'x' is invalid/],
    [['produce', 't', '--linger-ms', '-1', ...b], /'--linger-ms <ms>' argument '-1' is invalid/],
    [['produce', 't', '--batch-size', '0', ...b], /'--batch-size <bytes>' argument '0' is invalid/],
    [['produce', 't', '-H', 'novalue', ...b], /'-H, --header <key=value>' argument 'novalue' is invalid/],
    [['consume', 't', '-o', 'nonsense', ...b], /'-o, --offset <spec>' argument 'nonsense' is invalid/],
    [['consume', 't', '-o', '@notatime', ...b], /'-o, --offset <spec>' argument '@notatime' is invalid/],
    [['consume', 't', '-c', '0', ...b], /'-c, --count <n>' argument '0' is invalid/],
    [['consume', 't', '-f', '%q', ...b], /'-f, --format <fmt>' argument '%q' is invalid/],
    [['consume', 't', '--json', '-f', '%v', ...b], /'--json' cannot be used with option '-f, --format <fmt>'/],
    [['topics', 'create', 't', '-p', '0', ...b], /'-p, --partitions <n>' argument '0' is invalid/],
    [['topics', 'alter', 't', '--partitions', 'many', ...b], /'--partitions <n>' argument 'many' is invalid/],
    [['consume', 't', '-b', 'nohostport'], /bootstrap entry 'nohostport' is not HOST:PORT/],
  ];
  for (const [args, message] of cases) {
    const res = await run(args);
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^mq: error: /);
    assert.match(res.stderr, message);
  }
  // An invalid topic name from the CLI: one line plus the hint, exit 1.
  const badName = await run(['topics', 'create', '../x', ...b]);
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /^mq: error: '\.\.\/x' is not a valid topic name/);
  assert.doesNotMatch(badName.stderr, /\n\s+at /);

  const topic = uniqueTopic('after-cli');
  assert.equal((await run(['produce', topic, ...b], { input: 'still\n' })).code, 0);
  assert.equal((await run(['consume', topic, '-o', 'beginning', '-e', ...b])).stdout, 'still\n');
});
