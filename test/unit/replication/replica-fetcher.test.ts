// A replica fetcher whose leader is unreachable (a port nobody listens on, or no registration at all)
// keeps retrying with growing backoff, never throws and closes promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partition } from '../../../src/replication/partition.js';
import { defaultBrokerConfig } from '../../../src/config/config.js';
import { Log } from '../../../src/storage/log.js';
import { ReplicaFetcher } from '../../../src/replication/replica-fetcher.js';
import { eventually } from '../../helpers/mq-process.js';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

for (const [what, endpoint] of [
  ['a port nobody listens on', async () => ({ host: '127.0.0.1', port: await closedPort() })],
  ['a broker that is not registered', async () => null],
] as const) {
  test(`a leader at ${what}: retries with growing backoff, never throws, closes promptly`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mq-fetcher-'));
    const log = await Log.open(join(dir, 'f-0'), { segmentBytes: 1 << 20, indexIntervalBytes: 4096 });
    t.after(async () => { await log.close(); await rm(dir, { recursive: true, force: true }); });
    const p = new Partition('f', 0, log, defaultBrokerConfig().topicDefaults);
    p.becomeFollower(0);
    const at = await endpoint();
    const retries: number[] = [];
    const note = (msg: string, fields?: Record<string, unknown>): void => {
      if (msg.startsWith('replica fetcher cannot reach')) retries.push(fields!.retryInMs as number);
    };
    const fetcher = new ReplicaFetcher(2, {
      localId: 1, replicaFetchWaitMaxMs: 100, replicaFetchMaxBytes: 1 << 20, endpoint: () => at,
      logger: { debug: note, info: () => {}, warn: note, error: () => {} },
    });
    fetcher.add('f/0', p, 0);
    await eventually(() => retries.length >= 4, { timeoutMs: 10_000 });
    // backoffMs(attempt, 200 ms initial): attempt 3 waits at least half of 1600 ms.
    assert.ok(retries[3] >= 800, `delays ${retries.join(', ')}`);
    await fetcher.close();
    assert.equal(log.logEndOffset, 0);
  });
}
