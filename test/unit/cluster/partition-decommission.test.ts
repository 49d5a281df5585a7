// The decommission state: its wire value, AlterConfigs validation, and when partitions are due.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyDecommissionedValue, formatDecommissioned, partitionsDueForDeletion, withPartitionsDeleted,
} from '../../../src/cluster/partition-decommission.js';
import { parseDecommissioned } from '../../../src/config/decommissioned-config.js';
import { MqError } from '../../../src/util/mq-error.js';

const code = (c: string) => (err: unknown) => err instanceof MqError && err.code === c;

describe('partition decommission state', () => {
  test('format and parse round-trip, deleted partitions marked', () => {
    const record = { replicas: [[1], [], [2], [3]], decommissioned: { 2: 2000, 1: 1000 } };
    const value = formatDecommissioned(record);
    assert.equal(value, '1:1000:deleted,2:2000');
    assert.deepEqual(parseDecommissioned(value), [{ partition: 1, sinceMs: 1000, deleted: true }, { partition: 2, sinceMs: 2000, deleted: false }]);
    assert.equal(formatDecommissioned({ replicas: [[1]] }), '');
    assert.deepEqual(parseDecommissioned(''), []);
    assert.deepEqual(parseDecommissioned(null), []);
    assert.deepEqual(parseDecommissioned(' 3 , 4 '), [{ partition: 3, sinceMs: -1, deleted: false }, { partition: 4, sinceMs: -1, deleted: false }]);
    for (const bad of ['x', '1:', '-1', '1:2:gone', '1;2']) assert.throws(() => parseDecommissioned(bad), code('INVALID_CONFIG'), bad);
  });

  test('a new set stamps new ids now, keeps old stamps, recommissions the ids left out, keeps deleted ones', () => {
    const record = { replicas: [[1], [1], [], [1]], decommissioned: { 1: 100, 2: 50 } };
    assert.deepEqual(applyDecommissionedValue('t', record, '1,3', 999), { 1: 100, 2: 50, 3: 999 });
    assert.deepEqual(applyDecommissionedValue('t', record, '', 999), { 2: 50 }, 'recommissions 1; 2 stays deleted');
    assert.deepEqual(applyDecommissionedValue('t', record, '1:5:deleted,0:7', 999), { 0: 999, 1: 100, 2: 50 }, 'described times are ignored');
  });

  test('unknown partitions and leaving no active partition are refused', () => {
    const record = { replicas: [[1], [1], []], decommissioned: { 2: 50 } };
    assert.throws(() => applyDecommissionedValue('t', record, '3', 1), code('UNKNOWN_TOPIC_OR_PARTITION'));
    assert.throws(() => applyDecommissionedValue('t', record, '0,1', 1), code('POLICY_VIOLATION'));
    assert.throws(() => applyDecommissionedValue('t', { replicas: [[1]] }, '0', 1), code('POLICY_VIOLATION'));
  });

  test('partitions are due once retention.ms has passed since their decommission; -1 never', () => {
    const record = { replicas: [[1], [1], [1], []], decommissioned: { 1: 1000, 2: 5000, 3: 0 } };
    assert.deepEqual(partitionsDueForDeletion(record, 4000, 4999), []);
    assert.deepEqual(partitionsDueForDeletion(record, 4000, 5000), [1]);
    assert.deepEqual(partitionsDueForDeletion(record, 4000, 9000), [1, 2], 'already deleted 3 is not due again');
    assert.deepEqual(partitionsDueForDeletion(record, -1, Number.MAX_SAFE_INTEGER), []);
    const after = withPartitionsDeleted(record, [1]);
    assert.deepEqual(after.replicas, [[1], [], [1], []]);
    assert.deepEqual(after.decommissioned, record.decommissioned, 'the decommission times stay');
  });
});
