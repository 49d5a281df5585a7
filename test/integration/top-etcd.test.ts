// `mq top --etcd`: the dashboard finds cluster brokers and their admin endpoints through their etcd
// registrations (no bootstrap broker needed), and an unreachable etcd is a clear error. `mq top -b`
// finds them through one broker: Metadata, then each broker's own admin.listeners (DescribeConfigs of
// the broker resource), so brokers on one host with different admin ports are all found.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAdmin } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RESOURCE_TYPE_BROKER } from '../../src/protocol/messages/describe-configs.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { run, startBrokerProcess, tempDir, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

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

test('mq top -b finds every broker of the cluster on its own admin port (brokers sharing a host)', async () => {
  const r = await run(['top', '-b', brokers[0].bootstrap, '--once', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const snap = JSON.parse(r.stdout) as { brokers: { id: number; alive: boolean; admin: string; address: string }[] };
  assert.deepEqual(
    snap.brokers.map((b) => [b.id, b.alive, b.admin, b.address]),
    brokers.map((b, i) => [i + 1, true, b.admin, b.bootstrap]),
  );
});

test('DescribeConfigs of a broker resource: the broker describes itself (admin.listeners, node.id), not others', async (t) => {
  const admin = createAdmin({ bootstrap: [brokers[0].bootstrap] });
  t.after(() => admin.close());
  for (const [i, b] of brokers.entries()) {
    const configs = await admin.describeBrokerConfig(i + 1);
    assert.equal(configs['admin.listeners'], b.admin);
    assert.equal(configs['node.id'], String(i + 1));
    assert.equal(configs['advertised.listeners'], b.bootstrap);
  }
  const ws = await WireSocket.connect(brokers[0].port);
  t.after(() => ws.close());
  const res = await ws.request(ApiKey.DescribeConfigs, 2, {
    resources: [{ resourceType: RESOURCE_TYPE_BROKER, resourceName: '2', configurationKeys: null }], includeSynonyms: false,
  });
  assert.equal(res.results[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.match(res.results[0].errorMessage, /this is broker 1/);
});
