// Clean shutdown of an in-process broker while clients are connected, one of them parked in a long poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '../../src/broker/broker.js';
import { defaultBrokerConfig } from '../../src/config/config.js';
import { ApiKey } from '../../src/protocol/api.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';
import { defer } from '../helpers/in-process-broker.js';

test('close() answers a parked fetch, closes idle connections and returns promptly', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const broker = await startBroker({ ...defaultBrokerConfig(), dataDir: d.path, listen: { host: '127.0.0.1', port: 0 } }, { logger: silentLogger });
  const idle = await WireSocket.connect(broker.port);
  const polling = await WireSocket.connect(broker.port);
  defer(t, async () => { idle.close(); polling.close(); });
  await polling.request(ApiKey.CreateTopics, 4, { topics: [{ name: 'lp', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const fetch = polling.request(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'lp', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  }, 30_000);
  await new Promise((r) => setTimeout(r, 100)); // let the fetch park
  const started = Date.now();
  await broker.close();
  const elapsed = Date.now() - started;
  const res = await fetch;
  assert.equal(res.responses[0].partitions[0].errorCode, 0);
  assert.equal(res.responses[0].partitions[0].records.length, 0);
  assert.ok(elapsed < 3000, `close took ${elapsed} ms`);
  assert.equal(await idle.closedWithin(2000), true);
});
