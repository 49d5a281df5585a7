// ACLs in cluster mode: bindings live in etcd and every broker's authorizer follows them by watch
// (src/broker/acl-cache.ts), so a binding added through one broker is enforced by the other, and its
// removal too. With allow.everyone.if.no.acl.found=true a resource without bindings stays open, and the
// first binding on a topic closes it to everyone it does not name (Kafka's rule).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from '../../src/client/connection.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { MetadataResponse } from '../../src/protocol/messages/metadata.js';
import { startCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

test('cluster mode: a binding added through broker 1 is enforced by broker 2, and its removal through broker 2 by broker 1', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 2, config: { 'authorizer.enabled': 'true', 'allow.everyone.if.no.acl.found': 'true' } });
  t.after(() => cluster.close());
  const topic = uniqueTopic('guarded');
  const mqVia = (id: number, args: string[]) => run([...args, '-b', `127.0.0.1:${cluster.port(id)}`]);
  const created = await mqVia(1, ['topics', 'create', topic, '-p', '2', '-r', '1']);
  assert.equal(created.code, 0, created.stderr);
  const topicCode = async (id: number): Promise<number> => {
    const c = new Connection({ host: '127.0.0.1', port: cluster.port(id) });
    try {
      const res = await c.request<MetadataResponse>(ApiKey.Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
      return res.topics[0].errorCode;
    } finally {
      await c.close();
    }
  };
  await eventually(async () => (await topicCode(2)) === 0, { timeoutMs: 20_000 });

  const added = await mqVia(1, ['acls', 'add', '--allow', 'User:bob', '--operation', 'Read', '--topic', topic]);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(await topicCode(1), ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'the broker that stored it enforces it at once');
  await eventually(async () => (await topicCode(2)) === ErrorCode.TOPIC_AUTHORIZATION_FAILED, { timeoutMs: 20_000 });
  const listed = await mqVia(2, ['acls', 'list', '--json']);
  assert.deepEqual(JSON.parse(listed.stdout).map((b: { principal: string; resourceName: string }) => [b.principal, b.resourceName]), [['User:bob', topic]]);

  const removed = await mqVia(2, ['acls', 'remove', '--topic', topic]);
  assert.equal(removed.code, 0, removed.stderr);
  await eventually(async () => (await topicCode(1)) === 0, { timeoutMs: 20_000 });
});
