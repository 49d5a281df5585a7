// mq acls with a fake admin: what add sends and prints, list's table and JSON, remove's refusal
// without a filter, and usage errors (exit 2) before anything is sent.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import type { Admin } from '../../../src/client/types.js';
import type { AclBinding, AclFilter } from '../../../src/security/acl.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

const STORED: AclBinding[] = [
  { resourceType: 'Topic', resourceName: 'orders', patternType: 'Literal', principal: 'User:alice', host: '*', operation: 'Read', permission: 'Allow' },
  { resourceType: 'Group', resourceName: 'bill', patternType: 'Prefixed', principal: 'User:alice', host: '*', operation: 'Read', permission: 'Allow' },
];

async function mq(argv: string[]): Promise<{ code: number; out: string; err: string; calls: string[] }> {
  const calls: string[] = [];
  const admin = {
    async createAcls(bindings: AclBinding[]) { calls.push(`create ${JSON.stringify(bindings)}`); },
    async describeAcls(filter: AclFilter = {}) { calls.push(`describe ${JSON.stringify(filter)}`); return STORED; },
    async deleteAcls(filter: AclFilter) { calls.push(`delete ${JSON.stringify(filter)}`); return STORED.slice(0, 1); },
    async close() {},
  } as unknown as Admin;
  const out = sink();
  const err = sink();
  const code = await main(argv, { out, err, stdin: Readable.from([]), env: {}, deps: { createAdmin: () => admin } });
  return { code, out: out.text(), err: err.text(), calls };
}

test('mq acls add sends every principal x operation x resource and prints each', async () => {
  const r = await mq(['acls', 'add', '--allow', 'alice', '--operation', 'read', '--topic', 'orders', '--group', 'billing']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.calls.length, 1);
  assert.equal(JSON.parse(r.calls[0].slice('create '.length)).length, 2);
  assert.equal(r.out, 'added: Allow User:alice Read on Topic orders (literal) from *\nadded: Allow User:alice Read on Group billing (literal) from *\n');
});

test('mq acls add: an operation the resource does not have is a usage error, nothing sent', async () => {
  const r = await mq(['acls', 'add', '--allow', 'alice', '--operation', 'Write', '--group', 'g']);
  assert.equal(r.code, 2);
  assert.match(r.err, /operation Write does not apply to a Group/);
  assert.deepEqual(r.calls, []);
});

test('mq acls list: a table with upper-case headers, or JSON', async () => {
  const table = await mq(['acls', 'list']);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^PRINCIPAL\s+PERMISSION\s+OPERATION\s+HOST\s+RESOURCE\s+NAME\s+PATTERN\nUser:alice\s+Allow\s+Read\s+\*\s+Topic\s+orders\s+Literal\nUser:alice\s+Allow\s+Read\s+\*\s+Group\s+bill\s+Prefixed\n$/);
  const json = await mq(['acls', 'list', '--json', '--topic', 'orders', '--resource-pattern-type', 'match']);
  assert.deepEqual(JSON.parse(json.out), STORED);
  assert.deepEqual(JSON.parse(json.calls[0].slice('describe '.length)), { resourceType: 'Topic', resourceName: 'orders', patternType: 'Match', principal: null, permission: 'Any', operation: 'Any', host: null });
});

test('mq acls remove: refused without a filter unless --all; prints what was removed', async () => {
  const refused = await mq(['acls', 'remove']);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /nothing selects which ACLs to remove/);
  assert.deepEqual(refused.calls, []);
  const removed = await mq(['acls', 'remove', '--principal', 'alice']);
  assert.equal(removed.code, 0, removed.err);
  assert.equal(removed.out, 'removed: Allow User:alice Read on Topic orders (literal) from *\n');
  assert.equal((await mq(['acls', 'remove', '--all'])).code, 0);
});
