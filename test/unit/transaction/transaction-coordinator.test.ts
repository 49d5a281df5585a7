// The transaction coordinator over a real LocalStore in a temp dir, with recording stand-ins for the
// MarkerWriter and OffsetCommitter the broker wiring will provide: Kafka's state machine and codes,
// fencing, the timeout sweep, CONCURRENT_TRANSACTIONS while a transaction completes, resume() after a
// coordinator "crash", compare-and-swap between two coordinators, marker retries, epoch exhaustion,
// and malformed stored values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalStore } from '../../../src/cluster/local-store.js';
import { PRODUCER_IDS_KEY, ProducerIdAllocator } from '../../../src/cluster/producer-ids.js';
import type { MetadataStore } from '../../../src/cluster/metadata-store.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { MAX_EPOCH } from '../../../src/transaction/transaction-coordinator.js';
import { decodeTransactionRecord, encodeTransactionRecord, transactionKey, type TransactionRecord } from '../../../src/transaction/transaction-record.js';
import { deferred } from '../../../src/util/promise.js';
import { defer } from '../../helpers/in-process-broker.js';
import { eventually } from '../../helpers/mq-process.js';
import { harness, type Harness } from './harness.js';

const orders0 = { topic: 'orders', partition: 0 };
const orders1 = { topic: 'orders', partition: 1 };

async function stored(h: Harness, id: string): Promise<TransactionRecord> {
  const kv = await h.store.get(transactionKey(id));
  assert.ok(kv, `a record for ${id}`);
  return decodeTransactionRecord(kv.key, kv.value);
}

/** InitProducerId that must succeed. */
async function init(h: Harness, id: string, timeoutMs = 60_000): Promise<{ producerId: bigint; producerEpoch: number }> {
  const r = await h.coordinator.initProducerId(id, timeoutMs);
  assert.equal(r.errorCode, 0, `InitProducerId ${id}`);
  return r;
}

/** InitProducerId retried while it answers CONCURRENT_TRANSACTIONS (what clients do). */
async function initRetrying(h: Harness, id: string): Promise<{ errorCode: number; producerId: bigint; producerEpoch: number }> {
  for (;;) {
    const r = await h.coordinator.initProducerId(id, 60_000);
    if (r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) return r;
    await h.coordinator.settled();
  }
}

describe('InitProducerId', () => {
  test('a new id gets a fresh producer id at epoch 0; each later call the next epoch of the same id', async (t) => {
    const h = await harness(t);
    const first = await init(h, 'tx-a');
    assert.deepEqual(first, { errorCode: 0, producerId: h.allocated[0], producerEpoch: 0 });
    assert.deepEqual(await init(h, 'tx-a'), { errorCode: 0, producerId: h.allocated[0], producerEpoch: 1 });
    assert.equal(h.allocated.length, 1);
    const raw = JSON.parse((await h.store.get('transactions/tx-a'))!.value);
    assert.deepEqual(raw, {
      version: 1, producerId: String(h.allocated[0]), producerEpoch: 1, timeoutMs: 60_000, state: 'Empty',
      partitions: [], groups: [], startedAtMs: -1, updatedAtMs: h.clock.ms,
    });
  });

  test('a timeout of 0 or above transaction.max.timeout.ms is INVALID_TRANSACTION_TIMEOUT, and nothing is stored', async (t) => {
    const h = await harness(t, { maxTimeoutMs: 30_000 });
    assert.equal((await h.coordinator.initProducerId('tx', 30_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await h.coordinator.initProducerId('tx', 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    assert.equal(await h.store.get(transactionKey('tx')), null);
    assert.equal((await h.coordinator.initProducerId('tx', 30_000)).errorCode, 0);
    const dflt = await harness(t);
    assert.equal((await dflt.coordinator.initProducerId('tx', 900_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT, 'Kafka default 900000');
  });

  test('an exhausted epoch gets a new producer id at epoch 0', async (t) => {
    const h = await harness(t);
    for (const [epoch, expectNew] of [[MAX_EPOCH - 2, false], [MAX_EPOCH - 1, true], [MAX_EPOCH, true]] as const) {
      const id = `tx-${epoch}`;
      const record: TransactionRecord = { producerId: 77n, producerEpoch: epoch, timeoutMs: 1000, state: 'CompleteCommit', partitions: [], groups: [], startedAtMs: 5, updatedAtMs: 5 };
      await h.store.put(transactionKey(id), encodeTransactionRecord(record));
      const r = await init(h, id);
      if (expectNew) assert.deepEqual([r.producerId === 77n, r.producerEpoch], [false, 0], `epoch ${epoch}`);
      else assert.deepEqual([r.producerId, r.producerEpoch], [77n, MAX_EPOCH - 1], `epoch ${epoch}`);
    }
  });

  test('on an Ongoing transaction: aborted first with a bumped epoch (CONCURRENT_TRANSACTIONS meanwhile), then the next epoch', async (t) => {
    const h = await harness(t);
    const p = await init(h, 'tx');
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [orders0] }), 0);
    assert.equal((await h.coordinator.initProducerId('tx', 60_000)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    const again = await initRetrying(h, 'tx');
    assert.deepEqual(again, { errorCode: 0, producerId: p.producerId, producerEpoch: 2 });
    assert.deepEqual(h.markers.calls, [{ producerId: p.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 0, partitions: [orders0] }]);
    assert.equal((await stored(h, 'tx')).state, 'Empty');
    // The first producer is fenced.
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: true }), ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  test('with the broker\'s ProducerIdAllocator: producer ids from blocks claimed in the same store, distinct across coordinators', async (t) => {
    const h = await harness(t);
    const blocks = [new ProducerIdAllocator(h.store, 10n), new ProducerIdAllocator(h.store, 10n)];
    const [a, b] = blocks.map((block) => h.another({ allocateProducerId: () => block.allocate() }));
    const got = [await init(a, 'a-1'), await init(b, 'b-1'), await init(a, 'a-2'), await init(b, 'b-2')].map((r) => r.producerId);
    assert.deepEqual(got, [0n, 10n, 1n, 11n]);
    assert.equal(JSON.parse((await h.store.get(PRODUCER_IDS_KEY))!.value).next, '20');
  });

  test('NOT_COORDINATOR for an id this coordinator does not own', async (t) => {
    const h = await harness(t, { owns: (id) => id.startsWith('mine-') });
    assert.equal((await h.coordinator.initProducerId('theirs-1', 1000)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'theirs-1', producerId: 1n, producerEpoch: 0, commit: true }), ErrorCode.NOT_COORDINATOR);
    assert.equal((await h.coordinator.initProducerId('mine-1', 1000)).errorCode, 0);
  });
});

describe('AddPartitionsToTxn, AddOffsetsToTxn, EndTxn', () => {
  test('a committed transaction: Prepare*, markers to every partition, the groups\' offsets, then CompleteCommit', async (t) => {
    const h = await harness(t);
    const p = await init(h, 'tx');
    const call = { transactionalId: 'tx', ...p };
    h.clock.ms += 10;
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders0, orders1, orders0] }), 0);
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders1] }), 0, 'already in: no change');
    assert.equal(await h.coordinator.addOffsets({ ...call, groupId: 'billing' }), 0);
    const ongoing = await stored(h, 'tx');
    assert.deepEqual([ongoing.state, ongoing.partitions, ongoing.groups, ongoing.startedAtMs], ['Ongoing', [orders0, orders1], ['billing'], h.clock.ms]);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: true }), 0);
    assert.deepEqual(h.markers.calls, [{ producerId: p.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0, partitions: [orders0, orders1] }]);
    assert.deepEqual(h.offsets.calls, [{ transactionalId: 'tx', producerId: p.producerId, groups: ['billing'], commit: true }]);
    const done = await stored(h, 'tx');
    assert.deepEqual([done.state, done.partitions, done.groups], ['CompleteCommit', [], []]);
    // A retried EndTxn with the same outcome is answered 0; the other outcome is INVALID_TXN_STATE.
    assert.equal(await h.coordinator.endTxn({ ...call, commit: true }), 0);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: false }), ErrorCode.INVALID_TXN_STATE);
    assert.equal(h.markers.calls.length, 1, 'no markers for a retry');
    // The next transaction starts from CompleteCommit with only its own partitions.
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders1] }), 0);
    assert.deepEqual((await stored(h, 'tx')).partitions, [orders1]);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: false }), 0);
    assert.deepEqual(h.markers.calls[1], { producerId: p.producerId, producerEpoch: 0, commit: false, coordinatorEpoch: 0, partitions: [orders1] });
    assert.equal(h.offsets.calls.length, 1, 'no groups in the second transaction');
    assert.equal((await stored(h, 'tx')).state, 'CompleteAbort');
  });

  test('EndTxn with no transaction under way is INVALID_TXN_STATE', async (t) => {
    const h = await harness(t);
    const p = await init(h, 'tx');
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: true }), ErrorCode.INVALID_TXN_STATE);
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: false }), ErrorCode.INVALID_TXN_STATE);
  });

  test('fencing: an unknown id or another producer id is INVALID_PRODUCER_ID_MAPPING; an older epoch INVALID_PRODUCER_EPOCH, PRODUCER_FENCED from v2', async (t) => {
    const h = await harness(t);
    const old = await init(h, 'tx');
    const current = await init(h, 'tx');
    const partitions = [orders0];
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'nobody', ...current, partitions }), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', producerId: current.producerId + 1n, producerEpoch: current.producerEpoch, partitions }), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    for (const [apiVersion, code] of [[0, 47], [1, 47], [2, 90], [3, 90]]) {
      assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...old, partitions, apiVersion }), code, `AddPartitionsToTxn v${apiVersion}`);
      assert.equal(await h.coordinator.addOffsets({ transactionalId: 'tx', ...old, groupId: 'g', apiVersion }), code, `AddOffsetsToTxn v${apiVersion}`);
      assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...old, commit: true, apiVersion }), code, `EndTxn v${apiVersion}`);
    }
    assert.equal((await stored(h, 'tx')).state, 'Empty', 'nothing the fenced producer sent changed the record');
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...current, partitions }), 0);
  });

  test('while Prepare*: CONCURRENT_TRANSACTIONS for AddPartitions, AddOffsets, InitProducerId and the same EndTxn; INVALID_TXN_STATE for the other', async (t) => {
    const h = await harness(t);
    const p = await init(h, 'tx');
    const call = { transactionalId: 'tx', ...p };
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders0] }), 0);
    const release = deferred<void>();
    h.markers.gate = release.promise;
    const ending = h.coordinator.endTxn({ ...call, commit: true });
    while (h.markers.calls.length === 0) await new Promise((r) => setImmediate(r));
    assert.equal((await stored(h, 'tx')).state, 'PrepareCommit', 'the decision is stored before any marker');
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders1] }), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(await h.coordinator.addOffsets({ ...call, groupId: 'g' }), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal((await h.coordinator.initProducerId('tx', 1000)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: true }), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: false }), ErrorCode.INVALID_TXN_STATE);
    const [described] = await h.coordinator.describe(['tx']);
    assert.equal(described.transactionState, 'PrepareCommit');
    release.resolve();
    assert.equal(await ending, 0);
    assert.equal((await stored(h, 'tx')).state, 'CompleteCommit');
    assert.equal(h.markers.calls.length, 1, 'one completion, however many callers');
  });
});

describe('markers and group offsets', () => {
  test('failed partitions are retried with backoff until each answers 0; a gone partition is dropped', async (t) => {
    const h = await harness(t);
    const gone = { topic: 'deleted', partition: 0 };
    // orders-0 is fine; orders-1 has no leader for two rounds; the writer throws once; "deleted" does not exist.
    h.markers.answer = (tp, call) => {
      if (tp.topic === 'deleted') return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (call === 1) return 'throw';
      if (tp.partition === 1 && call < 3) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return 0;
    };
    h.offsets.failures = 2;
    const p = await init(h, 'tx');
    const call = { transactionalId: 'tx', ...p };
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders0, orders1, gone] }), 0);
    assert.equal(await h.coordinator.addOffsets({ ...call, groupId: 'billing' }), 0);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: true }), 0);
    assert.deepEqual(h.markers.calls.map((c) => c.partitions), [[orders0, orders1, gone], [orders1], [orders1], [orders1]]);
    assert.equal(h.offsets.calls.length, 3, 'the committer is retried too');
    assert.equal((await stored(h, 'tx')).state, 'CompleteCommit');
  });

  test('a writer answering TRANSACTION_COORDINATOR_FENCED stops this coordinator: EndTxn NOT_COORDINATOR, the record left Prepare*', async (t) => {
    const h = await harness(t);
    h.markers.answer = () => ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    const p = await init(h, 'tx');
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [orders0] }), 0);
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: false }), ErrorCode.NOT_COORDINATOR);
    assert.equal((await stored(h, 'tx')).state, 'PrepareAbort');
    assert.equal(h.offsets.calls.length, 0);
  });
});

describe('timeouts', () => {
  test('the sweep aborts an Ongoing transaction older than its timeout, bumping the epoch so its producer is fenced', async (t) => {
    const h = await harness(t);
    const p = await init(h, 'tx', 5000);
    const call = { transactionalId: 'tx', ...p };
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders0] }), 0);
    h.clock.ms += 5000;
    assert.deepEqual(await h.coordinator.sweep(), [], 'not past its timeout yet');
    h.clock.ms += 1;
    assert.deepEqual(await h.coordinator.sweep(), ['tx']);
    await h.coordinator.settled();
    const r = await stored(h, 'tx');
    assert.deepEqual([r.state, r.producerId, r.producerEpoch], ['CompleteAbort', p.producerId, 1]);
    assert.deepEqual(h.markers.calls, [{ producerId: p.producerId, producerEpoch: 1, commit: false, coordinatorEpoch: 0, partitions: [orders0] }]);
    assert.equal(await h.coordinator.endTxn({ ...call, commit: true, apiVersion: 3 }), ErrorCode.PRODUCER_FENCED);
    assert.equal(await h.coordinator.addPartitions({ ...call, partitions: [orders0] }), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.deepEqual(await h.coordinator.sweep(), [], 'nothing left to abort');
  });

  test('the sweep runs on its own every sweepIntervalMs', async (t) => {
    const h = await harness(t, { sweepIntervalMs: 5 });
    const p = await init(h, 'tx', 1000);
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [orders0] }), 0);
    h.clock.ms += 1001;
    await eventually(async () => (await stored(h, 'tx')).state === 'CompleteAbort');
    assert.equal(h.markers.calls.length, 1);
  });

  test('the sweep deletes an id unused for transactional.id.expiration.ms; it then starts afresh', async (t) => {
    const h = await harness(t, { transactionalIdExpirationMs: 60_000 });
    const p = await init(h, 'tx');
    h.clock.ms += 60_001;
    await h.coordinator.sweep();
    assert.equal(await h.store.get(transactionKey('tx')), null);
    const again = await init(h, 'tx');
    assert.notEqual(again.producerId, p.producerId);
    assert.equal(again.producerEpoch, 0);
  });

  test('close() stops the retries: the pending EndTxn answers NOT_COORDINATOR and the record stays for the next owner', async (t) => {
    const h = await harness(t);
    h.markers.answer = () => ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const p = await init(h, 'tx');
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [orders0] }), 0);
    const ending = h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: true });
    while (h.markers.calls.length < 2) await new Promise((r) => setImmediate(r));
    await h.coordinator.close();
    assert.equal(await ending, ErrorCode.NOT_COORDINATOR);
    assert.equal((await stored(h, 'tx')).state, 'PrepareCommit');
    // A closed coordinator answers nothing for its old ids.
    assert.equal((await h.coordinator.initProducerId('tx', 1000)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(await h.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: true }), ErrorCode.NOT_COORDINATOR);
  });
});

describe('failover and concurrency', () => {
  test('resume(): a coordinator over the reopened store finishes the Prepare* record the first one left', async (t) => {
    const first = await harness(t);
    first.markers.answer = () => ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const p = await init(first, 'tx');
    const call = { transactionalId: 'tx', ...p };
    assert.equal(await first.coordinator.addPartitions({ ...call, partitions: [orders0, orders1] }), 0);
    assert.equal(await first.coordinator.addOffsets({ ...call, groupId: 'billing' }), 0);
    const ending = first.coordinator.endTxn({ ...call, commit: true });
    while (first.markers.calls.length === 0) await new Promise((r) => setImmediate(r));
    await first.coordinator.close(); // the "crash": its broker is gone
    assert.equal(await ending, ErrorCode.NOT_COORDINATOR);
    await first.store.close();

    const reopened = await LocalStore.open(first.dir);
    defer(t, () => reopened.close());
    const second = await harness(t, { dir: first.dir, store: reopened });
    assert.deepEqual(await second.coordinator.resume(), ['tx']);
    assert.deepEqual(second.markers.calls, [{ producerId: p.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0, partitions: [orders0, orders1] }]);
    assert.deepEqual(second.offsets.calls, [{ transactionalId: 'tx', producerId: p.producerId, groups: ['billing'], commit: true }]);
    assert.equal((await stored(second, 'tx')).state, 'CompleteCommit');
    // The client's retried EndTxn, now at the new coordinator, is answered 0.
    assert.equal(await second.coordinator.endTxn({ ...call, commit: true }), 0);
    assert.deepEqual(await second.coordinator.resume(), [], 'nothing left to resume');
  });

  test('resume() leaves the ids another coordinator owns', async (t) => {
    const h = await harness(t);
    for (const id of ['a-1', 'b-1']) {
      await h.store.put(transactionKey(id), encodeTransactionRecord({ producerId: 5n, producerEpoch: 0, timeoutMs: 1000, state: 'PrepareAbort', partitions: [orders0], groups: [], startedAtMs: 1, updatedAtMs: 1 }));
    }
    const onlyA = h.another({ owns: (id) => id.startsWith('a-') });
    assert.deepEqual(await onlyA.coordinator.resume(), ['a-1']);
    assert.equal((await stored(h, 'a-1')).state, 'CompleteAbort');
    assert.equal((await stored(h, 'b-1')).state, 'PrepareAbort');
  });

  test('two coordinators racing on one id: the compare-and-swap lets only one win, the other answers NOT_COORDINATOR', async (t) => {
    // Both read before either writes: each get() waits until two reads are under way.
    const dirHarness = await harness(t);
    let reads = 0;
    const bothRead = deferred<void>();
    const inner = dirHarness.store;
    const racing: MetadataStore = {
      get: async (key) => {
        const kv = await inner.get(key);
        if (++reads === 2) bothRead.resolve();
        await bothRead.promise;
        return kv;
      },
      range: (prefix) => inner.range(prefix),
      put: (key, value) => inner.put(key, value),
      delete: (key) => inner.delete(key),
      txn: (compares, ops) => inner.txn(compares, ops),
      watch: (prefix, signal) => inner.watch(prefix, signal),
      close: async () => {},
    };
    const a = await harness(t, { store: racing });
    const b = a.another();
    const [ra, rb] = await Promise.all([a.coordinator.initProducerId('tx', 1000), b.coordinator.initProducerId('tx', 1000)]);
    assert.deepEqual([ra.errorCode, rb.errorCode].sort((x, y) => x - y), [0, ErrorCode.NOT_COORDINATOR]);
    const winner = ra.errorCode === 0 ? ra : rb;
    const r = await stored(dirHarness, 'tx');
    assert.deepEqual([r.producerId, r.producerEpoch], [winner.producerId, 0]);
  });

  test('coordinators keep no state of their own: one sees what another stored (a fenced producer stays fenced)', async (t) => {
    const a = await harness(t);
    const b = a.another();
    const p = await init(a, 'tx');
    assert.equal(await a.coordinator.addPartitions({ transactionalId: 'tx', ...p, partitions: [orders0] }), 0);
    // b takes over and fences the producer (its InitProducerId aborts the transaction).
    assert.equal((await b.coordinator.initProducerId('tx', 1000)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    await b.coordinator.settled();
    assert.equal(await a.coordinator.endTxn({ transactionalId: 'tx', ...p, commit: true }), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal((await stored(a, 'tx')).state, 'CompleteAbort');
    assert.equal(a.markers.calls.length, 0);
  });
});

describe('malformed stored values', () => {
  test('are errors naming the key and what is wrong', async (t) => {
    const h = await harness(t);
    const cases: [string, string, RegExp][] = [
      ['not-json', '{oops', /transactions\/not-json does not hold a transaction record: not JSON/],
      ['array', '[]', /transactions\/array .*not a JSON object/],
      ['future', JSON.stringify({ version: 2 }), /transactions\/future .*version 2 \(this mq reads version 1\)/],
      ['state', encodeTransactionRecord({ producerId: 1n, producerEpoch: 0, timeoutMs: 1, state: 'Empty', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: 0 }).replace('"Empty"', '"Paused"'), /transactions\/state .*state is "Paused"/],
      ['epoch', encodeTransactionRecord({ producerId: 1n, producerEpoch: 0, timeoutMs: 1, state: 'Empty', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: 0 }).replace('"producerEpoch":0', '"producerEpoch":40000'), /transactions\/epoch .*producerEpoch is 40000/],
      ['a%2Fb', encodeTransactionRecord({ producerId: 1n, producerEpoch: 0, timeoutMs: 1, state: 'Ongoing', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: 0 }).replace('"partitions":[]', '"partitions":[{"topic":"t"}]'), /transactions\/a%2Fb .*partitions holds \{"topic":"t"\}/],
    ];
    for (const [key, value, message] of cases) {
      await h.store.put(`transactions/${key}`, value);
      await assert.rejects(h.coordinator.initProducerId(decodeURIComponent(key), 1000), message, key);
    }
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'fine', producerId: 1n, producerEpoch: 0, partitions: [orders0] }), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    // Listing and sweeping skip them, logging each by key.
    await init(h, 'fine');
    assert.deepEqual((await h.coordinator.list()).transactionStates.map((s) => s.transactionalId), ['fine']);
    assert.deepEqual(await h.coordinator.sweep(), []);
    assert.ok(h.logger.lines.some((l) => l.startsWith('error ') && l.includes('transactions/not-json')), h.logger.lines.join('\n'));
  });
});

describe('ListTransactions and DescribeTransactions', () => {
  test('list filters by state and producer id and reports unknown states; describe answers per id', async (t) => {
    const h = await harness(t, { owns: (id) => !id.startsWith('elsewhere') });
    const a = await init(h, 'a');
    const b = await init(h, 'b');
    await h.store.put(transactionKey('elsewhere'), encodeTransactionRecord({ producerId: 9n, producerEpoch: 0, timeoutMs: 1, state: 'Empty', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: 0 }));
    h.clock.ms += 7;
    assert.equal(await h.coordinator.addPartitions({ transactionalId: 'a', ...a, partitions: [orders0, { topic: 'audit', partition: 3 }, orders1] }), 0);
    assert.deepEqual(await h.coordinator.list(), {
      unknownStateFilters: [],
      transactionStates: [{ transactionalId: 'a', producerId: a.producerId, transactionState: 'Ongoing' }, { transactionalId: 'b', producerId: b.producerId, transactionState: 'Empty' }],
    });
    assert.deepEqual(await h.coordinator.list({ states: ['Empty', 'Bogus'] }), {
      unknownStateFilters: ['Bogus'], transactionStates: [{ transactionalId: 'b', producerId: b.producerId, transactionState: 'Empty' }],
    });
    assert.deepEqual((await h.coordinator.list({ producerIds: [a.producerId] })).transactionStates.map((s) => s.transactionalId), ['a']);
    const described = await h.coordinator.describe(['a', 'nope', 'elsewhere']);
    assert.deepEqual(described[0], {
      errorCode: 0, transactionalId: 'a', transactionState: 'Ongoing', transactionTimeoutMs: 60_000, transactionStartTimeMs: BigInt(h.clock.ms),
      producerId: a.producerId, producerEpoch: 0, topicPartitions: [{ name: 'orders', partitionIndexes: [0, 1] }, { name: 'audit', partitionIndexes: [3] }],
    });
    assert.deepEqual(described.slice(1).map((d) => [d.transactionalId, d.errorCode]), [['nope', ErrorCode.TRANSACTIONAL_ID_NOT_FOUND], ['elsewhere', ErrorCode.NOT_COORDINATOR]]);
  });
});
