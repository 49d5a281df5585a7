// Quota entities, describe filters and alter ops (src/security/quota-entity.ts), table-driven: what
// Kafka's DescribeClientQuotas selects for each match type and strictness, and which ops it refuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { changesFromOps, entityFromWire, entityToWire, filterFromWire, filterMatches, type QuotaFilter } from '../../../src/security/quota-entity.js';
import type { QuotaEntity } from '../../../src/security/quota.js';

const ENTITIES: Record<string, QuotaEntity> = {
  'user=alice': { user: 'alice' },
  'user=alice,client-id=app': { user: 'alice', clientId: 'app' },
  'user=<default>': { user: null },
  'user=<default>,client-id=<default>': { user: null, clientId: null },
  'client-id=app': { clientId: 'app' },
  'client-id=<default>': { clientId: null },
};

function selected(filter: QuotaFilter): string[] {
  return Object.entries(ENTITIES).filter(([, e]) => filterMatches(filter, e)).map(([name]) => name);
}

function parsed(components: [string, number, string | null][], strict = false): QuotaFilter {
  const f = filterFromWire(components.map(([entityType, matchType, match]) => ({ entityType, matchType, match })), strict);
  assert.notEqual(typeof f, 'string', String(f));
  return f as QuotaFilter;
}

describe('describe filters', () => {
  const cases: [string, [string, number, string | null][], boolean, string[]][] = [
    ['no component: everything', [], false, Object.keys(ENTITIES)],
    ['no component, strict: nothing', [], true, []],
    ['exact user', [['user', 0, 'alice']], false, ['user=alice', 'user=alice,client-id=app']],
    ['exact user, strict', [['user', 0, 'alice']], true, ['user=alice']],
    ['default user', [['user', 1, null]], false, ['user=<default>', 'user=<default>,client-id=<default>']],
    ['any user, strict', [['user', 2, null]], true, ['user=alice', 'user=<default>']],
    ['any client-id', [['client-id', 2, null]], false, ['user=alice,client-id=app', 'user=<default>,client-id=<default>', 'client-id=app', 'client-id=<default>']],
    ['default client-id, strict', [['client-id', 1, null]], true, ['client-id=<default>']],
    ['exact user and exact client-id', [['user', 0, 'alice'], ['client-id', 0, 'app']], true, ['user=alice,client-id=app']],
  ];
  for (const [name, components, strict, want] of cases) {
    test(name, () => assert.deepEqual(selected(parsed(components, strict)), want));
  }

  test('refused filters say why', () => {
    const problem = (components: [string, number, string | null][]): string => filterFromWire(components.map(([entityType, matchType, match]) => ({ entityType, matchType, match })), false) as string;
    assert.match(problem([['user', 0, null]]), /needs a name/);
    assert.match(problem([['user', 1, 'x']]), /takes no name/);
    assert.match(problem([['user', 2, 'x']]), /takes no name/);
    assert.match(problem([['user', 3, null]]), /unknown match type 3/);
    assert.match(problem([['ip', 2, null]]), /unknown entity type 'ip'/);
    assert.match(problem([['user', 2, null], ['user', 1, null]]), /more than once in the filter/);
  });
});

describe('entities and ops', () => {
  test('wire components round-trip, user first', () => {
    for (const e of Object.values(ENTITIES)) assert.deepEqual(entityFromWire(entityToWire(e)), e);
    assert.deepEqual(entityToWire({ clientId: 'c', user: 'u' }).map((c) => c.entityType), ['user', 'client-id']);
    assert.match(entityFromWire([]) as string, /empty quota entity/);
    assert.match(entityFromWire([{ entityType: 'client-id', entityName: 'a' }, { entityType: 'client-id', entityName: 'b' }]) as string, /more than once/);
  });

  test('ops: values, removals and refusals', () => {
    assert.deepEqual(changesFromOps([
      { key: 'producer_byte_rate', value: 1024, remove: false },
      { key: 'consumer_byte_rate', value: 0, remove: true },
      { key: 'request_percentage', value: 12.5, remove: false },
    ]), { producer_byte_rate: 1024, consumer_byte_rate: null, request_percentage: 12.5 });
    const refused: [string, number, RegExp][] = [
      ['controller_mutation_rate', 5, /unknown quota key 'controller_mutation_rate'/],
      ['producer_byte_rate', 0, /must be above 0/],
      ['producer_byte_rate', Number.NaN, /must be above 0/],
      ['consumer_byte_rate', 10.5, /whole number of bytes/],
      ['request_percentage', -1, /must be above 0/],
    ];
    for (const [key, value, re] of refused) assert.match(changesFromOps([{ key, value, remove: false }]) as string, re);
    assert.match(changesFromOps([{ key: 'producer_byte_rate', value: 1, remove: false }, { key: 'producer_byte_rate', value: 2, remove: false }]) as string, /changed twice/);
  });
});
