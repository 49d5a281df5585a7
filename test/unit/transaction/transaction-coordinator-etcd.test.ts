// The coordinator in cluster mode: two coordinators, each with its own EtcdStore client of one real etcd
// (as two brokers have), racing on one transactional id, and one finishing what the other left.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EtcdStore } from '../../../src/cluster/etcd-store.js';
import type { MetadataStore } from '../../../src/cluster/metadata-store.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeTransactionRecord, transactionKey } from '../../../src/transaction/transaction-record.js';
import { deferred } from '../../../src/util/promise.js';
import { startEtcd, type EtcdProcess } from '../../helpers/etcd.js';
import { defer } from '../../helpers/in-process-broker.js';
import { harness } from './harness.js';

let etcd: EtcdProcess;
before(async () => { etcd = await startEtcd(); });
after(async () => { await etcd?.close(); });

/** Two clients of one mq cluster's keys in etcd, as two brokers hold. */
async function twoClients(t: TestContext): Promise<[EtcdStore, EtcdStore]> {
  const cluster = `txn-${randomUUID().slice(0, 8)}`;
  const a = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster });
  defer(t, () => a.close());
  const b = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster });
  defer(t, () => b.close());
  return [a, b];
}

/** `inner` whose get() waits until `both` gets are under way, so two writers read the same version. */
function readTogether(inner: MetadataStore, both: { reads: number; ready: ReturnType<typeof deferred<void>> }): MetadataStore {
  return {
    get: async (key) => {
      const kv = await inner.get(key);
      if (++both.reads === 2) both.ready.resolve();
      await both.ready.promise;
      return kv;
    },
    range: (prefix) => inner.range(prefix),
    put: (key, value) => inner.put(key, value),
    delete: (key) => inner.delete(key),
    txn: (compares, ops) => inner.txn(compares, ops),
    watch: (prefix, signal) => inner.watch(prefix, signal),
    close: async () => {},
  };
}

describe('transaction coordinator over etcd', () => {
  test('two coordinators on two etcd clients racing on one id: one wins, the other answers NOT_COORDINATOR', async (t) => {
    const [storeA, storeB] = await twoClients(t);
    const both = { reads: 0, ready: deferred<void>() };
    const a = await harness(t, { store: readTogether(storeA, both) });
    const b = await harness(t, { store: readTogether(storeB, both) });
    const [ra, rb] = await Promise.all([a.coordinator.initProducerId('tx', 1000), b.coordinator.initProducerId('tx', 1000)]);
    assert.deepEqual([ra.errorCode, rb.errorCode].sort((x, y) => x - y), [0, ErrorCode.NOT_COORDINATOR]);
    const winner = ra.errorCode === 0 ? ra : rb;
    const kv = (await storeB.get(transactionKey('tx')))!;
    assert.equal(decodeTransactionRecord(kv.key, kv.value).producerId, winner.producerId);
  });

  test('resume(): the coordinator on another broker finishes a Prepare* record the first one left', async (t) => {
    const [storeA, storeB] = await twoClients(t);
    const a = await harness(t, { store: storeA });
    a.markers.answer = () => ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const p = await a.coordinator.initProducerId('tx', 60_000);
    assert.equal(p.errorCode, 0);
    assert.equal(await a.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [{ topic: 'orders', partition: 2 }] }), 0);
    const ending = a.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: false });
    while (a.markers.calls.length === 0) await new Promise((r) => setImmediate(r));
    await a.coordinator.close();
    assert.equal(await ending, ErrorCode.NOT_COORDINATOR);

    const b = await harness(t, { store: storeB });
    assert.deepEqual(await b.coordinator.resume(), ['tx']);
    assert.deepEqual(b.markers.calls.map((c) => [c.commit, c.partitions]), [[false, [{ topic: 'orders', partition: 2 }]]]);
    const kv = (await storeA.get(transactionKey('tx')))!;
    assert.equal(decodeTransactionRecord(kv.key, kv.value).state, 'CompleteAbort');
  });
});
