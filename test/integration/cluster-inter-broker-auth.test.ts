// Brokers authenticate to each other: three brokers whose inter-broker listener is SASL_SSL replicate
// as User:broker (inter.broker.sasl.*, a super user) with the authorizer on. With min.insync.replicas=3
// an acks=all write is answered only once both followers fetched it over that listener, so the write
// succeeding shows the followers' connections authenticated; a user without ClusterAction posing as a
// follower (a real broker's ReplicaId) on the same listener is refused. Each broker also has a PLAINTEXT
// listener on 127.0.0.1 that the test harness uses (its principal, User:ANONYMOUS, is a super user here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from '../../src/client/connection.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import { startCluster } from '../helpers/cluster.js';
import { run, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { makeCa, makeServerCert } from '../helpers/tls-certs.js';

test('a SASL_SSL inter-broker listener: followers replicate as User:broker; a user posing as a follower is refused', { timeout: 180_000 }, async (t) => {
  const d = await tempDir('mq-interbroker-');
  t.after(() => d.remove());
  const ca = await makeCa(d.path);
  const server = await makeServerCert(d.path, ca);
  const saslPorts = new Map<number, number>();
  const cluster = await startCluster({
    brokers: 3,
    listeners: (host, port, port2) => `PLAINTEXT://${host}:${port},SASL_SSL://${host}:${port2}`,
    config: {
      'inter.broker.listener.name': 'SASL_SSL',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'inter.broker.sasl.mechanism': 'SCRAM-SHA-512',
      'inter.broker.sasl.username': 'broker',
      'inter.broker.sasl.password': 'broker-secret',
      'ssl.certificate.location': server.cert,
      'ssl.key.location': server.key,
      'ssl.ca.location': ca.cert,
      'authorizer.enabled': 'true',
      'super.users': 'User:broker;User:ANONYMOUS',
    },
    beforeBrokers: async (etcd) => {
      for (const [user, password] of [['broker', 'broker-secret'], ['alice', 'alice-secret']]) {
        const r = await run(['users', 'create', user, '--password-stdin', '--mechanism', 'SCRAM-SHA-512', '--etcd', etcd], { input: password });
        assert.equal(r.code, 0, r.stderr);
      }
    },
  });
  t.after(() => cluster.close());
  for (const id of cluster.ids) saslPorts.set(id, cluster.broker(id).listenerPort('SASL_SSL'));

  const topic = uniqueTopic('interbroker');
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', '3', '--config', 'min.insync.replicas=3', '-b', cluster.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  // acks=all with min.insync.replicas=3: answered only once both followers of each partition have the records.
  const produced = await run(['produce', topic, '-b', cluster.bootstrap, '--acks', 'all'], { input: Array.from({ length: 300 }, (_, i) => `r${i}`).join('\n') + '\n' });
  assert.equal(produced.code, 0, produced.stderr);

  // alice on the same listener, posing as a follower: Fetch with a real broker's ReplicaId needs ClusterAction on the cluster.
  const leaderOf0 = (await cluster.leaders(topic))[0];
  const follower = cluster.ids.find((id) => id !== leaderOf0)!;
  const conn = new Connection({
    host: '127.0.0.1', port: saslPorts.get(leaderOf0)!, clientId: 'fake-follower',
    security: {
      protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
      tls: { caLocation: ca.cert, verifyCertificate: true, verifyHostname: true },
    },
  });
  t.after(() => conn.close());
  const res = await conn.request<FetchResponse>(ApiKey.Fetch, 11, {
    replicaId: follower, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const codes = [res.errorCode, ...res.responses.flatMap((r) => r.partitions.map((p) => p.errorCode))];
  assert.ok(codes.includes(ErrorCode.CLUSTER_AUTHORIZATION_FAILED), `refused: ${JSON.stringify(codes)}`);

});
