import net from 'node:net';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../../src/client/connection.js';
import type { ApiSchemas } from '../../../src/client/api-schemas.js';
import { int32, string, struct } from '../../../src/protocol/codec.js';
import { FrameDecoder } from '../../../src/protocol/frame.js';
import { decodeRequestHeader, type RequestHeader } from '../../../src/protocol/header.js';
import { Reader } from '../../../src/protocol/reader.js';
import { MqError } from '../../../src/util/mq-error.js';

// A toy API for the fake server: request { n }, response { n, note }.
const EchoRequest = struct({ n: int32 });
const EchoResponse = struct({ n: int32, note: string });
const ECHO_KEY = 1000;
const schemas: ApiSchemas = (apiKey) => {
  if (apiKey !== ECHO_KEY) throw new Error(`no schema for ${apiKey}`);
  return { request: EchoRequest, response: EchoResponse };
};

interface Received { header: RequestHeader; n: number; socket: net.Socket }

/** A tiny TCP server speaking the frame format; `onRequest` decides when and how to answer. */
async function fakeServer(onRequest: (req: Received, reply: (n: number, note?: string) => void) => void) {
  const sockets = new Set<net.Socket>();
  const received: Received[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder(1 << 20);
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const r = new Reader(frame);
        const header = decodeRequestHeader(r);
        const { n } = EchoRequest.decode(r, header.apiVersion);
        const req = { header, n, socket };
        received.push(req);
        onRequest(req, (value, note = '') => {
          const body = EchoResponse.toBuffer({ n: value, note }, header.apiVersion);
          const out = Buffer.allocUnsafe(8);
          out.writeInt32BE(4 + body.length, 0);
          out.writeInt32BE(header.correlationId, 4);
          socket.write(Buffer.concat([out, body]));
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, received, sockets, close };
}

async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Connection', () => {
  test('pipelines many requests and matches each response by correlation id', async (t) => {
    const server = await fakeServer((req, reply) => reply(req.n * 2, `v${req.header.apiVersion}`));
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, clientId: 'unit', schemas });
    t.after(() => conn.close());

    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => conn.request<{ n: number; note: string }>(ECHO_KEY, 3, { n: i })),
    );
    assert.deepEqual(results.map((r) => r.n), Array.from({ length: 100 }, (_, i) => i * 2));
    assert.equal(results[0].note, 'v3');
    assert.equal(server.received.length, 100);
    const ids = server.received.map((r) => r.header.correlationId);
    assert.equal(new Set(ids).size, 100, 'correlation ids are unique');
    for (const r of server.received) {
      assert.equal(r.header.apiKey, ECHO_KEY);
      assert.equal(r.header.clientId, 'unit');
    }
    // all 100 requests went over one connection
    assert.equal(new Set(server.received.map((r) => r.socket)).size, 1);
    // an API without a schema rejects (never throws) and leaves the connection usable
    await assert.rejects(conn.request(ECHO_KEY + 1, 0, {}), /no schema for 1001/);
    assert.equal((await conn.request<{ n: number }>(ECHO_KEY, 0, { n: 4 })).n, 8);
  });

  test('responses answered out of order still reach the right caller', async (t) => {
    const held: (() => void)[] = [];
    const server = await fakeServer((req, reply) => {
      held.push(() => reply(req.n + 1000));
      if (held.length === 5) for (const answer of held.reverse()) answer();
    });
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, schemas });
    t.after(() => conn.close());
    const results = await Promise.all([0, 1, 2, 3, 4].map((n) => conn.request<{ n: number }>(ECHO_KEY, 0, { n })));
    assert.deepEqual(results.map((r) => r.n), [1000, 1001, 1002, 1003, 1004]);
  });

  test('a request without an answer times out; later requests still work and a late answer is dropped', async (t) => {
    let late: (() => void) | null = null;
    const server = await fakeServer((req, reply) => {
      if (req.n < 0) late = () => reply(-1);
      else {
        reply(req.n);
        late?.();
      }
    });
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, schemas });
    t.after(() => conn.close());

    await assert.rejects(conn.request(ECHO_KEY, 0, { n: -1 }, { timeoutMs: 30 }), (err: MqError) => {
      assert.ok(err instanceof MqError);
      assert.equal(err.code, 'REQUEST_TIMED_OUT');
      assert.equal(err.retriable, true);
      return true;
    });
    const ok = await conn.request<{ n: number }>(ECHO_KEY, 0, { n: 7 });
    assert.equal(ok.n, 7);
    const again = await conn.request<{ n: number }>(ECHO_KEY, 0, { n: 8 });
    assert.equal(again.n, 8);
    assert.equal(conn.closed, false);
  });

  test('connection refused names the address and gives a hint', async () => {
    const port = await unusedPort();
    const conn = new Connection({ host: '127.0.0.1', port, schemas });
    await assert.rejects(conn.request(ECHO_KEY, 0, { n: 1 }), (err: MqError) => {
      assert.ok(err instanceof MqError);
      assert.equal(err.code, 'NETWORK_EXCEPTION');
      assert.equal(err.message, `cannot connect to 127.0.0.1:${port}: connection refused`);
      assert.equal(err.retriable, true);
      assert.match(err.hint ?? '', /mq broker start/);
      return true;
    });
    assert.equal(conn.closed, true);
    await assert.rejects(conn.request(ECHO_KEY, 0, { n: 2 }), /connection refused/);
    await assert.rejects(conn.ready(), /connection refused/);
    await conn.close();
  });

  test('the broker closing the socket rejects every request in flight', async (t) => {
    let seen = 0;
    const server = await fakeServer((req) => {
      seen++;
      if (seen === 3) req.socket.destroy();
    });
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, schemas });
    t.after(() => conn.close());
    const results = await Promise.allSettled([1, 2, 3].map((n) => conn.request(ECHO_KEY, 0, { n })));
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason as MqError;
      assert.equal(err.code, 'NETWORK_EXCEPTION');
      assert.equal(err.retriable, true);
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    }
    assert.equal(conn.closed, true);
  });

  test('send() writes a request that expects no response', async (t) => {
    const server = await fakeServer(() => {});
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, schemas });
    t.after(() => conn.close());
    await conn.send(ECHO_KEY, 0, { n: 41 });
    await conn.send(ECHO_KEY, 0, { n: 42 });
    const deadline = Date.now() + 5000;
    while (server.received.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.deepEqual(server.received.map((r) => r.n), [41, 42]);
  });

  test('close() rejects requests still in flight and resolves once the socket is gone', async (t) => {
    const server = await fakeServer(() => {});
    t.after(() => server.close());
    const conn = new Connection({ host: '127.0.0.1', port: server.port, schemas });
    await conn.ready();
    const pending = conn.request(ECHO_KEY, 0, { n: 1 });
    const deadline = Date.now() + 5000;
    while (server.received.length < 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const outcome = assert.rejects(pending, (err: MqError) => err.code === 'NETWORK_EXCEPTION' && err.retriable);
    await conn.close();
    await outcome;
    assert.equal(conn.closed, true);
  });
});
