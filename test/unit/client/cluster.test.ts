import net from 'node:net';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, parseBootstrap } from '../../../src/client/cluster.js';
import { ApiKey, apiSpec } from '../../../src/protocol/api.js';
import { FrameDecoder } from '../../../src/protocol/frame.js';
import { decodeRequestHeader, type RequestHeader } from '../../../src/protocol/header.js';
import type { MetadataRequest, MetadataResponse } from '../../../src/protocol/messages/metadata.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { MqError } from '../../../src/util/mq-error.js';

interface Seen { header: RequestHeader; body: unknown }

/**
 * A fake broker answering ApiVersions with `ranges` and Metadata with `metadata(request)`, using the
 * real protocol registry's codecs. Anything else is left unanswered.
 */
async function fakeBroker(ranges: { apiKey: number; minVersion: number; maxVersion: number }[], metadata: (req: MetadataRequest, port: number) => MetadataResponse) {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  let port = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder(1 << 20);
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const r = new Reader(frame);
        const header = decodeRequestHeader(r);
        const spec = apiSpec(header.apiKey)!;
        const body = spec.request.decode(r, header.apiVersion);
        seen.push({ header, body });
        let response: unknown;
        if (header.apiKey === ApiKey.ApiVersions) response = { errorCode: 0, apiKeys: ranges, throttleTimeMs: 0 };
        else if (header.apiKey === ApiKey.Metadata) response = metadata(body as MetadataRequest, port);
        else continue;
        const w = new Writer();
        w.int32(0).int32(header.correlationId);
        spec.response.encode(w, response, header.apiVersion);
        const out = w.toBuffer();
        out.writeInt32BE(out.length - 4, 0);
        socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, seen, close };
}

const oneTopic = (req: MetadataRequest, port: number): MetadataResponse => ({
  throttleTimeMs: 0,
  brokers: [{ nodeId: 7, host: '127.0.0.1', port, rack: 'r1' }],
  clusterId: 'c-1',
  controllerId: 7,
  topics: (req.topics ?? [{ name: 'orders' }]).map(({ name }) => name === 'orders'
    ? {
      errorCode: 0, name, isInternal: false,
      partitions: [1, 0].map((i) => ({ errorCode: 0, partitionIndex: i, leaderId: i === 0 ? 7 : -1, replicaNodes: [7], isrNodes: [7] })),
    }
    : { errorCode: 3, name, isInternal: false, partitions: [] }),
});

describe('Cluster', () => {
  test('negotiates min(our max, broker max) per API and refuses APIs the broker lacks', async (t) => {
    const broker = await fakeBroker([
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
      { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 5 },
      { apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 16 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.ListOffsets, minVersion: 4, maxVersion: 8 }, // no overlap with our 1-3
    ], oneTopic);
    t.after(() => broker.close());
    const cluster = new Cluster({ bootstrap: [`127.0.0.1:${broker.port}`], clientId: 'unit-test' });
    t.after(() => cluster.close());
    await cluster.connect();

    assert.equal(cluster.versionFor(ApiKey.Produce), 5);
    assert.equal(cluster.versionFor(ApiKey.Fetch), 11);
    assert.equal(cluster.versionFor(ApiKey.Metadata), 2);
    assert.throws(() => cluster.versionFor(ApiKey.ListOffsets), (err: MqError) => err.code === 'UNSUPPORTED_VERSION' && /ListOffsets/.test(err.message));
    assert.throws(() => cluster.versionFor(ApiKey.CreateTopics), (err: MqError) => err.code === 'UNSUPPORTED_VERSION');
    assert.equal(broker.seen[0].header.apiKey, ApiKey.ApiVersions);
    assert.equal(broker.seen[0].header.apiVersion, 2);
    assert.equal(broker.seen[0].header.clientId, 'unit-test');

    // connect() is idempotent: no second ApiVersions
    await cluster.connect();
    assert.equal(broker.seen.filter((s) => s.header.apiKey === ApiKey.ApiVersions).length, 1);
  });

  test('metadata fills the broker and topic caches; errored topics are left out', async (t) => {
    const broker = await fakeBroker([
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 4 },
    ], oneTopic);
    t.after(() => broker.close());
    const cluster = new Cluster({ bootstrap: [`127.0.0.1:${broker.port}`] });
    t.after(() => cluster.close());

    const res = await cluster.refreshMetadata(['orders', 'nope'], true);
    const sent = broker.seen.find((s) => s.header.apiKey === ApiKey.Metadata)!;
    assert.equal(sent.header.apiVersion, 4);
    assert.deepEqual(sent.body, { topics: [{ name: 'orders' }, { name: 'nope' }], allowAutoTopicCreation: true });
    assert.equal(res.topics.length, 2);

    assert.equal(cluster.clusterId, 'c-1');
    assert.equal(cluster.controllerId, 7);
    assert.deepEqual([...cluster.brokers.values()], [{ nodeId: 7, host: '127.0.0.1', port: broker.port, rack: 'r1' }]);
    assert.deepEqual(cluster.topic('orders')!.partitions.map((p) => [p.partition, p.leader]), [[0, 7], [1, -1]]);
    assert.equal(cluster.leaderFor('orders', 0), 7);
    assert.equal(cluster.leaderFor('orders', 1), -1);
    assert.equal(cluster.leaderFor('orders', 9), -1);
    assert.equal(cluster.topic('nope'), undefined);

    // a brokers-only refresh sends an empty list, not null
    await cluster.refreshMetadata([]);
    const last = broker.seen.filter((s) => s.header.apiKey === ApiKey.Metadata).at(-1)!;
    assert.deepEqual((last.body as MetadataRequest).topics, []);
  });

  test('retry() repeats retriable errors only, and gives up after the budget', async (t) => {
    const broker = await fakeBroker([{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }], oneTopic);
    t.after(() => broker.close());
    const cluster = new Cluster({ bootstrap: [`127.0.0.1:${broker.port}`] });
    t.after(() => cluster.close());
    await cluster.connect();

    let calls = 0;
    const value = await cluster.retry(async () => {
      calls++;
      if (calls < 3) throw new MqError('NOT_LEADER_OR_FOLLOWER', 'moved', { retriable: true });
      return 'ok';
    }, { initialBackoffMs: 1, maxBackoffMs: 2 });
    assert.equal(value, 'ok');
    assert.equal(calls, 3);

    calls = 0;
    await assert.rejects(cluster.retry(async () => { calls++; throw new MqError('INVALID_CONFIG', 'no'); }), /no/);
    assert.equal(calls, 1);

    calls = 0;
    const retried: number[] = [];
    await assert.rejects(cluster.retry(async () => {
      calls++;
      throw new MqError('REQUEST_TIMED_OUT', 'slow', { retriable: true });
    }, { retries: 2, initialBackoffMs: 1, maxBackoffMs: 2, onRetry: (_e, attempt) => { retried.push(attempt); } }), /slow/);
    assert.equal(calls, 3);
    assert.deepEqual(retried, [1, 2]);
  });

  test('bootstrap addresses: host:port, [v6]:port, bare host, and junk', () => {
    assert.deepEqual(parseBootstrap('127.0.0.1:9093'), { host: '127.0.0.1', port: 9093 });
    assert.deepEqual(parseBootstrap('PLAINTEXT://broker-1:19092'), { host: 'broker-1', port: 19092 });
    assert.deepEqual(parseBootstrap('[::1]:9092'), { host: '::1', port: 9092 });
    assert.deepEqual(parseBootstrap('localhost'), { host: 'localhost', port: 9092 });
    assert.throws(() => parseBootstrap('a:b:c'), (err: MqError) => err.code === 'INVALID_CONFIG' && /a:b:c/.test(err.message));
    assert.throws(() => parseBootstrap('host:99999'), /not HOST:PORT/);
    assert.throws(() => new Cluster({ bootstrap: [] }), /no bootstrap broker/);
  });
});
