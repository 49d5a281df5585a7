// Reassignment requests in the controller, on the embedded LocalStore (the same MetadataStore contract
// as etcd) with real BrokerRegistry + MetadataCache + ControllerElection + Controller for 4 "brokers" in
// one process (no replication runs, so an added replica never joins the ISR by itself): a request
// becomes a reassignment record with the added brokers appended to the replica list, and is deleted;
// a reorder completes at once; cancel puts the old list back and drops the added brokers from the ISR;
// requests naming unknown brokers or partitions are refused and deleted.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Controller } from '../../../src/cluster/controller.js';
import { LocalStore } from '../../../src/cluster/local-store.js';
import { REASSIGNMENT_REQUESTS_PREFIX } from '../../../src/cluster/reassignment-requests.js';
import type { PartitionState, TopicRecord } from '../../../src/cluster/topic-records.js';
import { eventually } from '../../helpers/mq-process.js';
import { startLocalControllers } from '../../helpers/local-controllers.js';

/** `lines()`: every node's log lines so far. */
async function cluster(t: TestContext): Promise<{ store: LocalStore; ctl: Controller; lines: () => string[] }> {
  const { store, nodes, ctl } = await startLocalControllers(t, [1, 2, 3, 4], { config: { replicaRestoreDelayMs: 600_000 }, ttlSeconds: 5 });
  return { store, ctl: ctl.controller, lines: () => nodes.flatMap((n) => n.lines) };
}

const replicasOf = async (store: LocalStore, topic: string): Promise<number[][]> => (JSON.parse((await store.get(`topics/${topic}`))!.value) as TopicRecord).replicas;
const stateOf = async (store: LocalStore, topic: string, p: number): Promise<PartitionState> => JSON.parse((await store.get(`partitions/${topic}/${p}`))!.value) as PartitionState;
const request = (store: LocalStore, topic: string, p: number, body: unknown): Promise<void> => store.put(`${REASSIGNMENT_REQUESTS_PREFIX}${topic}/${p}`, JSON.stringify(body));
const noRequests = async (store: LocalStore): Promise<boolean> => (await store.range(REASSIGNMENT_REQUESTS_PREFIX)).length === 0;

test('a request starts a reassignment; cancel puts the old replicas back', async (t) => {
  const { store, ctl } = await cluster(t);
  await ctl.createTopic({ name: 'm', numPartitions: 2, replicationFactor: 2, assignments: [[1, 2], [2, 1]], configs: {}, validateOnly: false });

  await request(store, 'm', 0, { replicas: [1, 3] });
  const record = await eventually(async () => (await store.get('reassignments/m/0'))?.value ?? null);
  assert.deepEqual(JSON.parse(record!), { target: [1, 3], adding: [3], removing: [2], requested: true });
  assert.deepEqual(await replicasOf(store, 'm'), [[1, 2, 3], [2, 1]], 'the new broker is appended; the old ones stay for now');
  await eventually(() => noRequests(store));

  // Broker 3 never catches up here, so the move stays unfinished until it is cancelled.
  const before = await stateOf(store, 'm', 0);
  await request(store, 'm', 0, { cancel: true });
  await eventually(async () => (await store.get('reassignments/m/0')) === null && await noRequests(store));
  assert.deepEqual(await replicasOf(store, 'm'), [[1, 2], [2, 1]]);
  const after = await stateOf(store, 'm', 0);
  assert.deepEqual(after.isr, before.isr.filter((id) => id !== 3));
  assert.equal(after.leader, before.leader);
});

test('a throttled request carries its rate into the record; a throttle request changes and removes it', async (t) => {
  const { store, ctl, lines } = await cluster(t);
  await ctl.createTopic({ name: 'th', numPartitions: 1, replicationFactor: 2, assignments: [[1, 2]], configs: {}, validateOnly: false });
  const record = async (): Promise<Record<string, unknown> | null> => {
    const kv = await store.get('reassignments/th/0');
    return kv ? JSON.parse(kv.value) as Record<string, unknown> : null;
  };
  await request(store, 'th', 0, { replicas: [1, 3], throttleBytesPerSec: 2_000_000 });
  await eventually(async () => (await record())?.throttleBytesPerSec === 2_000_000 && await noRequests(store));
  assert.deepEqual(await record(), { target: [1, 3], adding: [3], removing: [2], requested: true, throttleBytesPerSec: 2_000_000 });

  await request(store, 'th', 0, { throttle: 500_000 });
  await eventually(async () => (await record())?.throttleBytesPerSec === 500_000 && await noRequests(store));
  await request(store, 'th', 0, { throttle: null });
  await eventually(async () => await noRequests(store) && !('throttleBytesPerSec' in ((await record()) ?? { throttleBytesPerSec: 0 })));
  assert.deepEqual(await record(), { target: [1, 3], adding: [3], removing: [2], requested: true });
  assert.deepEqual(await replicasOf(store, 'th'), [[1, 2, 3]], 'a throttle change leaves the move as it was');
  // Logged once the store's txn call returns, which can be after the change is visible to a read.
  const throttleLines = () => lines().filter((l) => /reassignment throttle changed/.test(l));
  await eventually(() => throttleLines().length >= 2);
  assert.equal(throttleLines().length, 2);

  // Without a move in progress a throttle request is a no-op that is still consumed.
  await request(store, 'th', 0, { cancel: true });
  await eventually(async () => (await record()) === null && await noRequests(store));
  await request(store, 'th', 0, { throttle: 1000 });
  await eventually(() => noRequests(store));
  assert.equal(await record(), null);
});

test('a reorder completes at once; bad requests are refused and deleted', async (t) => {
  const { store, ctl, lines } = await cluster(t);
  await ctl.createTopic({ name: 'r', numPartitions: 1, replicationFactor: 2, assignments: [[1, 2]], configs: {}, validateOnly: false });

  await request(store, 'r', 0, { replicas: [2, 1] });
  await eventually(async () => (await replicasOf(store, 'r'))[0].join() === '2,1' && (await store.get('reassignments/r/0')) === null && await noRequests(store));

  await request(store, 'r', 0, { replicas: [1, 9] });
  await request(store, 'r', 5, { replicas: [1, 2] });
  await request(store, 'gone', 0, { replicas: [1, 2] });
  await eventually(() => noRequests(store));
  assert.deepEqual(await replicasOf(store, 'r'), [[2, 1]]);
  assert.equal((await store.range('reassignments/')).length, 0);
  const refused = lines().filter((l) => /reassignment request refused/.test(l));
  assert.equal(refused.length, 3, refused.join('\n'));
  assert.ok(refused.some((l) => /broker 9 not registered/.test(l)));
  assert.ok(refused.some((l) => /partition r-5 does not exist/.test(l)));
  assert.ok(refused.some((l) => /topic 'gone' does not exist/.test(l)));

  // Cancelling with nothing in progress is a no-op that still consumes the request.
  await request(store, 'r', 0, { cancel: true });
  await eventually(() => noRequests(store));
  assert.deepEqual(await replicasOf(store, 'r'), [[2, 1]]);
});
