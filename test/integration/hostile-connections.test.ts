// Connection limits against a real broker process (issue 14, "Unbounded resources"): too many
// connections, silent ones, a peer trickling one byte a second, half-sent huge frames, and clients that
// never read their responses. The broker must drop or mute them, stay within a memory bound and keep
// serving a normal client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ApiKey } from '../../src/protocol/api.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { brokerForTest, eventually, memoryMiB, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { createTopicOnWire, WireSocket } from '../helpers/wire.js';

const MiB = 1024 * 1024;

/** A raw socket to the broker, connected. */
function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function whenClosed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => { if (s.destroyed) resolve(); else s.once('close', () => resolve()); });
}

/** Answers Metadata: the connection was accepted and is served. */
async function served(s: WireSocket, broker: BrokerProcess): Promise<void> {
  const res = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
  assert.equal(res.brokers[0].port, broker.port);
}

/** A normal client's produce and fetch still work. */
async function assertProduceAndFetch(broker: BrokerProcess, topic: string): Promise<void> {
  const s = await WireSocket.connect(broker.port);
  try {
    const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
    assert.ok(b.tryAppend({ key: null, value: Buffer.from('still here'), timestamp: Date.now() }));
    const res = await s.request(ApiKey.Produce, 7, {
      transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: b.build() }] }],
    });
    assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
    const offset = res.responses[0].partitionResponses[0].baseOffset;
    const f = await s.request(ApiKey.Fetch, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: MiB, isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: MiB }] }],
    });
    assert.equal(f.responses[0].partitions[0].errorCode, 0);
    assert.ok(f.responses[0].partitions[0].records.length > 0);
  } finally {
    s.close();
  }
}

async function createTopic(broker: BrokerProcess, name: string): Promise<void> {
  assert.equal((await createTopicOnWire(broker.port, name)).errorCode, 0);
}

test('max.connections: a connection past the limit is closed at accept, with a log line', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_MAX_CONNECTIONS: '3' } });
  const open = await Promise.all([0, 1, 2].map(() => WireSocket.connect(broker.port)));
  t.after(() => { for (const s of open) s.close(); });
  for (const s of open) await served(s, broker);
  const extra = await WireSocket.connect(broker.port);
  assert.equal(await extra.closedWithin(5000), true);
  await broker.waitForOutput(/connection refused.*max\.connections \(3\) reached/);
  open.pop()!.close();
  // A slot is free again once the broker saw the close.
  await eventually(async () => {
    const s = await WireSocket.connect(broker.port);
    try { await served(s, broker); return true; } finally { s.close(); }
  }, { timeoutMs: 10_000 });
});

test('max.connections.per.ip: a third connection from 127.0.0.1 is closed', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_MAX_CONNECTIONS_PER_IP: '2' } });
  const open = await Promise.all([0, 1].map(() => WireSocket.connect(broker.port)));
  t.after(() => { for (const s of open) s.close(); });
  for (const s of open) await served(s, broker);
  const extra = await WireSocket.connect(broker.port);
  assert.equal(await extra.closedWithin(5000), true);
  await broker.waitForOutput(/connection refused.*max\.connections\.per\.ip \(2\) reached/);
});

test('connections.max.idle.ms: a silent connection is closed', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_CONNECTIONS_MAX_IDLE_MS: '500' } });
  const s = await WireSocket.connect(broker.port);
  t.after(() => s.close());
  await served(s, broker);
  assert.equal(await s.closedWithin(10_000), true);
  await broker.waitForOutput(/closing connection.*idle for connections\.max\.idle\.ms/);
});

test('a peer trickling a request one byte at a time is dropped at socket.request.read.timeout.ms', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_SOCKET_REQUEST_READ_TIMEOUT_MS: '1000' } });
  const s = await rawConnect(broker.port);
  t.after(() => s.destroy());
  s.on('error', () => {});
  // A whole Metadata v1 request for one 200-character topic: 200+ bytes, one every 100 ms would take 20 s.
  const name = Buffer.from('x'.repeat(200));
  const payload = Buffer.alloc(2 + 2 + 4 + 2 + 4 + 2 + name.length);
  let at = payload.writeInt16BE(ApiKey.Metadata, 0);
  at = payload.writeInt16BE(1, at);
  at = payload.writeInt32BE(1, at);
  at = payload.writeInt16BE(-1, at);
  at = payload.writeInt32BE(1, at);
  at = payload.writeInt16BE(name.length, at);
  name.copy(payload, at);
  const bytes = Buffer.concat([Buffer.from([0, 0, (payload.length >> 8) & 0xff, payload.length & 0xff]), payload]);
  let sent = 0;
  const timer = setInterval(() => {
    if (s.destroyed || sent >= bytes.length) { clearInterval(timer); return; }
    s.write(bytes.subarray(sent, sent + 1));
    sent++;
  }, 100);
  t.after(() => clearInterval(timer));
  const closed = await Promise.race([whenClosed(s).then(() => true), new Promise<boolean>((r) => s.once('data', () => r(false)))]);
  assert.equal(closed, true, 'the trickled request was answered instead of dropped');
  assert.ok(sent < bytes.length, `all ${sent} bytes went out before the broker closed`);
  await broker.waitForOutput(/closing connection.*socket\.request\.read\.timeout\.ms/);
});

/**
 * Opens `count` sockets that each declare a `declaredBytes` frame and send `sentBytes` of it; resolves once
 * every socket either wrote all it had or was closed by the broker.
 */
async function halfSentFrames(port: number, count: number, declaredBytes: number, sentBytes: number): Promise<net.Socket[]> {
  const body = Buffer.alloc(sentBytes, 1);
  const head = Buffer.alloc(4);
  head.writeInt32BE(declaredBytes);
  const sockets = await Promise.all(Array.from({ length: count }, () => rawConnect(port)));
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
    s.on('error', () => {});
    s.once('close', () => resolve());
    s.write(head);
    s.write(body, () => resolve());
  })));
  return sockets;
}

test('queued.max.request.bytes: 20 half-sent frames cannot make the broker hold 200 MB', async (t) => {
  const broker = await brokerForTest(t, { env: {
    MQ_SOCKET_REQUEST_MAX_BYTES: String(16 * MiB), MQ_QUEUED_MAX_REQUEST_BYTES: String(16 * MiB), MQ_SOCKET_REQUEST_READ_TIMEOUT_MS: '3000',
  } });
  const before = await memoryMiB(broker.proc.pid!, 'VmHWM');
  // 20 x 10 MiB of 16 MiB frames: without the pool the broker buffers all 200 MiB.
  const sockets = await halfSentFrames(broker.port, 20, 16 * MiB, 10 * MiB);
  t.after(() => { for (const s of sockets) s.destroy(); });
  const peak = await memoryMiB(broker.proc.pid!, 'VmHWM');
  t.diagnostic(`broker peak RSS ${before.toFixed(0)} -> ${peak.toFixed(0)} MB`);
  assert.ok(peak - before < 60, `peak RSS grew from ${before.toFixed(0)} to ${peak.toFixed(0)} MB`);
  // Muted partial frames are dropped by the read timeout, which frees the pool.
  await broker.waitForOutput(/closing connection.*socket\.request\.read\.timeout\.ms/, undefined, 20_000);
  const topic = uniqueTopic('after');
  await createTopic(broker, topic);
  await assertProduceAndFetch(broker, topic);
});

/** Fills partition 0 of `topic` with `batches` batches of about 1 MB each. */
async function fill(broker: BrokerProcess, topic: string, batches: number): Promise<void> {
  const s = await WireSocket.connect(broker.port);
  try {
    for (let i = 0; i < batches; i++) {
      const b = new RecordBatchBuilder({ maxBytes: 2 << 20 });
      assert.ok(b.tryAppend({ key: null, value: Buffer.alloc(1_000_000, i), timestamp: Date.now() }));
      const res = await s.request(ApiKey.Produce, 7, {
        transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: b.build() }] }],
      });
      assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
    }
  } finally {
    s.close();
  }
}

/**
 * A client that pipelines `requests` Fetches for an old offset (each naming the partition `repeats`
 * times) and never reads a byte of the answers.
 */
async function neverReadingClient(port: number, topic: string, requests: number, repeats: number): Promise<WireSocket> {
  const s = await WireSocket.connect(port);
  s.socket.pause();
  const partitions = Array.from({ length: repeats }, () => ({ partition: 0, fetchOffset: 0n, partitionMaxBytes: 8 * MiB }));
  for (let i = 0; i < requests; i++) {
    s.send(ApiKey.Fetch, 4, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 50 * MiB, isolationLevel: 0, topics: [{ topic, partitions }] });
  }
  return s;
}

/** Waits until the broker has handled at least `n` Fetch requests (its /metrics counter). */
async function fetchesHandled(broker: BrokerProcess, n: number): Promise<void> {
  await eventually(async () => {
    const text = await (await fetch(`http://${broker.admin}/metrics`)).text();
    const m = /^mq_requests_total\{api="Fetch"\} (\d+)/m.exec(text);
    return m !== null && Number(m[1]) >= n;
  }, { timeoutMs: 20_000 });
}

test('clients that never read their responses cannot grow the broker', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('slow');
  await createTopic(broker, topic);
  await fill(broker, topic, 8);
  const before = await memoryMiB(broker.proc.pid!);
  const clients = await Promise.all([0, 1].map(() => neverReadingClient(broker.port, topic, 200, 200)));
  t.after(() => { for (const c of clients) c.close(); });
  await fetchesHandled(broker, 2);
  await assertProduceAndFetch(broker, topic);
  const peak = await memoryMiB(broker.proc.pid!, 'VmHWM');
  t.diagnostic(`broker RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
  assert.ok(peak - before < 50, `RSS peak ${peak.toFixed(0)} MB from ${before.toFixed(0)} MB`);
});

test('a client that stops reading its responses is closed after connections.max.idle.ms', async (t) => {
  const broker = await brokerForTest(t, { env: { MQ_CONNECTIONS_MAX_IDLE_MS: '1000' } });
  const topic = uniqueTopic('mute');
  await createTopic(broker, topic);
  await fill(broker, topic, 8);
  const client = await neverReadingClient(broker.port, topic, 20, 1);
  t.after(() => client.close());
  await broker.waitForOutput(/closing connection.*response not read for connections\.max\.idle\.ms/, undefined, 15_000);
  // Reading again, the client gets what the kernel held and then the end of the connection.
  client.socket.resume();
  assert.equal(await client.closedWithin(10_000), true);
});

test('under 2,000 idle connections, 20 half-sent 100 MiB frames and two never-reading clients, RSS stays under 300 MB', async (t) => {
  // Default limits but a short read timeout, so each half-sent frame is either read whole-as-sent or
  // dropped by the time the test measures (VmHWM keeps the peak in between).
  const broker = await brokerForTest(t, { env: { MQ_SOCKET_REQUEST_READ_TIMEOUT_MS: '5000' } });
  const topic = uniqueTopic('flood');
  await createTopic(broker, topic);
  await fill(broker, topic, 8);
  const idle: net.Socket[] = [];
  t.after(() => { for (const s of idle) s.destroy(); });
  for (let i = 0; i < 2000; i += 100) {
    idle.push(...await Promise.all(Array.from({ length: 100 }, () => rawConnect(broker.port))));
  }
  for (const s of idle) s.on('error', () => {});
  const frames = await halfSentFrames(broker.port, 20, 100 * MiB, 10 * MiB);
  t.after(() => { for (const s of frames) s.destroy(); });
  const clients = await Promise.all([0, 1].map(() => neverReadingClient(broker.port, topic, 200, 200)));
  t.after(() => { for (const c of clients) c.close(); });
  await fetchesHandled(broker, 2);
  await assertProduceAndFetch(broker, topic);
  const peak = await memoryMiB(broker.proc.pid!, 'VmHWM');
  t.diagnostic(`broker peak RSS ${peak.toFixed(0)} MB, now ${(await memoryMiB(broker.proc.pid!)).toFixed(0)} MB`);
  assert.ok(peak < 300, `broker RSS peaked at ${peak.toFixed(0)} MB`);
  assert.equal(idle.filter((s) => s.destroyed).length, 0, 'idle connections are kept until connections.max.idle.ms');
});
