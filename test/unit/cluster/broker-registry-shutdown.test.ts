// BrokerRegistry.announceShutdown(): the registration gains `shuttingDown: true` under the same lease,
// the broker stays registered with its broker epoch, a later overwrite by someone else still costs the
// registration, and a re-registration keeps the flag.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BrokerRegistry, type BrokerInfo } from '../../../src/cluster/broker-registry.js';
import { LocalStore } from '../../../src/cluster/local-store.js';
import { eventually } from '../../helpers/mq-process.js';

const info: BrokerInfo = { brokerId: 7, host: '127.0.0.1', port: 9097, adminPort: null, rack: 'r1', startTimeMs: 1 };

test('announceShutdown rewrites the registration in place; only a foreign overwrite costs it, and the flag survives re-registration', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mq-registry-'));
  const store = await LocalStore.open(dir);
  const registry = new BrokerRegistry(store, info, { ttlSeconds: 1 });
  t.after(async () => { await registry.close(); await store.close(); await rm(dir, { recursive: true, force: true }); });
  let lost = 0;
  registry.on('lost', () => { lost++; });
  await registry.register();
  const epoch = registry.brokerEpoch;
  const lease = registry.leaseId;

  await registry.announceShutdown();
  const kv = (await store.get('brokers/7'))!;
  assert.deepEqual(JSON.parse(kv.value), { ...info, shuttingDown: true });
  assert.equal(kv.lease, lease, 'same lease');
  assert.ok(kv.version > epoch!);
  assert.equal(registry.shuttingDown, true);
  // Let the key watch see our own rewrite: it must not count as a loss.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lost, 0);
  assert.equal(registry.registered, true);
  assert.equal(registry.brokerEpoch, epoch, 'the broker epoch is that of the registration, not of the rewrite');
  await registry.announceShutdown(); // idempotent
  assert.equal((await store.get('brokers/7'))!.version, kv.version);

  // Someone else overwrites the key: lost, and the re-registration (once that key is gone) keeps the flag.
  await store.put('brokers/7', JSON.stringify({ ...info, port: 1 }));
  await eventually(() => lost === 1);
  const foreign = await store.get('brokers/7');
  if (foreign && JSON.parse(foreign.value).port === 1) await store.delete('brokers/7');
  await eventually(async () => {
    const now = await store.get('brokers/7');
    return registry.registered && now !== null && JSON.parse(now.value).shuttingDown === true && now.lease === registry.leaseId;
  });
});
