// Zombie fencing in a cluster. (1) A Fetch that names a replica whose broker is not registered (a client
// setting ReplicaId, a follower whose lease expired) is refused: before, any fetch naming a replica id
// was taken as that follower's, so a dead broker could be put back in the ISR and hold up, or move, the
// high watermark. (2) A leader paused with SIGSTOP past its lease wakes up a zombie: the produce with
// acks=-1 that waited in its socket meanwhile is never acknowledged, and it no longer serves consumers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmin } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { fillerBatch } from '../helpers/filler-batch.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket, produceOnWire } from '../helpers/wire.js';

async function createTopic(cluster: TestCluster, topic: string): Promise<void> {
  const admin = createAdmin({ bootstrap: cluster.bootstrapList });
  try {
    await admin.createTopic({ topic, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  } finally {
    await admin.close();
  }
  await eventually(async () => (await cluster.leaderOf(topic, 0)) > 0, { timeoutMs: 20_000 });
}

async function isrOf(cluster: TestCluster, topic: string): Promise<number[]> {
  const md = await cluster.metadata([topic]);
  return [...md.topics[0].partitions[0].isrNodes].sort();
}

function fetchAs(replicaId: number, topic: string, fetchOffset: bigint): object {
  return {
    replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  };
}

test('a follower fetch naming a broker that is not registered is refused and does not put it back in the ISR', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3 });
  t.after(() => cluster.close());
  const topic = uniqueTopic('fence');
  await createTopic(cluster, topic);
  const leader = await cluster.leaderOf(topic, 0);
  const dead = cluster.ids.find((id) => id !== leader)!;
  const ws = await WireSocket.connect(cluster.port(leader));
  t.after(() => ws.close());
  // Three acknowledged batches of 2 records (the first may wait for the leader to take its role).
  for (let i = 0; i < 3; i++) {
    const batch = fillerBatch({ records: 2, sizeBytes: 200, decodable: true });
    await eventually(async () => (await produceOnWire(ws, topic, batch)) === 0, { timeoutMs: 20_000, intervalMs: 200 });
  }
  await cluster.kill(dead);
  await eventually(async () => !(await isrOf(cluster, topic)).includes(dead), { timeoutMs: 20_000 });

  // A fetch claiming to be the dead broker, caught up to the leader's log end (6 records).
  const res = await ws.request(ApiKey.Fetch, 11, fetchAs(dead, topic, 6n));
  assert.equal(res.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the leader refuses a fetch from an unregistered replica');
  await cluster.broker(leader).waitForOutput(new RegExp(`follower fetch refused replicaId=${dead} .*not registered`));
  // Not a replica at all: refused as before.
  const other = await ws.request(ApiKey.Fetch, 11, fetchAs(99, topic, 6n));
  assert.equal(other.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  // The live follower is untouched: it still fetches and stays in the ISR with the leader.
  const live = cluster.ids.filter((id) => id !== dead);
  assert.deepEqual(await isrOf(cluster, topic), live.sort());
  assert.doesNotMatch(cluster.output(leader), new RegExp(`ISR expanded .*isr=[0-9,]*${dead}`));
});

test('a leader paused past its lease never acknowledges the acks=-1 produce that waited for it, and serves no consumer once awake', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3 });
  t.after(() => cluster.close());
  const topic = uniqueTopic('zombie');
  await createTopic(cluster, topic);
  const old = await cluster.leaderOf(topic, 0);
  const ws = await WireSocket.connect(cluster.port(old));
  t.after(() => ws.close());
  // It leads for real first: a write is acknowledged there.
  const first = fillerBatch({ records: 2, sizeBytes: 200, decodable: true });
  await eventually(async () => (await produceOnWire(ws, topic, first)) === 0, { timeoutMs: 20_000, intervalMs: 200 });
  cluster.pause(old);
  let resumed = false;
  t.after(() => { if (!resumed) cluster.resume(old); });
  // Sent while it sleeps: the bytes wait in its socket.
  const answer = ws.request(ApiKey.Produce, 7, {
    transactionalId: null, acks: -1, timeoutMs: 8000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: fillerBatch({ records: 3, sizeBytes: 200, decodable: true }) }] }],
  }, 60_000);
  // The others elect a new leader once its lease (3 s) has expired.
  const others = cluster.ids.filter((id) => id !== old);
  const ask = async (): Promise<number> => {
    const s = await WireSocket.connect(cluster.port(others[0]));
    try {
      const md = await s.request(ApiKey.Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
      return md.topics[0].partitions[0].leaderId;
    } finally {
      s.close();
    }
  };
  const next = (await eventually(async () => { const l = await ask(); return others.includes(l) ? l : null; }, { timeoutMs: 30_000, intervalMs: 200 }))!;
  cluster.resume(old);
  resumed = true;
  const res = await answer;
  const code = res.responses[0].partitionResponses[0].errorCode;
  assert.notEqual(code, 0, `the zombie leader acknowledged an acks=-1 produce after broker ${next} took over`);
  // Awake, it is fenced: a consumer's fetch is refused there and served by the new leader.
  await eventually(async () => {
    const r = await ws.request(ApiKey.Fetch, 11, fetchAs(-1, topic, 0n));
    return r.responses[0].partitions[0].errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }, { timeoutMs: 20_000, intervalMs: 200 });
});
