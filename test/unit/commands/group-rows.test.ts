// `mq groups` table rows and the reset-offsets target flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupOffsetRows, groupSummary, resetTarget } from '../../../src/cli/group-rows.js';
import { parseDelivery } from '../../../src/cli/group-consume.js';
import type { GroupDescription } from '../../../src/client/types.js';

test('resetTarget: exactly one target, parsed', () => {
  assert.deepEqual(resetTarget({ toEarliest: true }), { kind: 'earliest' });
  assert.deepEqual(resetTarget({ toLatest: true }), { kind: 'latest' });
  assert.deepEqual(resetTarget({ toOffset: '42' }), { kind: 'offset', offset: 42 });
  assert.deepEqual(resetTarget({ shiftBy: '-5' }), { kind: 'shiftBy', n: -5 });
  assert.deepEqual(resetTarget({ toDatetime: '2024-05-01T00:00:00Z' }), { kind: 'datetime', timestampMs: Date.parse('2024-05-01T00:00:00Z') });
  assert.deepEqual(resetTarget({ toDatetime: '1700000000000' }), { kind: 'datetime', timestampMs: 1700000000000 });
  assert.throws(() => resetTarget({}), /exactly one of/);
  assert.throws(() => resetTarget({ toEarliest: true, shiftBy: '1' }), /exactly one of/);
  assert.throws(() => resetTarget({ toOffset: '-1' }), /--to-offset/);
  assert.throws(() => resetTarget({ toDatetime: 'yesterday' }), /ISO-8601/);
});

test('describe rows: dashes for what is unknown', () => {
  const d: GroupDescription = {
    groupId: 'g', state: 'Stable', protocolType: 'consumer', protocol: 'range',
    members: [{ memberId: 'm1', clientId: 'c', clientHost: '/127.0.0.1', assignment: [{ topic: 't', partition: 0 }] }],
    offsets: [
      { topic: 't', partition: 0, committedOffset: 10, logEndOffset: 15, lag: 5, memberId: 'm1', clientId: 'c', clientHost: '/127.0.0.1' },
      { topic: 't', partition: 1, committedOffset: -1, logEndOffset: 3, lag: null, memberId: null, clientId: null, clientHost: null },
    ],
  };
  assert.deepEqual(groupOffsetRows(d), [
    ['t', '0', '10', '15', '5', 'm1', 'c', '/127.0.0.1'],
    ['t', '1', '-', '3', '-', '-', '-', '-'],
  ]);
  assert.equal(groupSummary(d), 'group g: state Stable, protocol range (consumer), 1 member');
});

test('parseDelivery', () => {
  assert.equal(parseDelivery('at-most-once'), 'at-most-once');
  assert.throws(() => parseDelivery('twice'), /at-most-once, at-least-once or exactly-once/);
});
