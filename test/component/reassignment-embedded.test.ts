// Reassignment requests against an in-process embedded broker, answered as a single Kafka broker would:
// a move onto the broker itself is already done, onto any other broker INVALID_REPLICA_ASSIGNMENT, a
// cancel NO_REASSIGNMENT_IN_PROGRESS, an unknown partition UNKNOWN_TOPIC_OR_PARTITION; nothing is ever
// listed as moving; the throttle config cannot be set (nothing moves) but can be removed; and kafkajs
// admin reads the same answers. Also IncrementalAlterConfigs on a topic changes only the keys given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { createAdmin } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import type { IncrementalAlterConfigsResponse } from '../../src/protocol/messages/incremental-alter-configs.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

test('embedded mode: reassignments answered as one broker would; the throttle cannot be set; kafkajs agrees', async (t) => {
  const { broker, bootstrap } = await inProcessBroker(t);
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  const topic = uniqueTopic('embedded-reassign');
  await admin.createTopic({ topic, partitions: 3, replicationFactor: 1 });

  const results = await admin.alterPartitionReassignments([
    { topic, partition: 0, replicas: [0] },
    { topic, partition: 1, replicas: [1] },
    { topic, partition: 2, replicas: null },
    { topic, partition: 9, replicas: [0] },
  ]);
  assert.deepEqual(results.map((r) => r.error), [null, 'INVALID_REPLICA_ASSIGNMENT', 'NO_REASSIGNMENT_IN_PROGRESS', 'UNKNOWN_TOPIC_OR_PARTITION']);
  assert.match(results[1].message!, /embedded mode has one broker \(0\): there is nowhere to move/);
  assert.deepEqual(await admin.listPartitionReassignments(), []);

  await assert.rejects(admin.setReassignmentThrottle(1_000_000), (err: Error & { code?: string }) => err.code === 'INVALID_CONFIG' && /nothing moves/.test(err.message));
  await admin.setReassignmentThrottle(null);
  assert.equal(await admin.describeReassignmentThrottle(), null);

  const kafka = new Kafka({ brokers: bootstrap, clientId: 'embedded-reassign', logLevel: logLevel.NOTHING });
  const kadmin = kafka.admin();
  await kadmin.connect();
  defer(t, () => kadmin.disconnect());
  assert.deepEqual((await kadmin.listPartitionReassignments({})).topics, []);
  await kadmin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [0] }] }] });
  await assert.rejects(kadmin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 1, replicas: [0, 5] }] }] }),
    (err: Error & { errors?: { type: string }[] }) => err.errors?.[0]?.type === 'INVALID_REPLICA_ASSIGNMENT');

  // IncrementalAlterConfigs on a topic: SET one key, DELETE another, the rest stays.
  await admin.alterTopicConfig(topic, { 'retention.ms': '60000', 'segment.bytes': '1048576' });
  const s = await WireSocket.connect(broker.port);
  defer(t, async () => s.close());
  const res = await s.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '120000' }, { name: 'segment.bytes', configOperation: 1, value: null }] }],
    validateOnly: false,
  });
  assert.deepEqual(res.responses.map((r) => [r.errorCode, r.resourceName]), [[0, topic]]);
  const overrides = (await admin.describeTopicConfig(topic)).filter((e) => e.source === 'topic').map((e) => [e.name, e.value]);
  assert.deepEqual(overrides, [['retention.ms', '120000']]);
  const append = await s.request<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }] }],
    validateOnly: false,
  });
  assert.equal(append.responses[0].errorCode, 42);
});
