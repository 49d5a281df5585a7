// Whose usage a quota counts (shared for a named entity, per client for a default), request_percentage
// in handling time, and no bookkeeping without a quota.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaManager } from '../../../src/broker/quota-manager.js';

test('a named user\'s quota is shared by its clients; a default user quota counts each user alone', () => {
  const q = new QuotaManager({ samples: 11, windowMs: 1000 });
  q.setEntries([{ entity: { user: 'alice' }, values: { producer_byte_rate: 1000 } }, { entity: { user: null }, values: { producer_byte_rate: 1000 } }]);
  // 10,000 bytes over the 10 s minimum window is 1,000/s: at the bound, no throttle yet.
  assert.equal(q.record('alice', 'c1', 'producer_byte_rate', 5000, 0), 0);
  assert.ok(q.record('alice', 'c2', 'producer_byte_rate', 6000, 0) > 0, 'c1 and c2 share alice\'s quota');
  assert.equal(q.record('bob', 'c1', 'producer_byte_rate', 5000, 0), 0);
  assert.equal(q.record('carol', 'c1', 'producer_byte_rate', 5000, 0), 0, 'the default quota gives carol her own count');
  assert.equal(q.record('alice', 'c1', 'consumer_byte_rate', 1e9, 0), 0, 'no consumer quota configured');
});

test('request_percentage counts handling milliseconds against percent of one second', () => {
  const q = new QuotaManager({ samples: 11, windowMs: 1000 });
  q.setEntries([{ entity: { clientId: null }, values: { request_percentage: 10 } }]);
  assert.equal(q.record('ANONYMOUS', 'etl', 'request_percentage', 900, 0), 0, '900 ms over 10 s is 9%');
  assert.ok(q.record('ANONYMOUS', 'etl', 'request_percentage', 300, 0) > 0, '1,200 ms over 10 s is 12%');
  assert.equal(q.record('ANONYMOUS', 'other', 'request_percentage', 900, 0), 0, 'each client-id alone under the default');
});

test('no quotas: nothing throttled, and the manager says it is empty', () => {
  const q = new QuotaManager();
  assert.equal(q.empty, true);
  assert.equal(q.record('u', 'c', 'producer_byte_rate', 1e12, 0), 0);
});
