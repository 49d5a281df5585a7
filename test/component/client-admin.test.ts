// Admin against an in-process broker on port 0.
import net from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { BrokerConfig } from '../../src/config/config.js';
import { createAdmin, createProducer } from '../../src/client/index.js';
import { MqError } from '../../src/util/mq-error.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { uniqueTopic } from '../helpers/mq-process.js';

async function brokerFor(t: TestContext, overrides: Partial<BrokerConfig> = {}): Promise<{ bootstrap: string[]; port: number; clusterId: string }> {
  const { broker, bootstrap } = await inProcessBroker(t, overrides);
  return { bootstrap, port: broker.port, clusterId: broker.clusterId };
}

function adminFor(t: TestContext, bootstrap: string[]) {
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  return admin;
}

describe('admin against a broker', () => {
  test('metadata lists the broker, the controller and the cluster id', async (t) => {
    const { bootstrap, port, clusterId } = await brokerFor(t);
    const admin = adminFor(t, bootstrap);
    const md = await admin.metadata();
    assert.equal(md.clusterId, clusterId);
    assert.equal(md.controllerId, 0);
    assert.deepEqual(md.brokers, [{ nodeId: 0, host: '127.0.0.1', port, rack: null }]);
    assert.deepEqual(md.topics, []);
  });

  test('create, list, describe, grow and delete a topic', async (t) => {
    const { bootstrap } = await brokerFor(t);
    const admin = adminFor(t, bootstrap);
    const topic = uniqueTopic('orders');
    const other = uniqueTopic('audit');

    await admin.createTopic({ topic, partitions: 3, replicationFactor: 1 });
    await admin.createTopic({ topic: other }); // broker defaults: num.partitions 1
    assert.deepEqual(await admin.listTopics(), [other, topic].sort());

    await assert.rejects(admin.createTopic({ topic, partitions: 1 }), (err: MqError) => {
      assert.equal(err.code, 'TOPIC_ALREADY_EXISTS');
      assert.equal(err.message, `topic '${topic}' already exists`);
      return true;
    });

    const producer = createProducer({ bootstrap, acks: 1 });
    defer(t, () => producer.close());
    await Promise.all(Array.from({ length: 7 }, (_, i) => producer.send({ topic, partition: i % 3, value: Buffer.from('x') })));

    const described = await admin.describeTopic(topic);
    assert.equal(described.name, topic);
    assert.deepEqual(
      described.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr, p.logStartOffset, p.highWatermark, p.errorCode]),
      [[0, 0, [0], [0], 0, 3, 0], [1, 0, [0], [0], 0, 2, 0], [2, 0, [0], [0], 0, 2, 0]],
    );
    const md = await admin.metadata([topic]);
    assert.equal(md.topics.length, 1);
    assert.equal(md.topics[0].partitions.length, 3);

    await assert.rejects(admin.createPartitions(topic, 3), (err: MqError) => {
      assert.equal(err.code, 'INVALID_PARTITIONS');
      assert.equal(err.message, `topic ${topic} has 3 partitions; --partitions must be larger (partitions can only be added)`);
      return true;
    });
    await assert.rejects(admin.createPartitions(topic, 2), (err: MqError) => err.code === 'INVALID_PARTITIONS');
    await admin.createPartitions(topic, 5);
    const grown = await admin.describeTopic(topic);
    assert.deepEqual(grown.partitions.map((p) => [p.partition, p.highWatermark]), [[0, 3], [1, 2], [2, 2], [3, 0], [4, 0]]);

    await admin.deleteTopic(topic);
    assert.deepEqual(await admin.listTopics(), [other]);
    await assert.rejects(admin.describeTopic(topic), (err: MqError) => {
      assert.equal(err.code, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(err.message, `topic '${topic}' does not exist`);
      return true;
    });
    await assert.rejects(admin.deleteTopic(topic), (err: MqError) => {
      assert.equal(err.code, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(err.message, `topic '${topic}' does not exist`);
      return true;
    });
    await assert.rejects(admin.createPartitions(topic, 9), /does not exist/);
  });

  test('an invalid topic name or config is refused with the broker reason', async (t) => {
    const { bootstrap } = await brokerFor(t);
    const admin = adminFor(t, bootstrap);
    await assert.rejects(admin.createTopic({ topic: 'bad/name', partitions: 1 }), (err: MqError) => {
      assert.equal(err.code, 'INVALID_TOPIC_EXCEPTION');
      assert.match(err.message, /'bad\/name' is not a valid topic name/);
      return true;
    });
    await assert.rejects(
      admin.createTopic({ topic: uniqueTopic('cfg'), partitions: 1, configs: { 'no.such.config': '1' } }),
      (err: MqError) => {
        assert.equal(err.code, 'INVALID_CONFIG');
        assert.match(err.message, /no\.such\.config/);
        return true;
      },
    );
    await assert.rejects(admin.createTopic({ topic: uniqueTopic('zero'), partitions: 0 }), (err: MqError) => err.code === 'INVALID_PARTITIONS');
  });

  test('no broker at the address: connection refused, with a hint', async (t) => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const admin = adminFor(t, [`127.0.0.1:${port}`]);
    await assert.rejects(admin.listTopics(), (err: MqError) => {
      assert.equal(err.code, 'NETWORK_EXCEPTION');
      assert.equal(err.message, `cannot connect to 127.0.0.1:${port}: connection refused`);
      assert.equal(err.hint, 'Is a broker running there? Start one with `mq broker start`, or point -b/--bootstrap at one.');
      return true;
    });
  });

  test('bootstrap skips an address with no broker and uses the next', async (t) => {
    const { bootstrap } = await brokerFor(t);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const deadPort = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const admin = adminFor(t, [`127.0.0.1:${deadPort}`, ...bootstrap]);
    assert.deepEqual(await admin.listTopics(), []);
  });
});
