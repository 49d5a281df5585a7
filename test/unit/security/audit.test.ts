// The audit log's rate limit: at most N lines per principal per second, then a count of what was dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditLog } from '../../../src/security/audit.js';
import type { Logger } from '../../../src/util/logger.js';

function capture(): { logger: Logger; lines: { msg: string; fields: Record<string, unknown> }[] } {
  const lines: { msg: string; fields: Record<string, unknown> }[] = [];
  const keep = (msg: string, fields: Record<string, unknown> = {}): void => { lines.push({ msg, fields }); };
  return { logger: { debug: keep, info: keep, warn: keep, error: keep }, lines };
}

const denial = (principal: string) => ({ principal, host: '10.0.0.7', resourceType: 'Topic', resourceName: 'orders', operation: 'Write', api: 'Produce' });

test('denials: N lines per principal per second, then the next window says how many were suppressed', () => {
  const { logger, lines } = capture();
  let now = 1_000_000;
  const audit = new AuditLog(logger, { linesPerSecond: 3, nowMs: () => now });
  for (let i = 0; i < 10; i++) audit.denied(denial('User:eve'));
  audit.denied(denial('User:bob'));
  assert.equal(lines.length, 4, 'three for eve, one for bob');
  assert.deepEqual(lines[0], { msg: 'authorization denied', fields: { principal: 'User:eve', host: '10.0.0.7', resource: 'Topic:orders', operation: 'Write', api: 'Produce' } });
  now += 1000;
  audit.denied(denial('User:eve'));
  assert.equal(lines.length, 5);
  assert.equal(lines[4].fields.suppressed, 7);
  audit.denied(denial('User:eve'));
  assert.equal(lines[5].fields.suppressed, undefined, 'the count is reported once');
});

test('authentication failures are logged and limited apart from denials', () => {
  const { logger, lines } = capture();
  const audit = new AuditLog(logger, { linesPerSecond: 1, nowMs: () => 5 });
  audit.denied(denial('User:eve'));
  audit.authenticationFailed({ principal: 'User:eve', host: '10.0.0.7', mechanism: 'SCRAM-SHA-256', reason: 'wrong password' });
  audit.authenticationFailed({ principal: 'User:eve', host: '10.0.0.7', mechanism: 'SCRAM-SHA-256', reason: 'wrong password' });
  assert.deepEqual(lines.map((l) => l.msg), ['authorization denied', 'authentication failed']);
  assert.deepEqual(lines[1].fields, { principal: 'User:eve', host: '10.0.0.7', mechanism: 'SCRAM-SHA-256', reason: 'wrong password' });
});
