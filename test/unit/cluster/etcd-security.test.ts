// etcd credentials and TLS settings (src/cluster/etcd-security.ts) checked before any connection: a
// password without a user, a user without a password, half a client certificate, TLS files with an
// http:// URL and an unreadable file each name the setting to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdClientOptions } from '../../../src/cluster/etcd-security.js';

test('settings that do not go together are refused with the setting named', async () => {
  const https = ['https://127.0.0.1:2379'];
  await assert.rejects(etcdClientOptions({ password: 'p' }, https), /no etcd user/);
  await assert.rejects(etcdClientOptions({ username: 'mq' }, https), (err: Error & { hint?: string }) => /no etcd password/.test(err.message) && /MQ_ETCD_PASSWORD/.test(err.hint ?? ''));
  await assert.rejects(etcdClientOptions({ certificateLocation: '/x.pem' }, https), /both a certificate and its key/);
  await assert.rejects(etcdClientOptions({ caLocation: '/x.pem' }, ['http://127.0.0.1:2379']), /is not an https:\/\/ URL/);
  await assert.rejects(etcdClientOptions({ caLocation: '/nonexistent/ca.pem' }, https), /etcd.ssl.ca.location \/nonexistent\/ca.pem cannot be read: ENOENT/);
});

test('a user and password become etcd3 auth; nothing given is nothing set', async () => {
  assert.deepEqual(await etcdClientOptions({ username: 'mq', password: 'p' }, ['http://127.0.0.1:2379']), { auth: { username: 'mq', password: 'p' } });
  assert.deepEqual(await etcdClientOptions(undefined, ['http://127.0.0.1:2379']), {});
  assert.deepEqual(await etcdClientOptions({}, ['http://127.0.0.1:2379']), {});
});
