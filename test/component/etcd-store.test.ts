// EtcdStore against a real etcd process: every MetadataStore operation, compare-and-swap conflicts,
// watch delivery and ordering, and surviving an etcd kill -9 and restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EtcdStore } from '../../src/cluster/etcd-store.js';
import type { WatchEvent } from '../../src/cluster/metadata-store.js';
import { MqError } from '../../src/util/mq-error.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';

/** Collects a watch's events into an array as they arrive. */
function collect(it: AsyncIterable<WatchEvent>): { events: WatchEvent[]; done: Promise<void> } {
  const events: WatchEvent[] = [];
  const done = (async () => { for await (const ev of it) events.push(ev); })();
  return { events, done };
}

describe('EtcdStore on a real etcd', () => {
  let etcd: EtcdProcess;
  const stores: EtcdStore[] = [];
  const open = async (cluster = uniqueTopic('c')): Promise<EtcdStore> => {
    const s = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster });
    stores.push(s);
    return s;
  };

  before(async () => { etcd = await startEtcd(); });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await etcd?.close();
  });

  test('get, put, delete and range (sorted, prefix-exact)', async () => {
    const s = await open();
    assert.equal(await s.get('topics/a'), null);
    for (const k of ['topics/b', 'topics/a', 'topics/c/x', 'topicsX', 'other']) await s.put(k, `v-${k}`);
    const a = await s.get('topics/a');
    assert.equal(a?.value, 'v-topics/a');
    assert.ok(a!.version > 0);
    assert.deepEqual((await s.range('topics/')).map((kv) => kv.key), ['topics/a', 'topics/b', 'topics/c/x']);
    assert.deepEqual((await s.range('')).map((kv) => kv.key), ['other', 'topics/a', 'topics/b', 'topics/c/x', 'topicsX']);
    await s.delete('topics/b');
    await s.delete('topics/never-there');
    assert.equal(await s.get('topics/b'), null);
    assert.deepEqual((await s.range('topics/')).map((kv) => kv.key), ['topics/a', 'topics/c/x']);
  });

  test('clusters sharing one etcd do not see each other', async () => {
    const one = await open();
    const two = await open();
    await one.put('brokers/1', 'one');
    assert.equal(await two.get('brokers/1'), null);
    assert.deepEqual(await two.range(''), []);
  });

  test('range pages through more keys than one etcd response holds, in order', async () => {
    const s = await open();
    const n = 2500;
    for (let i = 0; i < n; i += 100) {
      const ops = Array.from({ length: Math.min(100, n - i) }, (_, j) => ({ put: { key: `offsets/${String(i + j).padStart(5, '0')}`, value: String(i + j) } }));
      assert.equal(await s.txn([], ops), true);
    }
    const kvs = await s.range('offsets/');
    assert.equal(kvs.length, n);
    kvs.forEach((kv, i) => assert.equal(kv.value, String(i)));
  });

  test('versions grow on every write and are not reused after delete and re-create', async () => {
    const s = await open();
    await s.put('k', '1');
    const v1 = (await s.get('k'))!.version;
    await s.put('k', '2');
    const v2 = (await s.get('k'))!.version;
    assert.ok(v2 > v1);
    await s.delete('k');
    await s.put('k', '3');
    const v3 = (await s.get('k'))!.version;
    assert.ok(v3 > v2);
    // A compare-and-swap against the version read before the delete must fail.
    assert.equal(await s.txn([{ key: 'k', version: v2 }], [{ put: { key: 'k', value: 'stale' } }]), false);
    assert.equal((await s.get('k'))!.value, '3');
  });

  test('txn: create-if-absent, compare-and-swap conflicts, all-or-nothing', async () => {
    const s = await open();
    assert.equal(await s.txn([{ key: 'topics/t', version: 0 }], [{ put: { key: 'topics/t', value: 'first' } }]), true);
    assert.equal(await s.txn([{ key: 'topics/t', version: 0 }], [{ put: { key: 'topics/t', value: 'second' } }]), false);
    const cur = (await s.get('topics/t'))!;
    assert.equal(cur.value, 'first');
    // One failing compare among several: nothing is applied.
    assert.equal(await s.txn(
      [{ key: 'topics/t', version: cur.version }, { key: 'partitions/t/0', version: 12345 }],
      [{ put: { key: 'topics/t', value: 'changed' } }, { put: { key: 'partitions/t/0', value: 'x' } }],
    ), false);
    assert.equal((await s.get('topics/t'))!.value, 'first');
    assert.equal(await s.get('partitions/t/0'), null);
    // All compares hold: every op is applied, puts and deletes together.
    assert.equal(await s.txn(
      [{ key: 'topics/t', version: cur.version }, { key: 'partitions/t/0', version: 0 }],
      [{ put: { key: 'partitions/t/0', value: 'p0' } }, { delete: 'topics/t' }],
    ), true);
    assert.equal(await s.get('topics/t'), null);
    assert.equal((await s.get('partitions/t/0'))!.value, 'p0');
  });

  test('txn refuses to touch one key twice (etcd cannot, so neither store does)', async () => {
    const s = await open();
    await assert.rejects(s.txn([], [{ put: { key: 'a', value: '1' } }, { delete: 'a' }]), (err: MqError) => err.code === 'INVALID_REQUEST');
    assert.equal(await s.get('a'), null);
  });

  test('concurrent compare-and-swap increments from two clients lose no update', async () => {
    const cluster = uniqueTopic('c');
    const [a, b] = [await open(cluster), await open(cluster)];
    let conflicts = 0;
    const increment = async (s: EtcdStore): Promise<void> => {
      for (;;) {
        const cur = await s.get('counter');
        const next = String(Number(cur?.value ?? '0') + 1);
        if (await s.txn([{ key: 'counter', version: cur?.version ?? 0 }], [{ put: { key: 'counter', value: next } }])) return;
        conflicts++;
      }
    };
    const perClient = 40;
    await Promise.all([a, b].map(async (s) => {
      const inFlight = Array.from({ length: 4 }, async () => { for (let i = 0; i < perClient / 4; i++) await increment(s); });
      await Promise.all(inFlight);
    }));
    assert.equal((await a.get('counter'))!.value, String(2 * perClient));
    assert.ok(conflicts > 0, 'eight concurrent writers should have collided at least once');
  });

  test('watch delivers puts and deletes under the prefix, in commit order, with versions', async (t) => {
    const cluster = uniqueTopic('c');
    const [writer, watcher] = [await open(cluster), await open(cluster)];
    const ac = new AbortController();
    t.after(() => ac.abort());
    const w = collect(watcher.watch('partitions/', ac.signal));
    // Written right after watch() returns: must not be missed although the watch is set up asynchronously.
    await writer.put('partitions/t/0', 'a');
    await writer.put('topics/t', 'not under the prefix');
    await writer.put('partitions/t/1', 'b');
    // One transaction's changes arrive together, in the order of its ops.
    await writer.txn([], [{ put: { key: 'partitions/t/3', value: 'c' } }, { put: { key: 'partitions/t/0', value: 'd' } }, { delete: 'partitions/t/1' }]);
    await writer.delete('partitions/t/0');
    const expected = [
      ['put', 'partitions/t/0', 'a'], ['put', 'partitions/t/1', 'b'], ['put', 'partitions/t/3', 'c'], ['put', 'partitions/t/0', 'd'],
      ['delete', 'partitions/t/1', null], ['delete', 'partitions/t/0', null],
    ];
    await eventually(() => w.events.length >= expected.length, { timeoutMs: 10000 });
    assert.deepEqual(w.events.map((e) => [e.type, e.key, e.value]), expected);
    const puts = w.events.filter((e) => e.type === 'put');
    // Versions never go down in delivery order; the two puts of one transaction share one.
    assert.ok(puts.every((e, i) => i === 0 || e.version! >= puts[i - 1].version!), 'versions grow in delivery order');
    assert.equal(puts[2].version, puts[3].version);
    assert.ok(puts[1].version! > puts[0].version!);
    // The version in an event is what a compare-and-swap needs.
    await writer.put('partitions/t/2', 'd');
    await eventually(() => w.events.length === expected.length + 1, { timeoutMs: 10000 });
    assert.equal(w.events.at(-1)!.version, (await writer.get('partitions/t/2'))!.version);
    ac.abort();
    await w.done;
  });

  test('a watch started after a read sees every change made after that read', async (t) => {
    const cluster = uniqueTopic('c');
    const [writer, reader] = [await open(cluster), await open(cluster)];
    await writer.put('controller', 'old');
    assert.equal((await reader.get('controller'))!.value, 'old');
    await writer.delete('controller'); // between the read and the watch
    const ac = new AbortController();
    t.after(() => ac.abort());
    const w = collect(reader.watch('controller', ac.signal));
    await eventually(() => w.events.length === 1, { timeoutMs: 10000 });
    assert.deepEqual(w.events, [{ type: 'delete', key: 'controller', value: null }]);
    ac.abort();
    await w.done;
  });

  test('aborting ends the watch; close() ends every watch', async () => {
    const s = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster: uniqueTopic('c') });
    const ac = new AbortController();
    const first = collect(s.watch('a/', ac.signal));
    const second = collect(s.watch('b/', new AbortController().signal));
    ac.abort();
    await first.done;
    await s.close();
    await second.done;
    await assert.rejects(s.get('a/x'), (err: MqError) => err.code === 'STORE_CLOSED');
  });

  test('connect fails clearly when nothing listens', async () => {
    await assert.rejects(
      EtcdStore.connect({ endpoints: 'http://127.0.0.1:1', retryForMs: 200, requestTimeoutMs: 1000 }),
      (err: MqError) => err.code === 'STORE_UNAVAILABLE' && err.retriable && /127\.0\.0\.1:1/.test(err.message),
    );
  });
});

describe('EtcdStore across an etcd kill -9 and restart', () => {
  let etcd: EtcdProcess;
  before(async () => { etcd = await startEtcd(); });
  after(async () => { await etcd?.close(); });

  test('calls fail retriably while etcd is down, then work again; the watch resumes without gaps', async (t) => {
    const cluster = uniqueTopic('c');
    const s = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster, retryForMs: 300, requestTimeoutMs: 2000 });
    t.after(() => s.close());
    const ac = new AbortController();
    t.after(() => ac.abort());
    const w = collect(s.watch('topics/', ac.signal));
    await s.put('topics/before', '1');
    await eventually(() => w.events.length === 1, { timeoutMs: 10000 });

    await etcd.kill9();
    await assert.rejects(s.get('topics/before'), (err: MqError) => err.code === 'STORE_UNAVAILABLE' && err.retriable);
    await etcd.restart();

    // The data survived, and the client reconnects by itself.
    const kv = await eventually(() => s.get('topics/before'), { timeoutMs: 15000 });
    assert.equal(kv!.value, '1');
    const other = await EtcdStore.connect({ endpoints: etcd.endpoint, cluster });
    t.after(() => other.close());
    await other.put('topics/after', '2');
    await other.delete('topics/before');
    await eventually(() => w.events.length === 3, { timeoutMs: 15000 });
    assert.deepEqual(w.events.map((e) => [e.type, e.key]), [['put', 'topics/before'], ['put', 'topics/after'], ['delete', 'topics/before']]);
  });
});
