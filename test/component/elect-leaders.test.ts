// ElectLeaders against an in-process embedded broker: the one broker leads every partition, so every
// partition is "already preferred" (every topic when TopicPartitions is null); an unknown partition is
// named; unclean elections are refused with INVALID_REQUEST (top-level at v1, per partition always).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmin } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import type { ElectLeadersResponse } from '../../src/protocol/messages/elect-leaders.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';
import { uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

test('embedded mode: every partition already preferred; unknown partitions named; unclean refused', async (t) => {
  const { broker, bootstrap } = await inProcessBroker(t);
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  const a = uniqueTopic('elect-a');
  const b = uniqueTopic('elect-b');
  await admin.createTopic({ topic: a, partitions: 2, replicationFactor: 1 });
  await admin.createTopic({ topic: b, partitions: 1, replicationFactor: 1 });

  const all = await admin.electLeaders(null);
  assert.deepEqual(all, [
    { topic: a, partition: 0, preferredLeader: 0, result: 'already-preferred', message: null },
    { topic: a, partition: 1, preferredLeader: 0, result: 'already-preferred', message: null },
    { topic: b, partition: 0, preferredLeader: 0, result: 'already-preferred', message: null },
  ].sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition)));

  const some = await admin.electLeaders([{ topic: a, partition: 1 }, { topic: a, partition: 7 }]);
  assert.equal(some[0].result, 'already-preferred');
  assert.equal(some[1].result, 'failed');
  assert.match(some[1].message!, new RegExp(`partition ${a}-7 does not exist`));

  const s = await WireSocket.connect(broker.port);
  defer(t, async () => s.close());
  const unclean = await s.request<ElectLeadersResponse>(ApiKey.ElectLeaders, 1, { electionType: 1, topicPartitions: [{ topic: a, partitions: [0] }], timeoutMs: 1000 });
  assert.equal(unclean.errorCode, 42);
  assert.equal(unclean.replicaElectionResults[0].partitionResult[0].errorCode, 42);
  assert.match(unclean.replicaElectionResults[0].partitionResult[0].errorMessage!, /not supported/);
  const v0 = await s.request<ElectLeadersResponse>(ApiKey.ElectLeaders, 0, { electionType: 0, topicPartitions: [{ topic: b, partitions: [0] }], timeoutMs: 1000 });
  assert.deepEqual(v0.replicaElectionResults, [{ topic: b, partitionResult: [{ partitionId: 0, errorCode: 84, errorMessage: 'broker 0 is the only replica and leads' }] }]);
});
