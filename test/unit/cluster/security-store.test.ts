// Users, ACLs and quotas kept in the metadata store (LocalStore here; the same keys in etcd): credentials
// that verify after a reopen and hold no password, ACL bindings added once and removed by filter,
// quota entities with defaults, concurrent edits that both land, and a watch that sees each change.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalStore } from '../../../src/cluster/local-store.js';
import { SecurityStore } from '../../../src/cluster/security-store.js';
import type { AclBinding } from '../../../src/security/acl.js';
import { resolveQuota } from '../../../src/security/quota.js';
import { credentialFromSaltedPassword, passwordMatches, saltedPassword, scramCredential } from '../../../src/security/scram.js';

async function open(t: { after(fn: () => Promise<void>): void }): Promise<{ dir: string; store: LocalStore; security: SecurityStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-security-store-'));
  const store = await LocalStore.open(dir);
  t.after(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  return { dir, store, security: new SecurityStore(store) };
}

const binding = (resourceName: string, more: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'Topic', resourceName, patternType: 'Literal', principal: 'User:alice', host: '*', operation: 'Read', permission: 'Allow', ...more,
});

test('credentials survive a reopen, verify, and the file holds no password', async (t) => {
  const { dir, store, security } = await open(t);
  await security.putCredential('alice', await scramCredential('SCRAM-SHA-512', 'hunter2-alice', { iterations: 8192 }));
  // What AlterUserScramCredentials carries: the salted password, from which the broker derives the keys.
  const salt = Buffer.from('fixed-salt');
  await security.putCredential('a/b', credentialFromSaltedPassword('SCRAM-SHA-256', salt, 4096, await saltedPassword('SCRAM-SHA-256', 'pw-ab', salt, 4096)));
  await store.close();
  const reopened = new SecurityStore(await LocalStore.open(dir));
  const c = await reopened.credential('alice', 'SCRAM-SHA-512');
  assert.ok(c);
  assert.equal(c.iterations, 8192);
  assert.equal(await passwordMatches(c, 'hunter2-alice'), true);
  assert.equal(await passwordMatches((await reopened.credential('a/b', 'SCRAM-SHA-256'))!, 'pw-ab'), true);
  assert.equal(await reopened.credential('alice', 'SCRAM-SHA-256'), null);
  assert.deepEqual(await reopened.users(), [
    { user: 'a/b', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }] },
    { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }] },
  ]);
  const file = await readFile(join(dir, 'meta', 'store.json'), 'utf8');
  assert.equal(file.includes('hunter2'), false);
  assert.equal(await reopened.deleteCredential('alice', 'SCRAM-SHA-256'), false);
  assert.equal(await reopened.deleteCredential('alice', 'SCRAM-SHA-512'), true);
  assert.deepEqual((await reopened.users()).map((u) => u.user), ['a/b']);
});

test('ACLs: added once, listed back, removed by filter with what each filter removed', async (t) => {
  const { security } = await open(t);
  await security.createAcls([binding('orders'), binding('orders'), binding('ord', { patternType: 'Prefixed', operation: 'Write' }), binding('billing/eu', { resourceType: 'Group' })]);
  assert.equal((await security.acls()).length, 3, 'the duplicate is stored once');
  const removed = await security.deleteAcls([{ resourceType: 'Topic', resourceName: 'orders', patternType: 'Match' }, { resourceType: 'Group' }]);
  assert.deepEqual(removed.map((r) => r.map((b) => `${b.patternType}:${b.resourceName}`).sort()), [['Literal:orders', 'Prefixed:ord'], ['Literal:billing/eu']]);
  assert.deepEqual(await security.acls(), []);
});

test('quotas: entities with defaults resolve by precedence; removing the last key removes the entity', async (t) => {
  const { security } = await open(t);
  await security.alterQuota({ user: null }, { producer_byte_rate: 1_000_000 });
  await security.alterQuota({ user: 'alice', clientId: '-' }, { producer_byte_rate: 5_000_000, consumer_byte_rate: 7 });
  await security.alterQuota({ clientId: '~etl' }, { request_percentage: 50 });
  const entries = await security.quotas();
  assert.equal(resolveQuota(entries, 'alice', '-', 'producer_byte_rate')?.bound, 5_000_000, 'a client-id literally named "-"');
  assert.equal(resolveQuota(entries, 'alice', 'other', 'producer_byte_rate')?.bound, 1_000_000);
  assert.equal(resolveQuota(entries, 'bob', '~etl', 'request_percentage')?.bound, 50, 'a client-id literally starting with "~"');
  await security.alterQuota({ user: 'alice', clientId: '-' }, { producer_byte_rate: null, consumer_byte_rate: null });
  assert.equal((await security.quotas()).length, 2);
  await assert.rejects(security.alterQuota({ user: 'x' }, { producer_byte_rate: -1 }), /must be a number above 0/);
  await assert.rejects(security.alterQuota({ user: 'x' }, { bogus_rate: 1 } as never), /unknown quota key bogus_rate/);
});

test('concurrent edits of one key both land (compare-and-swap retries); the watch sees changes', async (t) => {
  const { security } = await open(t);
  const ac = new AbortController();
  t.after(() => ac.abort());
  const seen: string[] = [];
  const watching = (async () => { for await (const ev of security.watch(ac.signal)) { seen.push(ev.key); if (ev.key.startsWith('users/') || seen.length > 100) return; } })();
  await Promise.all(Array.from({ length: 10 }, (_, i) => security.createAcls([binding('orders', { principal: `User:u${i}` })])));
  assert.equal((await security.acls()).length, 10);
  await security.alterQuota({ user: 'alice' }, { producer_byte_rate: 1 });
  await security.putCredential('bob', await scramCredential('SCRAM-SHA-256', 'pw'));
  await watching;
  for (const prefix of ['acls/', 'quotas/', 'users/']) assert.ok(seen.some((k) => k.startsWith(prefix)), `${prefix} in ${seen.join(',')}`);
});
