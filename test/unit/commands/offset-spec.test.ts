import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOffsetSpec } from '../../../src/cli/offset-spec.js';
import { MqError } from '../../../src/util/mq-error.js';

describe('parseOffsetSpec', () => {
  const cases: [string, unknown][] = [
    ['beginning', { kind: 'beginning' }],
    ['earliest', { kind: 'beginning' }],
    ['end', { kind: 'end' }],
    ['latest', { kind: 'end' }],
    ['0', { kind: 'offset', offset: 0 }],
    ['12345', { kind: 'offset', offset: 12345 }],
    ['-10', { kind: 'fromEnd', n: 10 }],
    ['@1700000000000', { kind: 'timestamp', timestampMs: 1700000000000 }],
    ['@2024-05-01T12:00:00Z', { kind: 'timestamp', timestampMs: Date.UTC(2024, 4, 1, 12) }],
    ['@2024-05-01T12:00:00.250+02:00', { kind: 'timestamp', timestampMs: Date.UTC(2024, 4, 1, 10, 0, 0, 250) }],
    ['@2024-05-01', { kind: 'timestamp', timestampMs: Date.UTC(2024, 4, 1) }],
  ];
  for (const [raw, expected] of cases) {
    test(`${raw}`, () => assert.deepEqual(parseOffsetSpec(raw), expected));
  }

  for (const raw of ['', 'start', '1.5', '--3', '@', '@yesterday', '@2024-13-45', '99999999999999999999', 'end1']) {
    test(`rejects '${raw}'`, () => {
      assert.throws(() => parseOffsetSpec(raw), (err: unknown) => err instanceof MqError && err.code === 'INVALID_ARGUMENT' && err.message.includes(`'${raw}'`));
    });
  }
});
