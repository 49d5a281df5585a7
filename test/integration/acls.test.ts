// ACLs on a real broker process with real clients (authorizer.enabled=true): `mq acls` and kafkajs'
// admin createAcls/describeAcls/deleteAcls agree; a principal with only Read on `orders` and its group
// consumes it with kafkajs and kcat -G, is refused producing to it and reading another topic, and
// Metadata hides what it may not Describe; prefixed and deny bindings apply as soon as they are added.
// The principal is User:ANONYMOUS (a PLAINTEXT listener): the store is seeded before the first start
// with the bindings that let it manage ACLs and create topics, and nothing else.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import kafkajs from 'kafkajs';
import { LocalStore } from '../../src/cluster/local-store.js';
import { SecurityStore } from '../../src/cluster/security-store.js';
import type { AclBinding } from '../../src/security/acl.js';
import { Connection } from '../../src/client/connection.js';
import { ApiKey } from '../../src/protocol/api.js';
import type { CreateAclsResponse } from '../../src/protocol/messages/create-acls.js';
import { eventually, run, startBrokerProcess, type BrokerProcess } from '../helpers/mq-process.js';
import { tempDirFor } from '../helpers/temp-dir.js';

// kafkajs is CommonJS: its ACL enums are not named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs;
const ME = 'User:ANONYMOUS';

/** A broker with authorizer.enabled, no super user, and `seed` in its store before it starts. */
async function securedBroker(t: TestContext, seed: AclBinding[], extra = ''): Promise<BrokerProcess> {
  const dir = await tempDirFor(t);
  const store = await LocalStore.open(dir);
  await new SecurityStore(store).createAcls(seed);
  await store.close();
  const config = join(dir, '..', `${Math.random().toString(36).slice(2)}.properties`);
  await writeFile(config, `authorizer.enabled=true\n${extra}`);
  const broker = await startBrokerProcess(dir, { args: ['--config', config] });
  t.after(() => broker.stop());
  return broker;
}

const onCluster = (operation: AclBinding['operation']): AclBinding =>
  ({ resourceType: 'Cluster', resourceName: 'kafka-cluster', patternType: 'Literal', principal: ME, host: '*', operation, permission: 'Allow' });

describe('ACLs', () => {
  test('mq acls and kafkajs admin agree: created with one, listed and deleted with the other', async (t) => {
    const broker = await securedBroker(t, [onCluster('Alter'), onCluster('Describe')]);
    const mq = (args: string[]) => run([...args, '-b', broker.bootstrap]);
    const added = await mq(['acls', 'add', '--allow', 'User:alice', '--operation', 'Read', '--topic', 'orders', '--group', 'billing']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added: Allow User:alice Read on Topic orders (literal) from *\nadded: Allow User:alice Read on Group billing (literal) from *\n');

    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'mq-acl-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
    });
    const seen = described.resources.flatMap((r) => r.acls.map((a) => [r.resourceType, r.resourceName, a.principal, a.operation, a.permissionType]));
    assert.deepEqual(seen.filter((s) => s[2] === 'User:alice').sort(), [
      [AclResourceTypes.GROUP, 'billing', 'User:alice', AclOperationTypes.READ, AclPermissionTypes.ALLOW],
      [AclResourceTypes.TOPIC, 'orders', 'User:alice', AclOperationTypes.READ, AclPermissionTypes.ALLOW],
    ].sort());

    await admin.createAcls({
      acl: [{
        resourceType: AclResourceTypes.TOPIC, resourceName: 'logs.', resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY,
      }],
    });
    const listed = await mq(['acls', 'list', '--principal', 'User:bob', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), [{ resourceType: 'Topic', resourceName: 'logs.', patternType: 'Prefixed', principal: 'User:bob', host: '*', operation: 'Write', permission: 'Deny' }]);
    const table = await mq(['acls', 'list', '--topic', 'logs.app', '--resource-pattern-type', 'match']);
    assert.match(table.stdout, /^PRINCIPAL\s+PERMISSION\s+OPERATION\s+HOST\s+RESOURCE\s+NAME\s+PATTERN\nUser:bob\s+Deny\s+Write\s+\*\s+Topic\s+logs\.\s+Prefixed\n$/);

    // An invalid binding is refused by the broker: INVALID_REQUEST (kafkajs shows the code, not the message).
    await assert.rejects(admin.createAcls({
      acl: [{
        resourceType: AclResourceTypes.GROUP, resourceName: 'g', resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW,
      }],
    }), (err: Error & { type?: string }) => { assert.equal(err.type, 'INVALID_REQUEST'); return true; });

    // Over the wire: one result per creation, in order; the invalid one says why and the valid one is stored.
    const c = new Connection({ host: '127.0.0.1', port: broker.port });
    t.after(() => c.close());
    const created = await c.request<CreateAclsResponse>(ApiKey.CreateAcls, 1, {
      creations: [
        { resourceType: 4, resourceName: 'my-cluster', resourcePatternType: 3, principal: 'User:carol', host: '*', operation: 7, permissionType: 3 },
        { resourceType: 2, resourceName: 'audit', resourcePatternType: 3, principal: 'User:carol', host: '*', operation: 3, permissionType: 3 },
        { resourceType: 2, resourceName: 'audit', resourcePatternType: 3, principal: 'carol', host: '*', operation: 3, permissionType: 3 },
      ],
    });
    assert.deepEqual(created.results, [
      { errorCode: 42, errorMessage: 'invalid ACL: a Cluster resource is named "kafka-cluster", not "my-cluster"' },
      { errorCode: 0, errorMessage: null },
      { errorCode: 42, errorMessage: 'invalid ACL: principal "carol" is not of the form User:NAME' },
    ]);
    assert.deepEqual(JSON.parse((await mq(['acls', 'list', '--principal', 'User:carol', '--json'])).stdout).map((b: AclBinding) => b.resourceName), ['audit']);

    const deleted = await admin.deleteAcls({
      filters: [{
        resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice',
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      }],
    });
    assert.equal(deleted.filterResponses[0].matchingAcls.length, 2);
    const afterDelete = await mq(['acls', 'list', '--json']);
    assert.deepEqual(JSON.parse(afterDelete.stdout).map((b: AclBinding) => b.principal).filter((p: string) => p !== ME).sort(), ['User:bob', 'User:carol']);
    const removed = await mq(['acls', 'remove', '--deny', 'User:bob']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'removed: Deny User:bob Write on Topic logs. (prefixed) from *\n');
    const none = await mq(['acls', 'remove', '--principal', 'User:bob']);
    assert.equal(none.stdout, 'no ACL bindings matched; nothing removed\n');
  });

  test('without the authorizer the ACL requests answer SECURITY_DISABLED, and mq acls says what to set', async (t) => {
    const dir = await tempDirFor(t);
    const broker = await startBrokerProcess(dir);
    t.after(() => broker.stop());
    const listed = await run(['acls', 'list', '-b', broker.bootstrap]);
    assert.equal(listed.code, 1);
    assert.match(listed.stderr, /authorizer\.enabled=true/);
  });

  test('Read on orders and its group: consume with kafkajs and kcat -G; produce, other topics and Metadata refused; prefixed and deny apply', async (t) => {
    const broker = await securedBroker(t, [onCluster('Alter'), onCluster('Create')]);
    const mq = (args: string[], input?: string) => run([...args, '-b', broker.bootstrap], { input });
    const kcat = (args: string[]) => run(['-b', broker.bootstrap, ...args], { cmd: 'kcat', timeoutMs: 60_000 });
    const ok = async (args: string[], input?: string): Promise<string> => {
      const r = await mq(args, input);
      assert.equal(r.code, 0, `mq ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // Set-up: Write on both topics for a moment, to fill them.
    await ok(['acls', 'add', '--allow', ME, '--operation', 'Write', '--topic', 'orders', '--topic', 'other']);
    await ok(['topics', 'create', 'orders']);
    await ok(['topics', 'create', 'other']);
    const orders = Array.from({ length: 10 }, (_, i) => `order-${i}`);
    await ok(['produce', 'orders'], orders.join('\n') + '\n');
    await ok(['produce', 'other'], 'x\ny\n');
    assert.match(await ok(['acls', 'remove', '--principal', ME, '--operation', 'Write']), /^removed: Allow User:ANONYMOUS Write on Topic orders.*\nremoved: Allow User:ANONYMOUS Write on Topic other/);
    await ok(['acls', 'add', '--allow', ME, '--operation', 'Read', '--topic', 'orders']);
    await ok(['acls', 'add', '--allow', ME, '--operation', 'Read', '--group', 'bill', '--resource-pattern-type', 'prefixed']);

    // kafkajs: a group consumer of orders reads all of it.
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'mq-acl-test', logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const consumer = kafka.consumer({ groupId: 'billing', sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    await consumer.connect();
    t.after(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const read: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { read.push(message.value!.toString()); } });
    await eventually(() => read.length >= 10, { timeoutMs: 30_000 });
    assert.deepEqual(read, orders);
    await consumer.disconnect();

    // kcat's balanced consumer in another group under the prefix.
    const kcatGroup = await kcat(['-G', 'billing-kcat', 'orders', '-X', 'auto.offset.reset=earliest', '-c', '10', '-f', '%s\\n']);
    assert.equal(kcatGroup.code, 0, kcatGroup.stderr);
    assert.deepEqual(kcatGroup.stdout.trim().split('\n'), orders);

    // Produce to orders: TOPIC_AUTHORIZATION_FAILED.
    const producer = kafka.producer();
    await producer.connect();
    t.after(() => producer.disconnect());
    await assert.rejects(producer.send({ topic: 'orders', messages: [{ value: 'nope' }] }), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'TOPIC_AUTHORIZATION_FAILED', err.message);
      return true;
    });
    // Reading another topic: refused; Metadata lists orders only.
    const other = await kcat(['-C', '-t', 'other', '-e', '-o', 'beginning']);
    assert.doesNotMatch(other.stdout, /^x$/m);
    assert.match(other.stderr, /Topic authorization failed/i);
    const listing = await kcat(['-L']);
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, / 1 topics:\n {2}topic "orders"/);
    assert.doesNotMatch(listing.stdout, /"other"/);
    const otherGroup = await mq(['consume', 'orders', '-g', 'audit', '-e']);
    assert.notEqual(otherGroup.code, 0);
    assert.match(otherGroup.stderr, /GROUP_AUTHORIZATION_FAILED|not authorized for the group/i);

    // A deny on a prefix wins over the allow.
    await ok(['acls', 'add', '--deny', 'User:*', '--operation', 'Read', '--topic', 'ord', '--resource-pattern-type', 'prefixed']);
    const denied = await kcat(['-C', '-t', 'orders', '-e', '-o', 'beginning']);
    assert.match(denied.stderr, /Topic authorization failed/i);
    assert.doesNotMatch(denied.stdout, /order-0/);
    await broker.waitForOutput(/authorization denied principal=User:ANONYMOUS host=127\.0\.0\.1 resource=Topic:orders operation=Read api=/);
  });
});
