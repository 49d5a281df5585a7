// Whose usage a quota counts (shared for a named entity, per client for a default), request_percentage
// in handling time, and no bookkeeping without a quota. Throttles come from a token bucket holding one
// window (1 s) of credit (src/security/quota.ts TokenBucket).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuotaManager } from '../../../src/broker/quota-manager.js';

test('a named user\'s quota is shared by its clients; a default user quota counts each user alone', () => {
  const q = new QuotaManager({ samples: 11, windowMs: 1000 });
  q.setEntries([{ entity: { user: 'alice' }, values: { producer_byte_rate: 1000 } }, { entity: { user: null }, values: { producer_byte_rate: 1000 } }]);
  // One second of credit (1,000 bytes at 1,000/s): 600 bytes are within it, 1,200 are not.
  assert.equal(q.record('alice', 'c1', 'producer_byte_rate', 600, 0), 0);
  assert.equal(q.record('alice', 'c2', 'producer_byte_rate', 600, 0), 200, 'c1 and c2 share alice\'s quota: 200 bytes over is 200 ms');
  assert.equal(q.record('bob', 'c1', 'producer_byte_rate', 600, 0), 0);
  assert.equal(q.record('carol', 'c1', 'producer_byte_rate', 600, 0), 0, 'the default quota gives carol her own count');
  assert.equal(q.record('alice', 'c1', 'consumer_byte_rate', 1e9, 0), 0, 'no consumer quota configured');
});

test('request_percentage counts handling milliseconds against percent of one second', () => {
  const q = new QuotaManager({ samples: 11, windowMs: 1000 });
  q.setEntries([{ entity: { clientId: null }, values: { request_percentage: 10 } }]);
  // 10% is 100 ms of handling per second, with one second of credit.
  assert.equal(q.record('ANONYMOUS', 'etl', 'request_percentage', 90, 0), 0, '90 ms is within the credit');
  assert.ok(q.record('ANONYMOUS', 'etl', 'request_percentage', 30, 0) > 0, '120 ms is over it');
  assert.equal(q.record('ANONYMOUS', 'etl', 'request_percentage', 0, 1000), 0, 'a second later the debt is repaid');
  assert.equal(q.record('ANONYMOUS', 'other', 'request_percentage', 90, 0), 0, 'each client-id alone under the default');
});

test('no quotas: nothing throttled, and the manager says it is empty', () => {
  const q = new QuotaManager();
  assert.equal(q.empty, true);
  assert.equal(q.record('u', 'c', 'producer_byte_rate', 1e12, 0), 0);
});
