// The group consumer (src/client/group-consumer.ts) against an in-process broker: max.poll.records,
// max.poll.interval.ms, commits (explicit and auto), callbacks, the rejoin after ILLEGAL_GENERATION, and
// errors a caller meets.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startBroker } from '../../src/broker/broker.js';
import { createAdmin, createGroupConsumer, createProducer } from '../../src/client/index.js';
import type { GroupConsumer, GroupConsumerOptions, TopicPartition } from '../../src/client/index.js';
import { defaultBrokerConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/util/logger.js';
import { eventually } from '../helpers/mq-process.js';

let seq = 0;
const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

/** A broker with 0 ms initial rebalance delay and sessions from 1 s; closed (with the temp dir) after the test. */
async function setup(t: TestContext, partitions: number, records: number): Promise<{ bootstrap: string[]; topic: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mq-group-'));
  const broker = await startBroker(
    { ...defaultBrokerConfig(), dataDir, listen: { host: '127.0.0.1', port: 0 }, groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000 },
    { logger: createLogger('error', () => {}) },
  );
  t.after(async () => { await broker.close(); await rm(dataDir, { recursive: true, force: true }); });
  const bootstrap = [`127.0.0.1:${broker.port}`];
  const topic = uniqueName('gc');
  const admin = createAdmin({ bootstrap });
  await admin.createTopic({ topic, partitions, replicationFactor: 1 });
  await admin.close();
  if (records > 0) {
    const producer = createProducer({ bootstrap, lingerMs: 1 });
    await Promise.all(Array.from({ length: records }, (_, i) => producer.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
    await producer.close();
  }
  return { bootstrap, topic };
}

function member(t: TestContext, opts: GroupConsumerOptions): GroupConsumer {
  const c = createGroupConsumer({ autoOffsetReset: 'earliest', sessionTimeoutMs: 3000, ...opts });
  t.after(() => c.close());
  return c;
}

async function committed(bootstrap: string[], groupId: string): Promise<number> {
  const admin = createAdmin({ bootstrap });
  try {
    const d = await admin.describeGroup(groupId);
    return d.offsets.reduce((s, o) => s + Math.max(0, o.committedOffset), 0);
  } finally {
    await admin.close();
  }
}

test('batches hold at most maxPollRecords of one partition; commit() commits what was handed out; callbacks run', async (t) => {
  const { bootstrap, topic } = await setup(t, 2, 1000);
  const assigned: TopicPartition[][] = [];
  const revoked: TopicPartition[][] = [];
  const c = member(t, {
    bootstrap, groupId: 'polls', topics: [topic], maxPollRecords: 70,
    onAssign: (tps) => { assigned.push(tps); }, onRevoke: (tps) => { revoked.push(tps); },
  });
  let n = 0;
  const seen = new Set<string>();
  for await (const batch of c.batches()) {
    assert.ok(batch.length > 0 && batch.length <= 70, `batch of ${batch.length}`);
    assert.equal(new Set(batch.map((r) => r.partition)).size, 1, 'one partition per batch');
    for (const r of batch) seen.add(r.value!.toString());
    n += batch.length;
    if (n >= 1000) break;
  }
  assert.equal(seen.size, 1000);
  assert.deepEqual(assigned, [[{ topic, partition: 0 }, { topic, partition: 1 }]]);
  assert.deepEqual(c.assignment(), [{ topic, partition: 0 }, { topic, partition: 1 }]);
  assert.ok(c.generationId >= 1 && c.memberId !== '');
  await c.commit();
  assert.equal(await committed(bootstrap, 'polls'), 1000);
  await c.close();
  assert.deepEqual(revoked, [[{ topic, partition: 0 }, { topic, partition: 1 }]], 'close revokes');
});

test('autoCommitIntervalMs commits consumed records, and close() commits the rest', async (t) => {
  const { bootstrap, topic } = await setup(t, 1, 500);
  const c = member(t, { bootstrap, groupId: 'auto', topics: [topic], autoCommitIntervalMs: 50, maxPollRecords: 100 });
  let n = 0;
  for await (const batch of c.records()) {
    void batch;
    if (++n === 500) break;
  }
  await c.close();
  assert.equal(await committed(bootstrap, 'auto'), 500);
});

test('a member that holds a batch longer than maxPollIntervalMs leaves the group; the other takes over; it rejoins on its next pull', async (t) => {
  const { bootstrap, topic } = await setup(t, 2, 0);
  const notices: string[] = [];
  const slow = member(t, { bootstrap, groupId: 'slow', topics: [topic], maxPollIntervalMs: 1500, onNotice: (m) => notices.push(m) });
  const fast = member(t, { bootstrap, groupId: 'slow', topics: [topic] });
  const fastLoop = (async () => { for await (const b of fast.batches()) void b; })();
  const slowIt = slow.batches()[Symbol.asyncIterator]();
  const first = slowIt.next();
  await eventually(() => slow.assignment().length === 1 && fast.assignment().length === 1, { timeoutMs: 15_000 });
  const producer = createProducer({ bootstrap });
  t.after(() => producer.close());
  await Promise.all([0, 1].map((p) => producer.send({ topic, partition: p, value: Buffer.from('x') })));
  await first; // the slow member now holds a batch and does not come back
  await eventually(() => fast.assignment().length === 2, { timeoutMs: 15_000 });
  assert.ok(notices.some((m) => /max poll interval/.test(m)), notices.join('\n'));
  const again = slowIt.next(); // rejoins
  await eventually(() => slow.assignment().length === 1 && fast.assignment().length === 1, { timeoutMs: 15_000 });
  await slow.close();
  await fast.close();
  await fastLoop;
  await again.catch(() => undefined);
});

test('errors a caller meets: unknown topic, unknown assignor, none without a committed offset', async (t) => {
  const { bootstrap, topic } = await setup(t, 1, 3);
  const missing = member(t, { bootstrap, groupId: 'e1', topics: ['no-such-topic'] });
  await assert.rejects(missing.batches()[Symbol.asyncIterator]().next(), /topic 'no-such-topic' does not exist/);
  assert.throws(() => createGroupConsumer({ bootstrap, groupId: 'e2', topics: [topic], assignors: ['sticky'] }), /unknown assignor 'sticky'/);
  const none = member(t, { bootstrap, groupId: 'e3', topics: [topic], autoOffsetReset: 'none' });
  await assert.rejects(none.batches()[Symbol.asyncIterator]().next(), /no committed offset for .*-0 and auto offset reset is none/);
});

test('a member whose generation is stale is answered ILLEGAL_GENERATION (heartbeat, commit) and rejoins into a new one', async (t) => {
  const { bootstrap, topic } = await setup(t, 2, 0);
  const c = member(t, { bootstrap, groupId: 'stale', topics: [topic] });
  const loop = (async () => { for await (const b of c.batches()) void b; })();
  await eventually(() => c.assignment().length === 2, { timeoutMs: 15_000 });
  const generation = c.generationId;
  // As if it had missed a rebalance: the coordinator refuses the old generation.
  (c as unknown as { generationId: number }).generationId = generation - 1;
  await assert.rejects(c.commit([{ topic, partition: 0, offset: 0 }]), (err: Error & { code?: string }) => err.code === 'ILLEGAL_GENERATION');
  await eventually(() => c.generationId > generation && c.assignment().length === 2, { timeoutMs: 15_000 });
  await c.commit([{ topic, partition: 0, offset: 5 }]);
  assert.equal(await committed(bootstrap, 'stale'), 5, 'commits work in the new generation');
  await c.close();
  await loop;
});
