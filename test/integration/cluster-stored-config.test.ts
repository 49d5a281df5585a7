// Issue 14 in cluster mode: a topic config stored in etcd that today's checks refuse (written by hand, or by
// an older version) is logged and the broker default serves instead; before, the broker threw on it and
// could neither serve the topic nor start.
import { test } from 'node:test';
import { createAdmin } from '../../src/client/index.js';
import { EtcdStore } from '../../src/cluster/etcd-store.js';
import { startCluster } from '../helpers/cluster.js';
import { fillerBatch } from '../helpers/filler-batch.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket, produceOnWire } from '../helpers/wire.js';

test('cluster mode: a stored topic config that fails validation is logged and the default serves; the broker still starts', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 1 });
  t.after(() => cluster.close());
  const topic = uniqueTopic('badcfg');
  const admin = createAdmin({ bootstrap: cluster.bootstrapList });
  try {
    await admin.createTopic({ topic, partitions: 1, replicationFactor: 1 });
  } finally {
    await admin.close();
  }
  // Written by hand (or by an older version): a value today's checks refuse.
  const store = await EtcdStore.connect({ endpoints: cluster.etcd.endpoint });
  try {
    const kv = (await store.get(`topics/${topic}`))!;
    const record = JSON.parse(kv.value) as { configs: Record<string, string> };
    record.configs['segment.bytes'] = '20';
    await store.put(`topics/${topic}`, JSON.stringify(record));
  } finally {
    await store.close();
  }
  await cluster.restart(1);
  await cluster.broker(1).waitForOutput(new RegExp(`stored topic config is invalid; using the broker default topic=${topic} key=segment.bytes value=20`), 'the bad value is named', 15_000);
  const ws = await WireSocket.connect(cluster.port(1));
  t.after(() => ws.close());
  const batch = fillerBatch({ records: 2, sizeBytes: 200, decodable: true });
  await eventually(async () => (await produceOnWire(ws, topic, batch)) === 0, { timeoutMs: 20_000, intervalMs: 200 });
});
