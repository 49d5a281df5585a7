// isolation.level as a client property (src/cli/client-properties.ts): read from -X, MQ_ISOLATION_LEVEL
// and --command-config like the security settings (a later source wins), checked, and never handed to
// the security settings (a plaintext connection stays plaintext).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveClientSecurity, resolveConsumerProperties } from '../../../src/cli/client-properties.js';

test('isolation.level from -X, the environment and a properties file; later sources win', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mq-props-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'client.properties');
  await writeFile(file, 'isolation.level=read_uncommitted\n');
  assert.deepEqual(await resolveConsumerProperties({ env: {} }), {});
  assert.deepEqual(await resolveConsumerProperties({ env: {}, properties: ['isolation.level=read_uncommitted'] }), { isolationLevel: 'read_uncommitted' });
  assert.deepEqual(await resolveConsumerProperties({ env: {}, commandConfig: file }), { isolationLevel: 'read_uncommitted' });
  assert.deepEqual(await resolveConsumerProperties({ env: { MQ_ISOLATION_LEVEL: 'READ_COMMITTED' }, commandConfig: file }), { isolationLevel: 'read_committed' });
  assert.deepEqual(await resolveConsumerProperties({ env: { MQ_ISOLATION_LEVEL: 'read_committed' }, properties: ['isolation.level=read_uncommitted'] }), { isolationLevel: 'read_uncommitted' });
  await assert.rejects(resolveConsumerProperties({ env: {}, properties: ['isolation.level=dirty'] }), /isolation\.level=dirty: must be read_committed or read_uncommitted/);
});

test('isolation.level is not a security setting', async () => {
  assert.equal(await resolveClientSecurity({ env: {}, properties: ['isolation.level=read_committed'] }), undefined);
  await assert.rejects(resolveClientSecurity({ env: {}, properties: ['isolation.lvl=x'] }), /unknown client property 'isolation\.lvl'/);
});
