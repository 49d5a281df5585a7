// kafkajs 2.2.4's producer and admin client against a real broker process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startBrokerProcess, tempDir, uniqueTopic, run, type BrokerProcess } from '../helpers/mq-process.js';

let broker: BrokerProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;
let kafka: Kafka;

before(async () => {
  dir = await tempDir();
  broker = await startBrokerProcess(dir.path);
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'mq-kafkajs-test', logLevel: logLevel.NOTHING });
});
after(async () => {
  await broker.stop();
  await dir.remove();
});

test('kafkajs admin: createTopics, fetchTopicMetadata, fetchTopicOffsets, createPartitions', async (t) => {
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const topic = uniqueTopic('kjs-admin');
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), false, 'second create reports existing');
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(md.topics[0].name, topic);
  assert.deepEqual(md.topics[0].partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(), [[0, 0, [0], [0]], [1, 0, [0], [0]]]);
  assert.ok((await admin.listTopics()).includes(topic));

  await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
  const grown = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(grown.topics[0].partitions.length, 5);
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), /partitions/i);

  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic, messages: [{ partition: 4, value: 'a' }, { partition: 4, value: 'b' }, { partition: 1, value: 'c' }] });
  const offsets = await admin.fetchTopicOffsets(topic);
  const byPartition = Object.fromEntries(offsets.map((o) => [o.partition, [o.low, o.high]]));
  assert.deepEqual(byPartition[4], ['0', '2']);
  assert.deepEqual(byPartition[1], ['0', '1']);
  assert.deepEqual(byPartition[0], ['0', '0']);
});

test('kafkajs producer with keys, headers and acks -1; mq consume reads them back', async (t) => {
  const topic = uniqueTopic('kjs-prod');
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  t.after(() => producer.disconnect());
  const messages = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i % 7}`, value: `value-${i}`, headers: { seq: String(i), app: 'kafkajs' } }));
  for (let i = 0; i < messages.length; i += 100) {
    const res = await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 100) });
    assert.equal(res[0].errorCode, 0);
    assert.equal(res[0].baseOffset, String(i));
  }
  await producer.send({ topic, compression: 1 /* gzip */, messages: [{ key: 'gz', value: 'zipped', headers: { c: 'gzip' } }] });

  const out = await run(['consume', topic, '-o', 'beginning', '-e', '--json', '-b', broker.bootstrap]);
  assert.equal(out.code, 0, out.stderr);
  const recs = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(recs.length, 301);
  recs.slice(0, 300).forEach((r, i) => {
    assert.equal(r.key, `key-${i % 7}`);
    assert.equal(r.value, `value-${i}`);
    assert.deepEqual(r.headers, { seq: String(i), app: 'kafkajs' });
  });
  assert.deepEqual([recs[300].key, recs[300].value, recs[300].headers], ['gz', 'zipped', { c: 'gzip' }]);
});
