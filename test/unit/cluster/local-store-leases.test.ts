// The embedded LocalStore offers what EtcdStore offers: versions never reused, leases whose keys vanish
// on expiry (and are never persisted), eager watches, and the same registry and election on top.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BrokerRegistry, type BrokerInfo } from '../../../src/cluster/broker-registry.js';
import { ControllerElection } from '../../../src/cluster/controller-election.js';
import { LocalStore } from '../../../src/cluster/local-store.js';
import type { WatchEvent } from '../../../src/cluster/metadata-store.js';
import { MqError } from '../../../src/util/mq-error.js';

async function openStore(t: { after(fn: () => Promise<void>): void }): Promise<{ store: LocalStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-local-store-'));
  const store = await LocalStore.open(dir);
  t.after(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  return { store, dir };
}

/** Resolves with the first event matching `pred`. */
async function firstEvent(it: AsyncIterable<WatchEvent>, pred: (e: WatchEvent) => boolean): Promise<WatchEvent> {
  for await (const ev of it) if (pred(ev)) return ev;
  throw new Error('watch ended');
}

const info = (brokerId: number): BrokerInfo => ({ brokerId, host: '127.0.0.1', port: 9092, adminPort: null, rack: null, startTimeMs: 1 });

describe('LocalStore', () => {
  test('versions are never reused, not even after a delete and re-create or a reopen', async (t) => {
    const { store, dir } = await openStore(t);
    await store.put('a', '1');
    await store.put('b', '1');
    const v1 = (await store.get('a'))!.version;
    await store.delete('a');
    await store.put('a', '2');
    const v2 = (await store.get('a'))!.version;
    assert.ok(v2 > v1);
    assert.equal(await store.txn([{ key: 'a', version: v1 }], [{ put: { key: 'a', value: 'stale' } }]), false);
    await store.close();
    const reopened = await LocalStore.open(dir);
    t.after(() => reopened.close());
    await reopened.put('c', '1');
    assert.ok((await reopened.get('c'))!.version > v2);
  });

  test('a transaction touching one key twice is refused', async (t) => {
    const { store } = await openStore(t);
    await assert.rejects(store.txn([], [{ put: { key: 'a', value: '1' } }, { delete: 'a' }]), (err: MqError) => err.code === 'INVALID_REQUEST');
    assert.equal(await store.get('a'), null);
  });

  test('a watch delivers changes made between watch() and the first next()', async (t) => {
    const { store } = await openStore(t);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const it = store.watch('k', ac.signal);
    await store.put('k', 'early');
    const ev = await firstEvent(it, () => true);
    assert.deepEqual(ev, { type: 'put', key: 'k', value: 'early', version: (await store.get('k'))!.version });
  });

  test('leases: kept-alive keys stay, expired ones are deleted with an event and never persisted', async (t) => {
    const { store, dir } = await openStore(t);
    const lease = await store.grantLease(1);
    await store.txn([], [{ put: { key: 'brokers/1', value: 'x', lease: lease.id } }, { put: { key: 'topics/t', value: 'y' } }]);
    assert.equal((await store.get('brokers/1'))!.lease, lease.id);
    const onDisk = JSON.parse(await readFile(join(dir, 'meta', 'store.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(onDisk), ['topics/t']);
    assert.equal(await lease.keepAlive(), true);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const deleted = firstEvent(store.watch('brokers/', ac.signal), (e) => e.type === 'delete');
    assert.deepEqual(await deleted, { type: 'delete', key: 'brokers/1', value: null });
    assert.equal(await store.get('brokers/1'), null);
    assert.equal(await lease.keepAlive(), false);
    await assert.rejects(store.txn([], [{ put: { key: 'brokers/1', value: 'x', lease: lease.id } }]), (err: MqError) => err.code === 'LEASE_NOT_FOUND');
    assert.equal((await store.get('topics/t'))!.value, 'y');
  });

  test('revoking a lease deletes its keys at once; re-putting a key detaches it from its old lease', async (t) => {
    const { store } = await openStore(t);
    const a = await store.grantLease(60);
    const b = await store.grantLease(60);
    await store.txn([], [{ put: { key: 'x', value: '1', lease: a.id } }, { put: { key: 'y', value: '1', lease: a.id } }]);
    await store.txn([], [{ put: { key: 'y', value: '2', lease: b.id } }]);
    await a.revoke();
    assert.equal(await store.get('x'), null);
    assert.equal((await store.get('y'))!.value, '2');
    await b.revoke();
    assert.equal(await store.get('y'), null);
  });

  test('registry and election work the same way: a lapsed controller is replaced with a higher epoch', async (t) => {
    const { store } = await openStore(t);
    const r1 = new BrokerRegistry(store, info(1), { ttlSeconds: 1 });
    const r2 = new BrokerRegistry(store, info(2), { ttlSeconds: 1 });
    const e1 = new ControllerElection(store, r1, 1);
    const e2 = new ControllerElection(store, r2, 2);
    t.after(async () => { await e1.close(); await e2.close(); await r1.close(); await r2.close(); });
    await r1.register();
    const elected1 = new Promise<number>((resolve) => e1.once('elected', resolve));
    e1.start();
    const epoch1 = await elected1;
    await r2.register();
    const elected2 = new Promise<number>((resolve) => e2.once('elected', resolve));
    e2.start();
    assert.deepEqual((await BrokerRegistry.list(store)).map((b) => b.brokerId), [1, 2]);
    assert.equal((await ControllerElection.current(store))!.brokerId, 1);
    // Broker 1 stops keeping its lease alive, as a frozen process would.
    await r1.close({ deregister: false });
    const epoch2 = await elected2;
    assert.ok(epoch2 > epoch1);
    assert.deepEqual((await BrokerRegistry.list(store)).map((b) => b.brokerId), [2]);
    assert.equal((await ControllerElection.current(store))!.brokerId, 2);
  });
});
