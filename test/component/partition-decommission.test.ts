// The producer and a decommissioned partition, deterministically: a producer that does not re-read
// metadata on its own (metadata.max.age.ms of an hour) learns of the decommission from the broker's
// POLICY_VIOLATION answer, re-routes the records the partitioner placed (keyed ones by
// active[hash % active.length], so every other key keeps its partition) and fails the ones sent to the
// partition by name with the clear message. Then the partition is deleted after its retention.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdmin, createProducer } from '../../src/client/index.js';
import { murmur2, toPositive } from '../../src/client/murmur2.js';
import { MqError } from '../../src/util/mq-error.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';

test('records routed to a partition decommissioned behind the producer\'s back are re-routed; named ones fail clearly', async (t) => {
  const { bootstrap } = await inProcessBroker(t, { retentionCheckIntervalMs: 50 });
  const topic = uniqueTopic('decom-p');
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  await admin.createTopic({ topic, partitions: 3, replicationFactor: 1 });
  const producer = createProducer({ bootstrap, lingerMs: 1, metadataMaxAgeMs: 3_600_000 });
  defer(t, () => producer.close());
  const keys = Array.from({ length: 60 }, (_, i) => Buffer.from(`key-${i}`));
  const home = keys.map((k) => toPositive(murmur2(k)) % 3);
  const before = await Promise.all(keys.map((key) => producer.send({ topic, key, value: Buffer.from('before') })));
  assert.deepEqual(before.map((r) => r.partition), home);

  await admin.setDecommissionedPartitions(topic, [1]);
  const after = await Promise.all(keys.map((key) => producer.send({ topic, key, value: Buffer.from('after') })));
  keys.forEach((k, i) => {
    const expected = home[i] === 1 ? [0, 2][toPositive(murmur2(k)) % 2] : home[i];
    assert.equal(after[i].partition, expected, `key-${i}`);
  });
  const keyless = await Promise.all(Array.from({ length: 30 }, () => producer.send({ topic, value: Buffer.from('keyless') })));
  assert.ok(keyless.every((r) => r.partition !== 1));

  await assert.rejects(producer.send({ topic, partition: 1, value: Buffer.from('named') }), (err: unknown) => {
    assert.ok(err instanceof MqError);
    assert.equal(err.code, 'PARTITION_DECOMMISSIONED');
    assert.match(err.message, new RegExp(`partition ${topic}-1 is decommissioned: it takes no new records`));
    return true;
  });
  const onOne = before.filter((r) => r.partition === 1).length;
  const p1 = (await admin.describeTopic(topic)).partitions.find((p) => p.partition === 1)!;
  assert.equal(p1.highWatermark, onOne, 'nothing landed on partition 1 after the decommission');

  // Retention (effective value, changed live) passes: the partition goes; ids are kept.
  await admin.alterTopicConfig(topic, { 'retention.ms': '1' });
  await eventually(async () => !(await admin.describeTopic(topic)).partitions.some((p) => p.partition === 1), { timeoutMs: 10_000 });
  assert.deepEqual((await admin.describeTopic(topic)).partitions.map((p) => p.partition), [0, 2]);
  const entry = (await admin.describeTopicConfig(topic)).find((e) => e.name === 'decommissioned.partitions');
  assert.match(entry?.value ?? '', /^1:\d+:deleted$/);
  // A producer that starts now sees the gap in the ids.
  const fresh = createProducer({ bootstrap, lingerMs: 1 });
  defer(t, () => fresh.close());
  await assert.rejects(fresh.send({ topic, partition: 1, value: Buffer.from('gone') }), /topic '.*' has 3 partitions \(partition 1 was decommissioned and deleted\)/);
  const late = await Promise.all(keys.map((key) => fresh.send({ topic, key, value: Buffer.from('late') })));
  keys.forEach((k, i) => assert.equal(late[i].partition, after[i].partition, `key-${i} goes where it went after the decommission`));
});
