// The authorizer's decisions as Kafka makes them (super users, no-ACL default, deny over allow, implied
// Describe, prefixed and wildcard bindings, hosts), the DescribeAcls/DeleteAcls filter, the checks on a
// binding to create, and the API table covering every API the broker serves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apis } from '../../../src/protocol/api.js';
import { AclAuthorizer, matchesFilter, validateBinding, type AclBinding } from '../../../src/security/acl.js';
import { API_RULES } from '../../../src/security/api-operations.js';

const allow = (principal: string, operation: AclBinding['operation'], resourceName: string, more: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'Topic', resourceName, patternType: 'Literal', principal, host: '*', operation, permission: 'Allow', ...more,
});
const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };

describe('AclAuthorizer', () => {
  test('Read on orders lets alice read and describe orders, nothing else; bob nothing', () => {
    const a = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
    a.setBindings([allow('User:alice', 'Read', 'orders'), allow('User:alice', 'Read', 'billing', { resourceType: 'Group' })]);
    assert.equal(a.authorize(alice, 'Read', 'Topic', 'orders'), true);
    assert.equal(a.authorize(alice, 'Describe', 'Topic', 'orders'), true, 'Read implies Describe');
    assert.equal(a.authorize(alice, 'Write', 'Topic', 'orders'), false);
    assert.equal(a.authorize(alice, 'Read', 'Topic', 'payments'), false, 'no binding and no allow-everyone');
    assert.equal(a.authorize(alice, 'Read', 'Group', 'billing'), true);
    assert.equal(a.authorize(alice, 'Read', 'Group', 'other'), false);
    assert.equal(a.authorize(bob, 'Read', 'Topic', 'orders'), false);
  });

  test('super users pass everything; allow.everyone.if.no.acl.found only where no binding applies', () => {
    const a = new AclAuthorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: true });
    a.setBindings([allow('User:alice', 'Read', 'orders')]);
    assert.equal(a.authorize({ principal: 'User:admin', host: '1.2.3.4' }, 'Delete', 'Topic', 'orders'), true);
    assert.equal(a.authorize(bob, 'Write', 'Topic', 'payments'), true, 'no binding applies to payments');
    assert.equal(a.authorize(bob, 'Read', 'Topic', 'orders'), false, 'a binding applies to orders, none for bob');
  });

  test('deny wins over allow, All covers every operation, and implication never turns a deny into an allow', () => {
    const a = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
    a.setBindings([
      allow('User:*', 'All', 'logs-', { patternType: 'Prefixed' }),
      allow('User:bob', 'Write', 'logs-secret', { permission: 'Deny' }),
      allow('User:bob', 'Describe', 'logs-hidden', { permission: 'Deny' }),
    ]);
    assert.equal(a.authorize(alice, 'Write', 'Topic', 'logs-secret'), true);
    assert.equal(a.authorize(bob, 'Write', 'Topic', 'logs-secret'), false);
    assert.equal(a.authorize(bob, 'Read', 'Topic', 'logs-secret'), true, 'only Write is denied');
    assert.equal(a.authorize(bob, 'Describe', 'Topic', 'logs-hidden'), false);
    assert.equal(a.authorize(bob, 'Read', 'Topic', 'logs-hidden'), true, 'a Describe deny does not deny Read');
    assert.equal(a.authorize(alice, 'Read', 'Topic', 'log'), false, 'prefix "logs-" does not match "log"');
  });

  test('the literal wildcard applies to every name; hosts narrow a binding', () => {
    const a = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
    a.setBindings([allow('User:alice', 'Describe', '*'), allow('User:bob', 'Write', 'orders', { host: '10.0.0.9' })]);
    assert.equal(a.authorize(alice, 'Describe', 'Topic', 'anything'), true);
    assert.equal(a.authorize(alice, 'Read', 'Topic', 'anything'), false, 'Describe does not imply Read');
    assert.equal(a.authorize(bob, 'Write', 'Topic', 'orders'), false, 'bob is at 10.0.0.2');
    assert.equal(a.authorize({ principal: 'User:bob', host: '10.0.0.9' }, 'Write', 'Topic', 'orders'), true);
  });

  test('AlterConfigs implies DescribeConfigs on the cluster', () => {
    const a = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false });
    a.setBindings([allow('User:ops', 'AlterConfigs', 'kafka-cluster', { resourceType: 'Cluster' })]);
    const ops = { principal: 'User:ops', host: '::1' };
    assert.equal(a.authorize(ops, 'DescribeConfigs', 'Cluster', 'kafka-cluster'), true);
    assert.equal(a.authorize(ops, 'Alter', 'Cluster', 'kafka-cluster'), false);
  });
});

describe('ACL filters and validation', () => {
  const bindings = [
    allow('User:alice', 'Read', 'orders'),
    allow('User:alice', 'Read', 'ord', { patternType: 'Prefixed' }),
    allow('User:bob', 'Write', '*'),
    allow('User:bob', 'Read', 'billing', { resourceType: 'Group' }),
  ];
  const names = (f: Parameters<typeof matchesFilter>[1]): string[] => bindings.filter((b) => matchesFilter(b, f)).map((b) => `${b.resourceType}:${b.patternType}:${b.resourceName}`);

  test('literal, prefixed, any and match patterns select as Kafka does', () => {
    assert.deepEqual(names({}), ['Topic:Literal:orders', 'Topic:Prefixed:ord', 'Topic:Literal:*', 'Group:Literal:billing']);
    assert.deepEqual(names({ resourceType: 'Topic', resourceName: 'orders', patternType: 'Literal' }), ['Topic:Literal:orders']);
    assert.deepEqual(names({ resourceType: 'Topic', resourceName: 'orders', patternType: 'Match' }), ['Topic:Literal:orders', 'Topic:Prefixed:ord', 'Topic:Literal:*']);
    assert.deepEqual(names({ patternType: 'Prefixed' }), ['Topic:Prefixed:ord']);
    assert.deepEqual(names({ principal: 'User:bob', operation: 'Read' }), ['Group:Literal:billing']);
  });

  test('bindings a client may not create are named', () => {
    validateBinding(allow('User:alice', 'Read', 'orders'));
    assert.throws(() => validateBinding(allow('User:alice', 'ClusterAction', 'orders')), /operation ClusterAction does not apply to a Topic/);
    assert.throws(() => validateBinding(allow('User:alice', 'Alter', 'mycluster', { resourceType: 'Cluster' })), /a Cluster resource is named "kafka-cluster"/);
    assert.throws(() => validateBinding(allow('alice', 'Read', 'orders')), /not of the form User:NAME/);
    assert.throws(() => validateBinding(allow('User:alice', 'Read', '')), /empty resource name/);
    assert.throws(() => validateBinding(allow('User:alice', 'Read', '*', { patternType: 'Prefixed' })), /literal wildcard/);
  });
});

test('every API the broker serves has an authorization rule', () => {
  const missing = apis.filter((a) => API_RULES[a.key] === undefined).map((a) => a.name);
  assert.deepEqual(missing, []);
});
