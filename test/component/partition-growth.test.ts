// Partitions added to a topic reach clients without a restart (metadata.max.age.ms): a producer's
// keyed records spread onto the new partitions, and a group rebalances so the new partitions are
// consumed (the leader member notices the changed count and rejoins).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdmin, createGroupConsumer, createProducer } from '../../src/client/index.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';

test('a producer sends keyed records to partitions added after it started', async (t) => {
  const { bootstrap } = await inProcessBroker(t);
  const topic = uniqueTopic('grow-p');
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  await admin.createTopic({ topic, partitions: 1, replicationFactor: 1 });
  const producer = createProducer({ bootstrap, lingerMs: 1, metadataMaxAgeMs: 200 });
  defer(t, () => producer.close());
  const first = await producer.send({ topic, key: Buffer.from('k0'), value: Buffer.from('before') });
  assert.equal(first.partition, 0);
  await admin.createPartitions(topic, 4);
  const seen = new Set<number>();
  await eventually(async () => {
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from('after') })));
    for (const r of sent) seen.add(r.partition);
    return seen.size > 1;
  }, { timeoutMs: 10_000, intervalMs: 100 });
  assert.ok([...seen].some((p) => p >= 1 && p <= 3), `records went to partitions ${[...seen].join(',')}`);
});

test('a group rebalances onto partitions added while it consumes', async (t) => {
  const { bootstrap } = await inProcessBroker(t, { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000 });
  const topic = uniqueTopic('grow-g');
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  await admin.createTopic({ topic, partitions: 1, replicationFactor: 1 });
  const notices: string[] = [];
  const consumer = createGroupConsumer({
    bootstrap, groupId: `${topic}-g`, topics: [topic], autoOffsetReset: 'earliest', sessionTimeoutMs: 3000,
    metadataMaxAgeMs: 200, onNotice: (m) => notices.push(m),
  });
  defer(t, () => consumer.close());
  const producer = createProducer({ bootstrap, lingerMs: 1 });
  defer(t, () => producer.close());
  await producer.send({ topic, partition: 0, value: Buffer.from('p0') });
  const got = new Map<number, string[]>();
  const reading = (async () => {
    for await (const r of consumer.records()) {
      got.set(r.partition, [...(got.get(r.partition) ?? []), r.value!.toString()]);
      if (got.has(2)) return;
    }
  })();
  await eventually(async () => got.has(0), { timeoutMs: 10_000, intervalMs: 50 });
  await admin.createPartitions(topic, 3);
  await producer.send({ topic, partition: 2, value: Buffer.from('p2') });
  await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`partition 2 never consumed; notices: ${notices.join(' | ')}`)), 15_000))]);
  assert.deepEqual(got.get(2), ['p2']);
  assert.deepEqual(consumer.assignment().map((tp) => tp.partition), [0, 1, 2]);
  assert.ok(notices.some((m) => /now has 3 partitions; rejoining/.test(m)), notices.join(' | '));
});
