// Producer and Consumer against an in-process broker on port 0.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '../../src/broker/broker.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/config.js';
import { createAdmin, createConsumer, createProducer } from '../../src/client/index.js';
import type { ConsumedRecord, ConsumerOptions, OffsetSpec, ProducerOptions } from '../../src/client/index.js';
import { murmur2, toPositive } from '../../src/client/murmur2.js';
import { MqError } from '../../src/util/mq-error.js';
import { createLogger } from '../../src/util/logger.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { uniqueTopic } from '../helpers/mq-process.js';

const quietLogger = createLogger('error', () => {});

async function brokerFor(t: TestContext, overrides: Partial<BrokerConfig> = {}): Promise<string[]> {
  return (await inProcessBroker(t, overrides)).bootstrap;
}

async function createTopic(t: TestContext, bootstrap: string[], topic: string, partitions: number, configs?: Record<string, string>): Promise<void> {
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  await admin.createTopic({ topic, partitions, replicationFactor: 1, configs });
}

function producerFor(t: TestContext, opts: ProducerOptions) {
  const producer = createProducer(opts);
  defer(t, () => producer.close());
  return producer;
}

function consumerFor(t: TestContext, opts: ConsumerOptions) {
  const consumer = createConsumer(opts);
  defer(t, () => consumer.close());
  return consumer;
}

function adminFor(t: TestContext, bootstrap: string[]) {
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  return admin;
}

async function consumeAll(
  t: TestContext, bootstrap: string[], topic: string, start: OffsetSpec, opts: Partial<ConsumerOptions> = {},
): Promise<ConsumedRecord[]> {
  const consumer = consumerFor(t, { bootstrap, ...opts });
  await consumer.assign([{ topic, start }]);
  const out: ConsumedRecord[] = [];
  for await (const r of consumer.records({ exitAtEnd: true })) out.push(r);
  return out;
}

/** 10,000 keyed records with headers; value = "<key>:<sequence of that key>". */
function keyedRecords(topic: string, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const key = `user-${i % 97}`;
    return {
      topic,
      key: Buffer.from(key),
      value: Buffer.from(`${key}:${Math.floor(i / 97)}`),
      headers: [{ key: 'seq', value: Buffer.from(String(i)) }, { key: 'empty', value: null }],
    };
  });
}

describe('producer and consumer against a broker', () => {
  for (const { acks, compression } of [
    { acks: 1 as const, compression: 'none' as const },
    { acks: -1 as const, compression: 'gzip' as const },
  ]) {
    test(`10,000 keyed records with headers round-trip (acks ${acks}, ${compression})`, async (t) => {
      const bootstrap = await brokerFor(t);
      const topic = uniqueTopic('roundtrip');
      const partitions = 3;
      await createTopic(t, bootstrap, topic, partitions);
      const producer = producerFor(t, { bootstrap, acks, compression, lingerMs: 2 });
      const records = keyedRecords(topic, 10_000);
      const sent = [];
      for (const r of records) {
        await producer.waitForCapacity();
        sent.push(producer.send(r));
      }
      const metas = await Promise.all(sent);

      // Keys land where the Java client puts them, and offsets are dense per partition.
      const nextOffset = new Map<number, number>();
      metas.forEach((m, i) => {
        assert.equal(m.topic, topic);
        assert.equal(m.partition, toPositive(murmur2(records[i].key)) % partitions, `record ${i}`);
        const expected = nextOffset.get(m.partition) ?? 0;
        assert.equal(m.offset, expected, `record ${i} offset`);
        nextOffset.set(m.partition, expected + 1);
      });

      const consumed = await consumeAll(t, bootstrap, topic, { kind: 'beginning' });
      assert.equal(consumed.length, records.length);
      const lastSeqOfKey = new Map<string, number>();
      const lastOffset = new Map<number, number>();
      for (const r of consumed) {
        const seq = Number(r.headers[0].value!.toString());
        const original = records[seq];
        assert.equal(r.topic, topic);
        assert.deepEqual(r.key, original.key);
        assert.deepEqual(r.value, original.value);
        assert.equal(r.headers.length, 2);
        assert.equal(r.headers[0].key, 'seq');
        assert.equal(r.headers[1].key, 'empty');
        assert.equal(r.headers[1].value, null);
        assert.equal(r.timestampType, 0);
        assert.equal(r.partition, metas[seq].partition);
        assert.equal(r.offset, metas[seq].offset);
        assert.equal(r.timestamp, metas[seq].timestamp);
        // offsets increase by one within a partition, and each key's records arrive in send order
        assert.equal(r.offset, (lastOffset.get(r.partition) ?? -1) + 1);
        lastOffset.set(r.partition, r.offset);
        const keySeq = Number(r.value!.toString().split(':')[1]);
        assert.equal(keySeq, (lastSeqOfKey.get(r.key!.toString()) ?? -1) + 1);
        lastSeqOfKey.set(r.key!.toString(), keySeq);
      }
    });
  }

  test('keyless records fill sticky batches and spread over partitions', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('sticky');
    await createTopic(t, bootstrap, topic, 4);
    const producer = producerFor(t, { bootstrap, acks: 1, batchSize: 1024, lingerMs: 50 });
    const metas = await Promise.all(
      Array.from({ length: 400 }, (_, i) => producer.send({ topic, value: Buffer.alloc(100, i) })),
    );
    // Consecutive records share a partition for a whole batch (about 8 records of 100 bytes in 1 KiB).
    let switches = 0;
    for (let i = 1; i < metas.length; i++) if (metas[i].partition !== metas[i - 1].partition) switches++;
    assert.ok(switches >= 20 && switches <= 100, `partition switched ${switches} times`);
    assert.equal(new Set(metas.map((m) => m.partition)).size, 4);
  });

  test('fromEnd, end, timestamp and offset starts', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('starts');
    await createTopic(t, bootstrap, topic, 2);
    const producer = producerFor(t, { bootstrap, acks: 1 });
    const base = 1_700_000_000_000;
    await Promise.all(Array.from({ length: 100 }, (_, i) =>
      producer.send({ topic, partition: i % 2, value: Buffer.from(String(i)), timestamp: base + i })));

    const lastThree = await consumeAll(t, bootstrap, topic, { kind: 'fromEnd', n: 3 });
    assert.deepEqual(lastThree.map((r) => `${r.partition}:${r.offset}`).sort(), ['0:47', '0:48', '0:49', '1:47', '1:48', '1:49']);

    const tooMany = await consumeAll(t, bootstrap, topic, { kind: 'fromEnd', n: 1000 });
    assert.equal(tooMany.length, 100);

    const atEnd = await consumeAll(t, bootstrap, topic, { kind: 'end' });
    assert.equal(atEnd.length, 0);

    // partition 0 holds even i (timestamps base, base+2, ...); >= base+51 first matches i = 52 at offset 26
    const fromTime = await consumeAll(t, bootstrap, topic, { kind: 'timestamp', timestampMs: base + 51 });
    const p0 = fromTime.filter((r) => r.partition === 0);
    const p1 = fromTime.filter((r) => r.partition === 1);
    assert.equal(p0[0].offset, 26);
    assert.equal(p0[0].timestamp, base + 52);
    assert.equal(p1[0].offset, 25);
    assert.equal(p1[0].value!.toString(), '51');
    assert.equal(p0.length + p1.length, 49);

    const future = await consumeAll(t, bootstrap, topic, { kind: 'timestamp', timestampMs: base + 10_000 });
    assert.equal(future.length, 0);

    const fromOffset = await consumeAll(t, bootstrap, topic, { kind: 'offset', offset: 40 });
    assert.equal(fromOffset.length, 20);
    assert.equal(fromOffset.filter((r) => r.partition === 1)[0].value!.toString(), '81');

    const consumer = consumerFor(t, { bootstrap });
    await assert.rejects(consumer.assign([{ topic, partitions: [0], start: { kind: 'offset', offset: 51 } }]), (err: MqError) => {
      assert.equal(err.code, 'OFFSET_OUT_OF_RANGE');
      assert.match(err.message, new RegExp(`offset 51 is out of range for ${topic}-0: valid offsets are 0 to 49, or 50`));
      return true;
    });
  });

  test('a consumer at the end receives records produced later; abort ends the iteration', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('tail');
    await createTopic(t, bootstrap, topic, 1);
    const producer = producerFor(t, { bootstrap, acks: 1, lingerMs: 0 });
    await producer.send({ topic, value: Buffer.from('old') });

    const consumer = consumerFor(t, { bootstrap, maxWaitMs: 10_000 });
    await consumer.assign([{ topic, start: { kind: 'end' } }]);
    const ac = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const r of consumer.records({ signal: ac.signal })) {
        got.push(r.value!.toString());
        if (got.length === 3) break;
      }
    })();
    await producer.send({ topic, value: Buffer.from('new-1') });
    await producer.send({ topic, value: Buffer.from('new-2') });
    await producer.send({ topic, value: Buffer.from('new-3') });
    await done;
    assert.deepEqual(got, ['new-1', 'new-2', 'new-3']);

    // A long poll in progress (maxWaitMs 10 s) ends as soon as the signal aborts.
    const iteration = (async () => {
      const seen: ConsumedRecord[] = [];
      for await (const r of consumer.records({ signal: ac.signal })) seen.push(r);
      return seen;
    })();
    const abortedAt = Date.now();
    setImmediate(() => ac.abort());
    assert.deepEqual(await iteration, []);
    assert.ok(Date.now() - abortedAt < 5000);
  });

  test('acks=0 resolves with offset -1 and the records arrive', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('acks0');
    await createTopic(t, bootstrap, topic, 1);
    const producer = producerFor(t, { bootstrap, acks: 0 });
    const metas = await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic, value: Buffer.from(String(i)) })));
    assert.ok(metas.every((m) => m.offset === -1 && m.partition === 0));
    await producer.flush();
    const admin = adminFor(t, bootstrap);
    const deadline = Date.now() + 5000;
    let hwm = 0;
    while (Date.now() < deadline) {
      hwm = (await admin.describeTopic(topic)).partitions[0].highWatermark;
      if (hwm === 50) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(hwm, 50);
    const consumed = await consumeAll(t, bootstrap, topic, { kind: 'beginning' });
    assert.deepEqual(consumed.map((r) => r.value!.toString()), Array.from({ length: 50 }, (_, i) => String(i)));
  });

  test('producing to a new topic auto-creates it when the broker allows', async (t) => {
    const bootstrap = await brokerFor(t, { autoCreateTopicsEnable: true, numPartitions: 2 });
    const topic = uniqueTopic('auto');
    const producer = producerFor(t, { bootstrap, acks: -1 });
    const metas = await Promise.all([0, 1, 2].map((i) => producer.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from('v') })));
    for (const m of metas) assert.ok(m.partition === 0 || m.partition === 1);
    const consumed = await consumeAll(t, bootstrap, topic, { kind: 'beginning' });
    assert.equal(consumed.length, 3);
  });

  test('producing to a missing topic without auto-creation fails with a hint', async (t) => {
    const bootstrap = await brokerFor(t, { autoCreateTopicsEnable: false });
    const topic = uniqueTopic('missing');
    const producer = producerFor(t, { bootstrap });
    await assert.rejects(producer.send({ topic, value: Buffer.from('x') }), (err: MqError) => {
      assert.equal(err.code, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(err.message, `topic '${topic}' does not exist and the broker does not create topics automatically`);
      assert.equal(err.hint, `Create it with \`mq topics create ${topic}\`.`);
      return true;
    });
  });

  test('a batch over max.message.bytes is rejected without retries; an unknown partition is refused', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('large');
    await createTopic(t, bootstrap, topic, 1, { 'max.message.bytes': '1000' });
    const producer = producerFor(t, { bootstrap, acks: 1 });
    await assert.rejects(producer.send({ topic, value: Buffer.alloc(5000) }), (err: MqError) => {
      assert.equal(err.code, 'MESSAGE_TOO_LARGE');
      assert.equal(err.retriable, false);
      assert.match(err.message, new RegExp(`${topic}-0`));
      return true;
    });
    const ok = await producer.send({ topic, value: Buffer.alloc(10) });
    assert.equal(ok.offset, 0);
    await assert.rejects(producer.send({ topic, partition: 3, value: null }), /has 1 partition; partition 3 does not exist/);
  });

  test('LogAppendTime topics report the broker time', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('logtime');
    await createTopic(t, bootstrap, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const producer = producerFor(t, { bootstrap, acks: 1 });
    const before = Date.now();
    const meta = await producer.send({ topic, value: Buffer.from('x'), timestamp: 1000 });
    assert.ok(meta.timestamp >= before, `timestamp ${meta.timestamp}`);
    const [r] = await consumeAll(t, bootstrap, topic, { kind: 'beginning' });
    assert.equal(r.timestampType, 1);
    assert.equal(r.timestamp, meta.timestamp);
  });

  test('producer and consumer carry on after the broker restarts', async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mq-client-'));
    defer(t, () => rm(dataDir, { recursive: true, force: true }));
    const config = { ...defaultBrokerConfig(), dataDir, listen: { host: '127.0.0.1', port: 0 } };
    let broker = await startBroker(config, { logger: quietLogger });
    defer(t, () => broker.close());
    const port = broker.port;
    const bootstrap = [`127.0.0.1:${port}`];
    const topic = uniqueTopic('restart');
    await createTopic(t, bootstrap, topic, 1);

    const producer = producerFor(t, { bootstrap, acks: -1, lingerMs: 0, retryBackoffMs: 20 });
    const consumer = consumerFor(t, { bootstrap, maxWaitMs: 200 });
    await producer.send({ topic, value: Buffer.from('before') });
    await consumer.assign([{ topic, start: { kind: 'beginning' } }]);
    const got: string[] = [];
    const ac = new AbortController();
    const reading = (async () => {
      for await (const r of consumer.records({ signal: ac.signal })) {
        got.push(r.value!.toString());
        if (got.length === 2) break;
      }
    })();
    const deadline = Date.now() + 5000;
    while (got.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, ['before']);

    await broker.close();
    broker = await startBroker({ ...config, listen: { host: '127.0.0.1', port } }, { logger: quietLogger });
    const meta = await producer.send({ topic, value: Buffer.from('after') });
    assert.equal(meta.offset, 1);
    await reading;
    assert.deepEqual(got, ['before', 'after']);
  });

  test('a consumer of a missing topic or partition gets a clear error', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('present');
    await createTopic(t, bootstrap, topic, 2);
    const consumer = consumerFor(t, { bootstrap });
    await assert.rejects(consumer.assign([{ topic: 'no-such-topic', start: { kind: 'beginning' } }]), (err: MqError) => {
      assert.equal(err.code, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(err.message, "topic 'no-such-topic' does not exist");
      return true;
    });
    await assert.rejects(consumer.assign([{ topic, partitions: [5], start: { kind: 'beginning' } }]), /has 2 partitions; partition 5 does not exist/);
    // the consumer never created the topic
    const admin = adminFor(t, bootstrap);
    assert.deepEqual(await admin.listTopics(), [topic]);
  });

  test('flush() sends lingering batches at once and close() rejects later sends', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('flush');
    await createTopic(t, bootstrap, topic, 1);
    const producer = producerFor(t, { bootstrap, acks: 1, lingerMs: 60_000 });
    let acked = 0;
    const sends = Array.from({ length: 10 }, () => producer.send({ topic, value: Buffer.from('x') }).then(() => { acked++; }));
    await producer.flush();
    assert.equal(acked, 10);
    await Promise.all(sends);
    await producer.close();
    await assert.rejects(producer.send({ topic, value: null }), (err: MqError) => err.code === 'CLIENT_CLOSED');
  });

  test('waitForCapacity() holds back a producer over bufferMemory until acks free it', async (t) => {
    const bootstrap = await brokerFor(t);
    const topic = uniqueTopic('capacity');
    await createTopic(t, bootstrap, topic, 1);
    // Nothing is sent before flush(): batches are large and linger for a minute.
    const producer = producerFor(t, { bootstrap, acks: 1, bufferMemory: 10_000, lingerMs: 60_000, batchSize: 1 << 20 });
    const warmUp = producer.send({ topic, value: null });
    await producer.flush();
    await warmUp;
    await producer.waitForCapacity();
    const sends = Array.from({ length: 20 }, () => producer.send({ topic, value: Buffer.alloc(1000) }));
    let released = false;
    const waiting = producer.waitForCapacity().then(() => { released = true; });
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.equal(released, false);
    await producer.flush();
    await waiting;
    assert.equal(released, true);
    await Promise.all(sends);
    await producer.waitForCapacity();
  });
});
