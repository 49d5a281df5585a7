// Brokers authenticate to each other: the secured chaos cluster (test/chaos/secure-cluster.ts: etcd with
// TLS and authentication, three brokers whose inter-broker listener is SASL_SSL, replicating as
// User:broker, a super user, with the authorizer on). With min.insync.replicas=3 an acks=all write is
// answered only once both followers fetched it over that listener, so the write succeeding shows the
// followers' connections authenticated (it fails when the fetchers dial without the broker's login); a
// user without ClusterAction posing as a follower (a real broker's ReplicaId) on the same listener is
// refused. The test harness talks to each broker's PLAINTEXT listener (User:ANONYMOUS, a super user here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection } from '../../src/client/connection.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import { startSecureCluster } from '../chaos/secure-cluster.js';
import { run, uniqueTopic } from '../helpers/mq-process.js';

test('a SASL_SSL inter-broker listener: followers replicate as User:broker; a user posing as a follower is refused', { timeout: 180_000 }, async (t) => {
  const secure = await startSecureCluster({});
  t.after(() => secure.close());
  const { cluster, clients } = secure;

  const topic = uniqueTopic('interbroker');
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', '3', '--config', 'min.insync.replicas=3', '-b', cluster.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  // acks=all with min.insync.replicas=3: answered only once both followers of each partition have the records.
  const produced = await run(['produce', topic, '-b', cluster.bootstrap, '--acks', 'all'], { input: Array.from({ length: 300 }, (_, i) => `r${i}`).join('\n') + '\n' });
  assert.equal(produced.code, 0, produced.stderr);

  // The workload's user on the SASL_SSL listener, posing as a follower: Fetch with a real broker's
  // ReplicaId needs ClusterAction on the cluster.
  const leaderOf0 = (await cluster.leaders(topic))[0];
  const follower = cluster.ids.find((id) => id !== leaderOf0)!;
  const conn = new Connection({ host: '127.0.0.1', port: cluster.broker(leaderOf0).listenerPort('SASL_SSL'), clientId: 'fake-follower', security: clients.security });
  t.after(() => conn.close());
  const res = await conn.request<FetchResponse>(ApiKey.Fetch, 11, {
    replicaId: follower, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const codes = [res.errorCode, ...res.responses.flatMap((r) => r.partitions.map((p) => p.errorCode))];
  assert.ok(codes.includes(ErrorCode.CLUSTER_AUTHORIZATION_FAILED), `refused: ${JSON.stringify(codes)}`);
});
