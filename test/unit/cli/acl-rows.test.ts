// `mq acls` flag parsing: the bindings add means, the filters list/remove mean, refusals before sending.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindingsToAdd, filtersOf, parseOperation, selectsEverything } from '../../../src/cli/acl-rows.js';

test('add: principal x operation x resource x host, names taken in any case', () => {
  const bindings = bindingsToAdd({ allow: ['alice'], operation: ['read'], topic: ['orders'], group: ['billing'] });
  assert.deepEqual(bindings, [
    { resourceType: 'Topic', resourceName: 'orders', patternType: 'Literal', principal: 'User:alice', host: '*', operation: 'Read', permission: 'Allow' },
    { resourceType: 'Group', resourceName: 'billing', patternType: 'Literal', principal: 'User:alice', host: '*', operation: 'Read', permission: 'Allow' },
  ]);
  const denied = bindingsToAdd({ deny: ['User:*'], operation: ['describe-configs', 'Write'], topic: ['logs.'], resourcePatternType: 'PREFIXED', host: ['10.0.0.7'] });
  assert.deepEqual(denied.map((b) => [b.principal, b.permission, b.operation, b.patternType, b.host]), [
    ['User:*', 'Deny', 'DescribeConfigs', 'Prefixed', '10.0.0.7'], ['User:*', 'Deny', 'Write', 'Prefixed', '10.0.0.7'],
  ]);
  assert.deepEqual(bindingsToAdd({ allow: ['ops'], operation: ['Alter'], cluster: true }).map((b) => [b.resourceType, b.resourceName]), [['Cluster', 'kafka-cluster']]);
});

test('add: refusals name what is wrong', () => {
  assert.throws(() => bindingsToAdd({ operation: ['Read'], topic: ['t'] }), /--allow User:NAME or --deny/);
  assert.throws(() => bindingsToAdd({ allow: ['a'], topic: ['t'] }), /no --operation/);
  assert.throws(() => bindingsToAdd({ allow: ['a'], operation: ['Read'] }), /no resource/);
  assert.throws(() => bindingsToAdd({ allow: ['a'], operation: ['Write'], group: ['g'] }), /operation Write does not apply to a Group/);
  assert.throws(() => bindingsToAdd({ allow: ['a'], operation: ['Read'], topic: ['t'], resourcePatternType: 'match' }), /literal, prefixed/);
  assert.throws(() => parseOperation('Frobnicate'), /unknown operation "Frobnicate"/);
});

test('list/remove: one filter per resource, any when none is named', () => {
  assert.deepEqual(filtersOf({}), [{ resourceType: 'Any', resourceName: null, patternType: 'Any', principal: null, permission: 'Any', operation: 'Any', host: null }]);
  assert.deepEqual(filtersOf({ deny: ['bob'], topic: ['a', 'b'], resourcePatternType: 'match' }).map((f) => [f.resourceName, f.patternType, f.principal, f.permission]), [
    ['a', 'Match', 'User:bob', 'Deny'], ['b', 'Match', 'User:bob', 'Deny'],
  ]);
  assert.equal(selectsEverything({}), true);
  assert.equal(selectsEverything({ principal: ['alice'] }), false);
});
