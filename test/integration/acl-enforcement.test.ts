// Every API a broker serves is checked by the authorizer (src/broker/authorize-request.ts): a broker with
// authorizer.enabled and no ACLs is sent one request per served API, as User:ANONYMOUS (a PLAINTEXT
// connection), each naming a topic and a group that exist; each must answer an authorization error or
// leave them out of its answer. The table below must name every API the broker serves (ApiVersions and
// the SASL handshake excepted): a new API cannot be served unchecked without failing here. Followers:
// Fetch and OffsetForLeaderEpoch with the ReplicaId of the broker itself are refused whole.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { createHandlers } from '../../src/broker/handlers/index.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { Connection } from '../../src/client/connection.js';
import { createAdmin } from '../../src/client/admin.js';
import { defaultBrokerConfig, type BrokerConfig } from '../../src/config/config.js';
import { ApiKey, apiSpec } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { API_RULES } from '../../src/security/api-operations.js';
import { createLogger } from '../../src/util/logger.js';
import { defer } from '../helpers/in-process-broker.js';
import { WireSocket } from '../helpers/wire.js';
import { LocalStore } from '../../src/cluster/local-store.js';
import { SecurityStore } from '../../src/cluster/security-store.js';
import type { AclBinding } from '../../src/security/acl.js';

const TOPIC = 'secret';
const GROUP = 'secret-group';
const AUTH_CODES = new Set([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);
const ANY_FILTER = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };

/** Every error code anywhere in a decoded response. */
function errorCodes(v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const x of v) errorCodes(x, out);
  else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'errorCode' && typeof x === 'number') out.push(x);
      else errorCodes(x, out);
    }
  }
  return out;
}

interface Probe {
  version: number;
  body: unknown;
  /** Default: some error code in the answer is an authorization failure. */
  check?: (res: any) => void;
}

/** One request per served API, touching TOPIC and GROUP (which exist) or the cluster. */
const PROBES: Record<number, Probe> = {
  [ApiKey.Produce]: { version: 3, body: { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: Buffer.alloc(0) }] }] } },
  [ApiKey.Fetch]: { version: 4, body: { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }] } },
  [ApiKey.ListOffsets]: { version: 1, body: { replicaId: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] } },
  [ApiKey.Metadata]: {
    version: 1, body: { topics: null },
    check: (res) => assert.deepEqual(res.topics, [], 'Metadata of all topics lists none the principal may not Describe'),
  },
  [ApiKey.CreateTopics]: { version: 0, body: { topics: [{ name: 'fresh', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000 } },
  [ApiKey.DeleteTopics]: { version: 0, body: { topicNames: [TOPIC], timeoutMs: 1000 } },
  [ApiKey.CreatePartitions]: { version: 0, body: { topics: [{ name: TOPIC, count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false } },
  // A transactional producer needs Write on its TransactionalId (an idempotent one needs nothing here).
  [ApiKey.InitProducerId]: { version: 1, body: { transactionalId: 'txn-probe', transactionTimeoutMs: 60000 } },
  [ApiKey.AddPartitionsToTxn]: {
    version: 1, body: { transactionalId: 'txn-probe', producerId: 0n, producerEpoch: 0, topics: [{ name: TOPIC, partitions: [0] }] },
    check: (res) => assert.equal(res.resultsByTopic[0].resultsByPartition[0].partitionErrorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
  },
  [ApiKey.AddOffsetsToTxn]: { version: 1, body: { transactionalId: 'txn-probe', producerId: 0n, producerEpoch: 0, groupId: GROUP } },
  [ApiKey.EndTxn]: { version: 1, body: { transactionalId: 'txn-probe', producerId: 0n, producerEpoch: 0, committed: true } },
  [ApiKey.WriteTxnMarkers]: { version: 0, body: { markers: [{ producerId: 0n, producerEpoch: 0, transactionResult: true, topics: [{ name: TOPIC, partitionIndexes: [0] }], coordinatorEpoch: 0 }] } },
  [ApiKey.TxnOffsetCommit]: {
    version: 1,
    body: { transactionalId: 'txn-probe', groupId: GROUP, producerId: 0n, producerEpoch: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }] },
  },
  [ApiKey.DescribeTransactions]: { version: 0, body: { transactionalIds: ['txn-probe'] } },
  [ApiKey.ListTransactions]: {
    version: 0, body: { stateFilters: [], producerIdFilters: [] },
    check: (res) => assert.deepEqual(res.transactionStates, [], 'ListTransactions lists no id the principal may not Describe'),
  },
  [ApiKey.DeleteRecords]: { version: 0, body: { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 1000 } },
  [ApiKey.DescribeConfigs]: {
    version: 0, body: { resources: [{ resourceType: 2, resourceName: TOPIC, configurationKeys: null }, { resourceType: 4, resourceName: '0', configurationKeys: null }] },
    check: (res) => assert.deepEqual(res.results.map((r: { errorCode: number }) => r.errorCode).sort(), [ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED].sort()),
  },
  [ApiKey.AlterConfigs]: { version: 0, body: { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: false } },
  [ApiKey.IncrementalAlterConfigs]: { version: 0, body: { resources: [{ resourceType: 2, resourceName: TOPIC, configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false } },
  [ApiKey.OffsetCommit]: { version: 2, body: { groupId: GROUP, generationId: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }] } },
  [ApiKey.OffsetFetch]: { version: 2, body: { groupId: GROUP, topics: null } },
  [ApiKey.FindCoordinator]: { version: 1, body: { key: GROUP, keyType: 0 } },
  [ApiKey.JoinGroup]: { version: 1, body: { groupId: GROUP, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] } },
  [ApiKey.Heartbeat]: { version: 0, body: { groupId: GROUP, generationId: 1, memberId: 'm' } },
  [ApiKey.LeaveGroup]: { version: 0, body: { groupId: GROUP, memberId: 'm' } },
  [ApiKey.SyncGroup]: { version: 0, body: { groupId: GROUP, generationId: 1, memberId: 'm', assignments: [] } },
  [ApiKey.DescribeGroups]: { version: 0, body: { groups: [GROUP] } },
  [ApiKey.ListGroups]: {
    version: 0, body: {},
    check: (res) => assert.deepEqual(res.groups, [], 'ListGroups lists no group the principal may not Describe'),
  },
  [ApiKey.DeleteGroups]: { version: 0, body: { groupsNames: [GROUP] } },
  [ApiKey.OffsetForLeaderEpoch]: { version: 2, body: { topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] } },
  [ApiKey.ElectLeaders]: { version: 1, body: { electionType: 0, topicPartitions: null, timeoutMs: 1000 } },
  [ApiKey.OffsetDelete]: { version: 0, body: { groupId: GROUP, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] } },
  [ApiKey.AlterPartitionReassignments]: { version: 0, body: { timeoutMs: 1000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [0] }] }] } },
  [ApiKey.ListPartitionReassignments]: { version: 0, body: { timeoutMs: 1000, topics: null } },
  [ApiKey.DescribeAcls]: { version: 1, body: ANY_FILTER },
  [ApiKey.CreateAcls]: { version: 1, body: { creations: [{ resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 2, permissionType: 3 }] } },
  [ApiKey.DeleteAcls]: { version: 1, body: { filters: [ANY_FILTER] } },
  [ApiKey.DescribeClientQuotas]: { version: 0, body: { components: [], strict: false } },
  [ApiKey.AlterClientQuotas]: { version: 0, body: { entries: [{ entity: [{ entityType: 'user', entityName: 'x' }], ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }] }], validateOnly: false } },
  [ApiKey.DescribeUserScramCredentials]: { version: 0, body: { users: null } },
  [ApiKey.AlterUserScramCredentials]: { version: 0, body: { deletions: [{ name: 'x', mechanism: 1 }], upsertions: [] } },
};

/** APIs whose rule has no checks: allowed before authentication. */
const UNCHECKED = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

async function start(t: TestContext, dataDir: string, security: Partial<BrokerConfig['security']>): Promise<Broker> {
  const base = defaultBrokerConfig();
  const broker = await startBroker(
    { ...base, dataDir, listen: { host: '127.0.0.1', port: 0 }, security: { ...base.security, ...security } },
    { logger: createLogger('error', () => {}) },
  );
  defer(t, () => broker.close());
  return broker;
}

/**
 * A broker whose store holds TOPIC and 'visible' and GROUP (with an offset on each), restarted with
 * authorizer.enabled and `acls` (none by default).
 */
async function lockedBroker(t: TestContext, acls: AclBinding[] = []): Promise<Broker> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mq-acl-'));
  defer(t, () => rm(dataDir, { recursive: true, force: true }));
  const open = await start(t, dataDir, {});
  const admin = createAdmin({ bootstrap: [`127.0.0.1:${open.port}`] });
  await admin.createTopic({ topic: TOPIC, partitions: 1, replicationFactor: 1 });
  await admin.createTopic({ topic: 'visible', partitions: 1, replicationFactor: 1 });
  const c = new Connection({ host: '127.0.0.1', port: open.port });
  const commit = PROBES[ApiKey.OffsetCommit].body as { topics: { name: string }[] };
  const committed = await c.request<any>(ApiKey.OffsetCommit, 2, { ...commit, topics: [commit.topics[0], { ...commit.topics[0], name: 'visible' }] });
  assert.deepEqual(errorCodes(committed), [0, 0]);
  // Without the authorizer both are listed: what the locked broker hides is there.
  assert.deepEqual((await c.request<any>(ApiKey.ListGroups, 0, {})).groups.map((g: { groupId: string }) => g.groupId), [GROUP]);
  assert.deepEqual((await c.request<any>(ApiKey.Metadata, 1, { topics: null })).topics.map((x: { name: string }) => x.name).sort(), [TOPIC, 'visible']);
  await c.close();
  await admin.close();
  await open.close();
  const store = await LocalStore.open(dataDir);
  await new SecurityStore(store).createAcls(acls);
  await store.close();
  return start(t, dataDir, { authorizerEnabled: true });
}

describe('every served API is checked', () => {
  test('the probe table names every API the broker serves, and API_RULES has a rule for each', () => {
    for (const key of createHandlers().keys()) {
      const name = apiSpec(key)!.name;
      assert.ok(API_RULES[key], `${name} has a rule in API_RULES`);
      if (!UNCHECKED.has(key)) assert.ok(PROBES[key], `${name} has a probe in this test (add one: what must it refuse?)`);
    }
  });

  test('a principal with no ACLs is refused (or shown nothing) by each', async (t) => {
    const broker = await lockedBroker(t);
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    for (const key of createHandlers().keys()) {
      if (UNCHECKED.has(key)) continue;
      const probe = PROBES[key];
      const name = apiSpec(key)!.name;
      const res = await c.request<any>(key, probe.version, probe.body);
      if (probe.check) probe.check(res);
      else assert.ok(errorCodes(res).some((code) => AUTH_CODES.has(code)), `${name} answered ${JSON.stringify(errorCodes(res))}, no authorization error`);
    }
    // Named in Metadata: refused, not described; ListGroups and Metadata did see something to hide.
    const named = await c.request<any>(ApiKey.Metadata, 1, { topics: [{ name: TOPIC }] });
    assert.deepEqual(named.topics.map((x: { name: string; errorCode: number }) => [x.name, x.errorCode]), [[TOPIC, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
    const fetched = await c.request<any>(ApiKey.OffsetFetch, 2, PROBES[ApiKey.OffsetFetch].body);
    assert.equal(fetched.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  });

  test('Fetch and OffsetForLeaderEpoch with the ReplicaId of a real broker, from a non-broker principal, are refused whole', async (t) => {
    const broker = await lockedBroker(t);
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    const fetchBody = { ...(PROBES[ApiKey.Fetch].body as object), replicaId: broker.nodeId };
    for (const version of [4, 11]) {
      const res = await c.request<any>(ApiKey.Fetch, version, { ...fetchBody, sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '' });
      if (version >= 7) assert.equal(res.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      assert.deepEqual(res.responses.flatMap((r: { partitions: { errorCode: number; records: Buffer }[] }) => r.partitions.map((p) => p.errorCode)), [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    }
    const epochs = await c.request<any>(ApiKey.OffsetForLeaderEpoch, 3, { replicaId: broker.nodeId, topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
    assert.deepEqual(errorCodes(epochs), [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
  });
});

const allow = (resourceType: AclBinding['resourceType'], resourceName: string, operation: AclBinding['operation'], patternType: AclBinding['patternType'] = 'Literal'): AclBinding =>
  ({ resourceType, resourceName, patternType, principal: 'User:ANONYMOUS', host: '*', operation, permission: 'Allow' });

test('Produce with acks=0 to a topic the principal may not Write closes the connection (no response to carry the refusal, as Kafka does)', async (t) => {
  const broker = await lockedBroker(t, [allow('Topic', 'visible', 'Write')]);
  const allowed = await WireSocket.connect(broker.port);
  t.after(() => allowed.close());
  const body = (name: string): unknown => ({ ...(PROBES[ApiKey.Produce].body as object), acks: 0, topicData: [{ name, partitionData: [{ index: 0, records: Buffer.alloc(0) }] }] });
  allowed.send(ApiKey.Produce, 3, body('visible'));
  assert.equal(await allowed.closedWithin(1000), false, 'an allowed acks=0 produce keeps the connection');
  const denied = await WireSocket.connect(broker.port);
  t.after(() => denied.close());
  denied.send(ApiKey.Produce, 3, body(TOPIC));
  assert.equal(await denied.closedWithin(5000), true, 'a refused acks=0 produce closes it');
});

describe('answers filtered to what the principal may Describe', () => {
  test('OffsetFetch of all topics leaves out the undescribable; ListGroups lists describable groups; Metadata lists describable topics', async (t) => {
    const broker = await lockedBroker(t, [allow('Group', GROUP, 'Describe'), allow('Topic', 'visible', 'Describe')]);
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    const offsets = await c.request<any>(ApiKey.OffsetFetch, 2, { groupId: GROUP, topics: null });
    assert.equal(offsets.errorCode, 0);
    assert.deepEqual(offsets.topics.map((x: { name: string }) => x.name), ['visible']);
    const named = await c.request<any>(ApiKey.OffsetFetch, 2, { groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }, { name: 'visible', partitionIndexes: [0] }] });
    assert.deepEqual(named.topics.map((x: { name: string; partitions: { errorCode: number; committedOffset: bigint }[] }) => [x.name, x.partitions[0].errorCode, x.partitions[0].committedOffset]).sort(), [
      [TOPIC, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1n], ['visible', 0, 1n],
    ]);
    assert.deepEqual((await c.request<any>(ApiKey.ListGroups, 0, {})).groups.map((g: { groupId: string }) => g.groupId), [GROUP]);
    assert.deepEqual((await c.request<any>(ApiKey.Metadata, 1, { topics: null })).topics.map((x: { name: string }) => x.name), ['visible']);
  });

  test('Metadata auto-creates a named topic only with Create on it or on the cluster; without, TOPIC_AUTHORIZATION_FAILED and nothing created', async (t) => {
    const broker = await lockedBroker(t, [allow('Topic', 'new-', 'Describe', 'Prefixed'), allow('Topic', 'new-ok', 'Create')]);
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    const res = await c.request<any>(ApiKey.Metadata, 4, { topics: [{ name: 'new-no' }, { name: 'new-ok' }], allowAutoTopicCreation: true });
    assert.deepEqual(res.topics.map((x: { name: string; errorCode: number }) => [x.name, x.errorCode]).sort(), [['new-no', ErrorCode.TOPIC_AUTHORIZATION_FAILED], ['new-ok', 0]]);
    const again = await c.request<any>(ApiKey.Metadata, 4, { topics: [{ name: 'new-no' }], allowAutoTopicCreation: false });
    assert.deepEqual(again.topics.map((x: { errorCode: number }) => x.errorCode), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], 'new-no was not created');
  });

  test('DescribeConfigs: DescribeConfigs on the cluster serves broker configs, not topic configs', async (t) => {
    const broker = await lockedBroker(t, [allow('Cluster', 'kafka-cluster', 'DescribeConfigs')]);
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    const res = await c.request<any>(ApiKey.DescribeConfigs, 0, PROBES[ApiKey.DescribeConfigs].body);
    assert.deepEqual(res.results.map((r: { resourceName: string; errorCode: number }) => [r.resourceName, r.errorCode]).sort(), [['0', 0], [TOPIC, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  });
});
