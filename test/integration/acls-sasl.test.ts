// Issue 17's ACL scenario with SASL users on a real broker process (authorizer.enabled=true): alice has
// only Read on `orders` and on its consumer groups; she consumes it with kafkajs and with kcat -G, and is
// refused producing to it (TOPIC_AUTHORIZATION_FAILED) and reading another topic; Metadata shows her only
// `orders`; a prefixed Write lets her produce to logs-*, a deny on one of them wins over it; bob, with no
// bindings, sees no topic. ACLs are made by `admin` (a super user) with kafkajs over SASL and by `mq acls`
// on a PLAINTEXT listener whose User:ANONYMOUS is a super user too (the CLI has no SASL settings yet), and
// each sees the other's. alice sending a Fetch with a real broker's ReplicaId is refused whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs, { type SASLOptions } from 'kafkajs';
import { Connection } from '../../src/client/connection.js';
import { authenticateSasl } from '../../src/client/sasl-client.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { FetchResponse } from '../../src/protocol/messages/fetch.js';
import { eventually, run, startBrokerProcess, tempDir, type BrokerProcess } from '../helpers/mq-process.js';

// kafkajs is CommonJS: its ACL enums are not named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs;
const PASSWORDS: Record<string, string> = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret' };
const ORDERS = Array.from({ length: 10 }, (_, i) => `order-${i}`);

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: BrokerProcess;
let plain: string;
let sasl: string;

before(async () => {
  dir = await tempDir('mq-acl-sasl-');
  const data = `${dir.path}/data`;
  for (const [user, password] of Object.entries(PASSWORDS)) {
    const r = await run(['users', 'create', user, '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--data', data], { input: password });
    assert.equal(r.code, 0, r.stderr);
  }
  broker = await startBrokerProcess(data, {
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    env: {
      MQ_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-256,PLAIN',
      MQ_SASL_PLAIN_ALLOW_PLAINTEXT: 'true',
      MQ_AUTHORIZER_ENABLED: 'true',
      MQ_SUPER_USERS: 'User:admin;User:ANONYMOUS',
    },
  });
  plain = `127.0.0.1:${broker.listenerPort('PLAINTEXT')}`;
  sasl = `127.0.0.1:${broker.listenerPort('SASL_PLAINTEXT')}`;
  const mq = async (args: string[], input?: string): Promise<void> => {
    const r = await run([...args, '-b', plain], { input });
    assert.equal(r.code, 0, `mq ${args.join(' ')}: ${r.stderr}`);
  };
  await mq(['topics', 'create', 'orders']);
  await mq(['topics', 'create', 'other']);
  await mq(['topics', 'create', 'logs-app']);
  await mq(['produce', 'orders'], ORDERS.join('\n') + '\n');
  await mq(['produce', 'other'], 'secret\n');
});
after(async () => {
  await broker.stop();
  await dir.remove();
});

const kafkaAs = (user: string): InstanceType<typeof Kafka> => new Kafka({
  brokers: [sasl], clientId: `acl-${user}`, logLevel: logLevel.NOTHING, retry: { retries: 2 },
  sasl: { mechanism: 'scram-sha-256', username: user, password: PASSWORDS[user] } as SASLOptions,
});
const kcatAs = (user: string, args: string[], input?: string) => run(['-b', sasl, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=PLAIN',
  '-X', `sasl.username=${user}`, '-X', `sasl.password=${PASSWORDS[user]}`, ...args], { cmd: 'kcat', input, timeoutMs: 60_000 });
const mqAcls = (args: string[]) => run(['acls', ...args, '-b', plain]);

test('admin\'s kafkajs createAcls and mq acls agree; alice consumes orders with kafkajs and kcat -G and is refused the rest', async (t) => {
  const admin = kafkaAs('admin').admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const allowAlice = (resourceType: number, resourceName: string, resourcePatternType = ResourcePatternTypes.LITERAL) => ({
    resourceType, resourceName, resourcePatternType, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({ acl: [allowAlice(AclResourceTypes.TOPIC, 'orders'), allowAlice(AclResourceTypes.GROUP, 'billing')] });
  const added = await mqAcls(['add', '--allow', 'User:alice', '--operation', 'Read', '--group', 'billing-', '--resource-pattern-type', 'prefixed']);
  assert.equal(added.code, 0, added.stderr);
  const listed = await mqAcls(['list', '--principal', 'User:alice', '--json']);
  assert.deepEqual(JSON.parse(listed.stdout).map((b: Record<string, string>) => `${b.resourceType} ${b.resourceName} ${b.patternType} ${b.operation} ${b.permission}`), [
    'Group billing Literal Read Allow', 'Group billing- Prefixed Read Allow', 'Topic orders Literal Read Allow',
  ]);
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.GROUP, resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice',
    operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
  });
  assert.deepEqual(described.resources.map((r) => r.resourceName), ['billing-']);

  // alice consumes orders: kafkajs in group billing, kcat -G in billing-kcat (the prefixed binding).
  const consumer = kafkaAs('alice').consumer({ groupId: 'billing', sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const read: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { read.push(message.value!.toString()); } });
  await eventually(() => read.length >= ORDERS.length, { timeoutMs: 30_000 });
  assert.deepEqual(read, ORDERS);
  await consumer.disconnect();
  const kcatGroup = await kcatAs('alice', ['-G', 'billing-kcat', 'orders', '-X', 'auto.offset.reset=earliest', '-c', String(ORDERS.length), '-f', '%s\\n']);
  assert.equal(kcatGroup.code, 0, kcatGroup.stderr);
  assert.deepEqual(kcatGroup.stdout.trim().split('\n'), ORDERS);

  // Producing to orders: TOPIC_AUTHORIZATION_FAILED.
  const producer = kafkaAs('alice').producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await assert.rejects(producer.send({ topic: 'orders', messages: [{ value: 'forged' }] }), (err: Error & { type?: string }) => {
    assert.equal(err.type, 'TOPIC_AUTHORIZATION_FAILED', err.message);
    return true;
  });
  const kcatProduce = await kcatAs('alice', ['-P', '-t', 'orders'], 'forged\n');
  assert.match(kcatProduce.stderr, /Topic authorization failed/i);
  // Reading another topic, and what Metadata shows her.
  const other = await kcatAs('alice', ['-C', '-t', 'other', '-e', '-o', 'beginning']);
  assert.doesNotMatch(other.stdout, /secret/);
  assert.match(other.stderr, /Topic authorization failed/i);
  const listing = await kcatAs('alice', ['-L']);
  assert.equal(listing.code, 0, listing.stderr);
  assert.match(listing.stdout, / 1 topics:\n {2}topic "orders"/);
  // bob has no bindings: no topic at all.
  const bobs = await kcatAs('bob', ['-L']);
  assert.match(bobs.stdout, / 0 topics:/);
  await broker.waitForOutput(/authorization denied principal=User:alice host=127\.0\.0\.1 resource=Topic:orders operation=Write api=Produce/);
});

test('a prefixed Write lets alice produce to logs-*; a deny on logs-app wins over it', async () => {
  assert.equal((await mqAcls(['add', '--allow', 'User:alice', '--operation', 'Write', '--topic', 'logs-', '--resource-pattern-type', 'prefixed'])).code, 0);
  const produced = await kcatAs('alice', ['-P', '-t', 'logs-app'], 'line-1\n');
  assert.equal(produced.code, 0, produced.stderr);
  const readBack = await run(['consume', 'logs-app', '-o', 'beginning', '-e', '-b', plain]);
  assert.equal(readBack.stdout, 'line-1\n');
  assert.equal((await mqAcls(['add', '--deny', 'User:alice', '--operation', 'Write', '--topic', 'logs-app'])).code, 0);
  const refused = await kcatAs('alice', ['-P', '-t', 'logs-app'], 'line-2\n');
  assert.match(refused.stderr, /Topic authorization failed/i);
  const removed = await mqAcls(['remove', '--deny', 'User:alice']);
  assert.equal(removed.stdout, 'removed: Deny User:alice Write on Topic logs-app (literal) from *\n');
  const again = await kcatAs('alice', ['-P', '-t', 'logs-app'], 'line-3\n');
  assert.equal(again.code, 0, again.stderr);
});

test('alice, authenticated and allowed to Read orders, sending Fetch with the broker\'s ReplicaId is refused whole (CLUSTER_AUTHORIZATION_FAILED)', async (t) => {
  const conn = new Connection({ host: '127.0.0.1', port: broker.listenerPort('SASL_PLAINTEXT'), clientId: 'fake-follower' });
  t.after(() => conn.close());
  await authenticateSasl(<Res>(k: number, v: number, body: unknown) => conn.request<Res>(k, v, body), { mechanism: 'SCRAM-SHA-256', username: 'alice', password: PASSWORDS.alice }, sasl);
  const fetch = (replicaId: number) => conn.request<FetchResponse>(ApiKey.Fetch, 11, {
    replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const asConsumer = await fetch(-1);
  assert.equal(asConsumer.responses[0].partitions[0].errorCode, 0, 'as a consumer she may read it');
  const asFollower = await fetch(0);
  assert.equal(asFollower.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  assert.deepEqual(asFollower.responses.flatMap((r) => r.partitions.map((p) => p.errorCode)), [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
  await broker.waitForOutput(/authorization denied principal=User:alice .*resource=Cluster:kafka-cluster operation=ClusterAction api=Fetch/);
});
