// The chaos verifier (test/chaos/verify-log.ts) finds what it must: an acknowledged record that is not
// in the topic (lost), a second copy (duplicated), a key whose sequence goes back (out of order), a
// record written though its send failed, and a record that is not the workload's. A topic written
// exactly as the bookkeeping says passes clean. In-process broker; the records are placed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmin, createProducer } from '../../src/client/index.js';
import { ACKNOWLEDGED, FAILED, KeyedWorkload } from '../chaos/keyed-workload.js';
import { verifyLog } from '../chaos/verify-log.js';
import { defer, inProcessBroker } from '../helpers/in-process-broker.js';

const KEYS = 10;
const RECORDS = 50;

/** Writes the records `ns` (the workload's record numbers, or raw strings) to partition 0 in that order; returns their offsets. */
async function write(bootstrap: string[], topic: string, items: (number | string)[]): Promise<number[]> {
  const producer = createProducer({ bootstrap, acks: -1, lingerMs: 0 });
  try {
    const offsets: number[] = [];
    for (const item of items) {
      const key = typeof item === 'number' ? KeyedWorkload.key(item, KEYS) : 'junk';
      const value = typeof item === 'number' ? KeyedWorkload.value(item, KEYS) : item;
      offsets.push((await producer.send({ topic, partition: 0, key: Buffer.from(key), value: Buffer.from(value) })).offset);
    }
    return offsets;
  } finally {
    await producer.close();
  }
}

async function setup(t: Parameters<typeof inProcessBroker>[0], topic: string): Promise<string[]> {
  const { bootstrap } = await inProcessBroker(t);
  const admin = createAdmin({ bootstrap });
  defer(t, () => admin.close());
  await admin.createTopic({ topic, partitions: 2, replicationFactor: 1 });
  return bootstrap;
}

test('a topic holding exactly the acknowledged records verifies clean', async (t) => {
  const bootstrap = await setup(t, 'clean');
  const workload = new KeyedWorkload({ bootstrap, topic: 'clean', records: RECORDS, keys: KEYS, acks: -1 });
  const ns = Array.from({ length: RECORDS }, (_, n) => n);
  const offsets = await write(bootstrap, 'clean', ns);
  for (const n of ns) {
    workload.status[n] = ACKNOWLEDGED;
    workload.ackPartition[n] = 0;
    workload.ackOffset[n] = offsets[n];
  }
  const v = await verifyLog({ bootstrap, topic: 'clean', workload, timeoutMs: 20_000 });
  assert.deepEqual(
    [v.complete, v.consumed, v.acknowledged, v.lost, v.duplicated, v.outOfOrder, v.unacknowledgedPresent, v.ackedOffsetMismatch, v.foreign],
    [true, RECORDS, RECORDS, 0, 0, 0, 0, 0, 0],
  );
});

test('lost, duplicated, out-of-order, unacknowledged-but-present and foreign records are each counted', async (t) => {
  const bootstrap = await setup(t, 'broken');
  const workload = new KeyedWorkload({ bootstrap, topic: 'broken', records: RECORDS, keys: KEYS, acks: -1 });
  // 5 is acknowledged but never written; 3 is written twice; key 7's seq 2 (27) comes before its seq 1 (17);
  // 8 failed but was written anyway; one record is not the workload's.
  const order = [0, 1, 2, 3, 3, 4, 6, 27, 17, 8, 'not-ours'];
  const offsets = await write(bootstrap, 'broken', order);
  for (const n of [0, 1, 2, 3, 4, 5, 6, 17, 27]) workload.status[n] = ACKNOWLEDGED;
  workload.status[8] = FAILED;
  order.forEach((n, i) => {
    if (typeof n === 'number' && workload.status[n] === ACKNOWLEDGED) {
      workload.ackPartition[n] = 0;
      workload.ackOffset[n] = offsets[i];
    }
  });
  workload.ackOffset[5] = 99; // its ack named an offset that the log does not hold
  const v = await verifyLog({ bootstrap, topic: 'broken', workload, timeoutMs: 20_000 });
  assert.equal(v.complete, true);
  assert.equal(v.consumed, order.length);
  assert.equal(v.acknowledged, 9);
  assert.equal(v.lost, 1);
  assert.match(v.samples.lost[0], /^k5:0 /);
  assert.equal(v.duplicated, 1);
  assert.equal(v.outOfOrder, 1);
  assert.match(v.samples.outOfOrder[0], /^k7: seq 1 .* after seq 2$/);
  assert.equal(v.unacknowledgedPresent, 1);
  assert.equal(v.foreign, 1);
  assert.equal(v.ackedOffsetMismatch, 0, 'every acknowledged record that is present sits at the offset its ack named');
});
