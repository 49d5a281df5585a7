// A replicated Partition on a real Log (temp dir): as leader, follower fetches move the high watermark,
// which acknowledges parked acks=all appends and wakes parked consumer fetches; ISR changes go through
// the writer; becoming follower answers waiters NOT_LEADER_OR_FOLLOWER and refuses appends; a follower
// appends batches copied from the leader and truncates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partition } from '../../../src/replication/partition.js';
import { defaultBrokerConfig } from '../../../src/config/config.js';
import { Log } from '../../../src/storage/log.js';
import { fillerBatch } from '../../helpers/filler-batch.js';

async function replicated(t: { after(fn: () => Promise<void>): void }, name: string): Promise<Partition> {
  const dir = await mkdtemp(join(tmpdir(), 'mq-partition-roles-'));
  const log = await Log.open(join(dir, `${name}-0`), { segmentBytes: 1 << 20, indexIntervalBytes: 4096 });
  const config = { ...defaultBrokerConfig().topicDefaults, 'flush.policy': 'os' as const };
  const p = new Partition(name, 0, log, config);
  p.replicated = true;
  p.role = 'follower';
  t.after(async () => { p.stopTimers(); await log.close(); await rm(dir, { recursive: true, force: true }); });
  return p;
}

test('leader: follower fetches move the high watermark, acknowledging acks=all and waking consumers', async (t) => {
  const p = await replicated(t, 'lead');
  p.becomeLeader(1, 0, [1, 2, 3], [1, 2, 3], 0);
  const { lastOffset } = await p.append(fillerBatch({ records: 5 }));
  assert.equal(lastOffset, 4);
  assert.equal(p.highWatermark, 0, 'no follower has it yet');
  let woken = 0;
  p.onHighWatermarkAdvance(() => { woken++; });
  const ack = p.waitForAck(lastOffset + 1, 60_000);
  p.recordFollowerFetch(2, 5, 1);
  assert.equal(p.highWatermark, 0, 'follower 3 still behind');
  assert.equal(p.acks.size, 1);
  p.recordFollowerFetch(3, 5, 2);
  assert.equal(p.highWatermark, 5);
  assert.equal(await ack, 'acked');
  assert.equal(woken, 1);
  assert.deepEqual(await p.read(0, 1 << 20).then((b) => b.length > 0), true, 'consumers see the batch now');
});

test('leader: a follower behind for the lag time is dropped through the writer; one at the high watermark joins', async (t) => {
  const p = await replicated(t, 'isr');
  const writes: number[][] = [];
  p.isrWriter = async (_p, isr) => { writes.push(isr); return true; };
  p.becomeLeader(1, 0, [1, 2, 3], [1, 2], 0);
  await p.append(fillerBatch({ records: 2 }));
  p.recordFollowerFetch(2, 0, 100);
  p.maybeShrinkIsr(5000, { replicaLagTimeMaxMs: 1000, replicaLagMaxMessages: -1 });
  assert.deepEqual(writes, [[1]]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(p.leaderState!.isr, [1]);
  assert.equal(p.highWatermark, 2, 'alone in the ISR, the leader\'s end is the high watermark');
  p.recordFollowerFetch(3, 2, 5100);
  assert.deepEqual(writes[1], [1, 3]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(p.leaderState!.isr, [1, 3]);
});

test('becoming follower answers parked acks=all appends NOT_LEADER_OR_FOLLOWER and refuses appends', async (t) => {
  const p = await replicated(t, 'demote');
  p.becomeLeader(1, 3, [1, 2], [1, 2], 0);
  const { lastOffset } = await p.append(fillerBatch());
  const ack = p.waitForAck(lastOffset + 1, 60_000);
  p.becomeFollower(4);
  assert.equal(await ack, 'not-leader');
  await assert.rejects(p.append(fillerBatch()), { code: 'NOT_LEADER_OR_FOLLOWER' });
  assert.equal(p.leaderEpoch, 4);
});

test('follower: appends the leader\'s batches as they are, keeps the leader\'s high watermark capped at its end, truncates', async (t) => {
  const leader = await replicated(t, 'src');
  leader.becomeLeader(1, 7, [1], [1], 0);
  for (let i = 0; i < 3; i++) await leader.append(fillerBatch({ records: 2, fill: 0x61 + i }));
  const batches = await leader.readForFollower(0, 1 << 20);
  const bytes = Buffer.concat(batches);
  const f = await replicated(t, 'dst');
  f.becomeFollower(7);
  const split = [bytes.subarray(0, 100), bytes.subarray(100, 200), bytes.subarray(200, 300)];
  await f.appendFromLeader(split);
  assert.equal(f.logEndOffset, 6);
  assert.equal(f.log.latestEpoch, 7);
  f.setFollowerHighWatermark(100);
  assert.equal(f.highWatermark, 6);
  assert.ok(Buffer.concat(await f.readForFollower(0, 1 << 20)).equals(bytes));
  await f.truncateTo(2);
  assert.equal(f.logEndOffset, 2);
  assert.equal(f.highWatermark, 2);
  f.becomeLeader(2, 8, [2, 1], [2, 1], 0);
  assert.equal(f.highWatermark, 2, 'a new leader starts from the high watermark it knew');
});
