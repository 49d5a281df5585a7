// The Metadata answer exists once (src/broker/handlers/metadata.ts over the topic authority), so embedded
// and cluster mode answer alike: the same fields for a topic, and an auto-creation the broker refuses
// names why in both (before, cluster mode answered every failed auto-creation LEADER_NOT_AVAILABLE, so a
// client retried a topic that could never be created, while embedded mode named the error).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAdmin } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startCluster } from '../helpers/cluster.js';
import { brokerForTest, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

async function metadata(port: number, topics: string[], allowAutoTopicCreation: boolean): Promise<MetadataResponse> {
  const ws = await WireSocket.connect(port);
  try {
    return await ws.request<MetadataResponse>(ApiKey.Metadata, 4, { topics: topics.map((name) => ({ name })), allowAutoTopicCreation });
  } finally {
    ws.close();
  }
}

/** What a client sees of the topics, with this broker's id as "me" (the modes' node ids differ). */
function shape(res: MetadataResponse, nodeId: number): unknown {
  const id = (n: number): number | string => (n === nodeId ? 'me' : n);
  return res.topics.map((t) => ({
    errorCode: t.errorCode,
    partitions: t.partitions.map((p) => ({
      errorCode: p.errorCode, partitionIndex: p.partitionIndex, leader: id(p.leaderId), replicas: p.replicaNodes.map(id), isr: p.isrNodes.map(id),
    })),
  }));
}

test('embedded and cluster mode give the same Metadata answers: a created topic, and an auto-creation refused with its reason', { timeout: 120_000 }, async (t) => {
  const config = { 'default.replication.factor': '3', 'num.partitions': '2' };
  // Embedded mode.
  const dir = await tempDir('mq-meta-');
  t.after(() => dir.remove());
  const configFile = join(dir.path, 'broker.properties');
  await writeFile(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}\n`).join(''));
  const embedded = await brokerForTest(t, { args: ['--config', configFile] });
  // Cluster mode, one broker.
  const cluster = await startCluster({ brokers: 1, config });
  t.after(() => cluster.close());

  const answers: unknown[] = [];
  for (const [port, nodeId] of [[embedded.port, 0], [cluster.port(1), 1]]) {
    // Replication factor 3 cannot be placed on one broker: the answer says so, rather than a retriable
    // LEADER_NOT_AVAILABLE the client would ask again forever.
    const refused = await metadata(port, [uniqueTopic('rf3')], true);
    assert.deepEqual(refused.topics.map((x) => x.errorCode), [ErrorCode.INVALID_REPLICATION_FACTOR], `broker on port ${port}`);
    const topic = uniqueTopic('both');
    const admin = createAdmin({ bootstrap: [`127.0.0.1:${port}`] });
    try {
      await admin.createTopic({ topic, partitions: 2, replicationFactor: 1 });
    } finally {
      await admin.close();
    }
    const res = await metadata(port, [topic, uniqueTopic('absent')], false);
    assert.deepEqual(res.brokers.map((b) => b.nodeId), [nodeId]);
    assert.equal(res.controllerId, nodeId);
    answers.push(shape(res, nodeId));
  }
  assert.deepEqual(answers[0], [
    { errorCode: 0, partitions: [0, 1].map((p) => ({ errorCode: 0, partitionIndex: p, leader: 'me', replicas: ['me'], isr: ['me'] })) },
    { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] },
  ]);
  assert.deepEqual(answers[1], answers[0], 'cluster mode answers as embedded mode does');
});
