// `mq top --etcd`: the dashboard finds cluster brokers and their admin endpoints through their etcd
// registrations (no bootstrap broker needed), and an unreachable etcd is a clear error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { run, startBrokerProcess, tempDir, type BrokerProcess } from '../helpers/mq-process.js';

let etcd: EtcdProcess;
let dir: { path: string; remove(): Promise<void> };
const brokers: BrokerProcess[] = [];

before(async () => {
  etcd = await startEtcd();
  dir = await tempDir('mq-top-etcd-');
  for (const id of [1, 2]) brokers.push(await startBrokerProcess(`${dir.path}/b${id}`, { args: ['--id', String(id), '--etcd', etcd.endpoint] }));
});

after(async () => {
  await Promise.all(brokers.map((b) => b.stop()));
  await etcd?.close();
  await dir?.remove();
});

test('mq top --etcd polls every registered broker on the admin port it registered', async () => {
  const r = await run(['top', '--etcd', etcd.endpoint, '--once', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const snap = JSON.parse(r.stdout) as { brokers: { id: number; alive: boolean; admin: string; address: string }[] };
  assert.deepEqual(
    snap.brokers.map((b) => [b.id, b.alive, b.admin, b.address]),
    brokers.map((b, i) => [i + 1, true, b.admin, b.bootstrap]),
  );
});

test('mq top --etcd with etcd unreachable says so and exits 1', async () => {
  const r = await run(['top', '--etcd', 'http://127.0.0.1:1', '--once'], { timeoutMs: 30_000 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /etcd/i);
});
