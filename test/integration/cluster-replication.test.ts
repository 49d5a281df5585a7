// Replication (issue 5) with a real etcd and 3 real broker processes: acks=all to a topic with
// replication factor 3 leaves the same bytes in every replica's log; kill -9 of a follower shrinks the
// ISR (replica.lag.time.max.ms 2000) so acks=all with min.insync.replicas=3 is refused with
// NOT_ENOUGH_REPLICAS; restarted, the follower catches up and rejoins the ISR. Last, a former leader
// holding records its followers never got (acks=1 while they were paused with SIGSTOP) is killed, a
// new leader is elected and written to, and the returning broker truncates by leader epoch to match.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProducer } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { fillerBatch } from '../helpers/filler-batch.js';
import { startBrokerProcess, tempDir, uniqueTopic, eventually, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

let etcd: EtcdProcess;
let dir: { path: string; remove(): Promise<void> };
const brokers = new Map<number, BrokerProcess>();
const IDS = [1, 2, 3];

const dataDir = (id: number): string => `${dir.path}/b${id}`;
const broker = (id: number): BrokerProcess => brokers.get(id)!;

async function start(id: number): Promise<void> {
  brokers.set(id, await startBrokerProcess(dataDir(id), { args: ['--id', String(id), '--etcd', etcd.endpoint, '--config', `${dir.path}/broker.properties`] }));
}

before(async () => {
  etcd = await startEtcd();
  dir = await tempDir('mq-repl-');
  await writeFile(`${dir.path}/broker.properties`, [
    'replica.lag.time.max.ms=2000',
    'broker.session.timeout.ms=4000',
    'replica.fetch.wait.max.ms=200',
  ].join('\n') + '\n');
  await Promise.all(IDS.map(start));
});

after(async () => {
  for (const b of brokers.values()) { if (b.proc.exitCode === null && b.proc.signalCode === null) b.proc.kill('SIGCONT'); }
  await Promise.all([...brokers.values()].map((b) => b.stop()));
  await etcd?.close();
  await dir?.remove();
});

async function request(id: number, apiKey: number, version: number, body: unknown): Promise<any> {
  const s = await WireSocket.connect(broker(id).port);
  try {
    return await s.request(apiKey, version, body, 20_000);
  } finally {
    s.close();
  }
}

async function metadata(id: number, topic: string): Promise<any> {
  return request(id, ApiKey.Metadata, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
}

async function controllerId(): Promise<number> {
  return eventually(async () => {
    for (const id of IDS) {
      if (!running(id)) continue;
      const md = await request(id, ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
      if (md.controllerId > 0) return md.controllerId as number;
    }
    return 0;
  }, { timeoutMs: 20_000 });
}

function running(id: number): boolean {
  const b = brokers.get(id);
  return b !== undefined && b.proc.exitCode === null && b.proc.signalCode === null;
}

/** Creates a 1-partition topic with replicas [leader, ...] (replicas[0] leads) through the controller. */
async function createTopic(topic: string, replicas: number[], configs: Record<string, string> = {}): Promise<void> {
  const ctl = await controllerId();
  const res = await request(ctl, ApiKey.CreateTopics, 1, {
    topics: [{
      name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: replicas }],
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    }],
    timeoutMs: 10_000, validateOnly: false,
  });
  assert.equal(res.topics[0].errorCode, 0, res.topics[0].errorMessage ?? '');
  await eventually(async () => (await metadata(replicas[0], topic)).topics[0].partitions[0]?.leaderId === replicas[0], { timeoutMs: 10_000 });
  // The leader serves once it has opened the log and taken the role (a moment after Metadata shows it).
  await eventually(async () => {
    const res = await request(replicas[0], ApiKey.ListOffsets, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
    return res.topics[0].partitions[0].errorCode === 0;
  }, { timeoutMs: 10_000 });
}

/** Metadata's view of partition 0: leader and ISR, asked from `via`. */
async function partitionView(via: number, topic: string): Promise<{ leader: number; isr: number[] }> {
  const p = (await metadata(via, topic)).topics[0].partitions[0];
  return { leader: p?.leaderId ?? -1, isr: [...(p?.isrNodes ?? [])].sort() };
}

/** All .log bytes of `topic`-0 on broker `id`, segments in order. */
async function logBytes(id: number, topic: string): Promise<Buffer> {
  const folder = join(dataDir(id), `${topic}-0`);
  const files = (await readdir(folder)).filter((f) => f.endsWith('.log')).sort();
  return Buffer.concat(await Promise.all(files.map((f) => readFile(join(folder, f)))));
}

async function sameLogsEverywhere(topic: string, ids: number[], minBytes: number): Promise<Buffer> {
  return eventually<Buffer | null>(async () => {
    const all = await Promise.all(ids.map((id) => logBytes(id, topic)));
    if (all[0].length < minBytes) return null;
    return all.every((b) => b.equals(all[0])) ? all[0] : null;
  }, { timeoutMs: 20_000, intervalMs: 100 }) as Promise<Buffer>;
}

/** One raw Produce of a filler batch of `records` records to `id`; the partition's error code. */
async function rawProduce(id: number, topic: string, acks: number, records = 1): Promise<{ errorCode: number; baseOffset: bigint }> {
  const res = await request(id, ApiKey.Produce, 7, {
    transactionalId: null, acks, timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: fillerBatch({ records, sizeBytes: 200, decodable: true }) }] }],
  });
  return res.responses[0].partitionResponses[0];
}

test('acks=all to a topic with replication factor 3: every replica holds the same bytes', async () => {
  const topic = uniqueTopic('repl');
  await createTopic(topic, [1, 2, 3], { 'min.insync.replicas': '2' });
  const producer = createProducer({ bootstrap: [broker(2).bootstrap], acks: -1, lingerMs: 2 });
  try {
    const sends = Array.from({ length: 2000 }, (_, i) => producer.send({ topic, key: Buffer.from(`k${i % 7}`), value: Buffer.from(`value-${i}`) }));
    const acked = await Promise.all(sends);
    assert.equal(acked.length, 2000);
    assert.equal(Math.max(...acked.map((m) => Number(m.offset))), 1999);
  } finally {
    await producer.close();
  }
  const bytes = await sameLogsEverywhere(topic, IDS, 2000 * 10);
  // Every batch carries the leader epoch it was written in (0: the first leader).
  assert.equal(bytes.readInt32BE(12), 0);
  const view = await partitionView(3, topic);
  assert.deepEqual(view, { leader: 1, isr: [1, 2, 3] });
});

test('follower fetches and OffsetForLeaderEpoch: replicas only, leader epoch checked, read to the log end', async () => {
  const topic = uniqueTopic('wire');
  await createTopic(topic, [3, 1, 2], { 'min.insync.replicas': '1' });
  assert.equal((await rawProduce(3, topic, 1, 4)).errorCode, 0);
  const fetch = (replicaId: number, currentLeaderEpoch: number) => request(3, ApiKey.Fetch, 11, {
    replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch, fetchOffset: 0n, logStartOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  }).then((r) => r.responses[0].partitions[0]);
  assert.equal((await fetch(7, 0)).errorCode, 6, 'broker 7 is no replica: NOT_LEADER_OR_FOLLOWER');
  assert.equal((await fetch(1, 5)).errorCode, 75, 'a newer epoch than the leader knows: UNKNOWN_LEADER_EPOCH');
  const ok = await fetch(1, 0);
  assert.equal(ok.errorCode, 0);
  assert.ok((ok.records as Buffer).length >= 200, 'a follower reads up to the log end');
  const ofle = await request(3, ApiKey.OffsetForLeaderEpoch, 3, {
    replicaId: 1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }],
  });
  assert.deepEqual(ofle.topics[0].partitions[0], { errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 4n });
  const notLeader = await request(1, ApiKey.OffsetForLeaderEpoch, 3, {
    replicaId: 2, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }],
  });
  assert.equal(notLeader.topics[0].partitions[0].errorCode, 6, 'only the leader answers');
});

test('kill -9 of a follower shrinks the ISR; acks=all with min.insync.replicas=3 is refused; the restarted follower catches up and rejoins', async () => {
  const topic = uniqueTopic('isr');
  const leader = 1;
  const victim = 3;
  await createTopic(topic, [leader, 2, victim], { 'min.insync.replicas': '3' });
  assert.equal((await rawProduce(leader, topic, -1, 5)).errorCode, 0, 'all three in sync: acks=all succeeds');

  await broker(victim).kill9();
  const refusedAt = await eventually(async () => {
    const r = await rawProduce(leader, topic, -1);
    // While the leader still waits for the dead follower, the append times out (7) or is refused (19).
    return r.errorCode === 19 ? Date.now() : null;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  assert.ok(refusedAt! > 0);
  assert.deepEqual((await partitionView(leader, topic)).isr, [1, 2]);
  const during = await (await fetch(`http://${broker(leader).admin}/metrics`)).text();
  assert.match(during, /^mq_under_replicated_partitions [1-9]/m);
  assert.match(during, new RegExp(`^mq_partition_isr_size\\{topic="${topic}",partition="0"\\} 2$`, 'm'));
  // acks=1 keeps working meanwhile.
  for (let i = 0; i < 20; i++) assert.equal((await rawProduce(leader, topic, 1, 3)).errorCode, 0);

  await start(victim);
  await eventually(async () => (await partitionView(leader, topic)).isr.length === 3, { timeoutMs: 20_000, intervalMs: 200 });
  assert.equal((await rawProduce(leader, topic, -1, 2)).errorCode, 0, 'back at 3 in sync: acks=all succeeds again');
  await sameLogsEverywhere(topic, IDS, 200);
  const metrics = await (await fetch(`http://${broker(leader).admin}/metrics`)).text();
  assert.match(metrics, /^mq_isr_shrinks_total [1-9]/m);
  assert.match(metrics, /^mq_isr_expands_total [1-9]/m);
});

test('a former leader with records nobody else got truncates them by leader epoch when it returns as a follower', async () => {
  const topic = uniqueTopic('trunc');
  const oldLeader = 2;
  const followers = [3, 1];
  await createTopic(topic, [oldLeader, ...followers], { 'min.insync.replicas': '2' });
  assert.equal((await rawProduce(oldLeader, topic, -1, 10)).errorCode, 0);
  await sameLogsEverywhere(topic, IDS, 200);

  // Pause both followers (they stop fetching), write with acks=1 to the leader only, kill it before
  // its ISR check could drop them (replica.lag.time.max.ms 2000), then let the followers go on.
  for (const id of followers) broker(id).proc.kill('SIGSTOP');
  try {
    for (let i = 0; i < 5; i++) assert.equal((await rawProduce(oldLeader, topic, 1, 4)).errorCode, 0);
  } finally {
    await broker(oldLeader).kill9();
    for (const id of followers) broker(id).proc.kill('SIGCONT');
  }
  const unacked = await logBytes(oldLeader, topic);

  // The controller elects a follower (in the ISR) with a new leader epoch; write there.
  const newLeader = (await eventually(async () => {
    const v = await partitionView(followers[0], topic);
    return followers.includes(v.leader) ? v.leader : null;
  }, { timeoutMs: 30_000, intervalMs: 200 }))!;
  await eventually(async () => (await rawProduce(newLeader, topic, -1, 3)).errorCode === 0, { timeoutMs: 20_000, intervalMs: 200 });

  assert.equal(unacked.length, 6 * 200, 'the old leader had 5 batches past the replicated one');

  await start(oldLeader);
  const bytes = await sameLogsEverywhere(topic, IDS, 400);
  // Batches are 200 bytes; PartitionLeaderEpoch is at byte 12 of each. A follower may have received
  // the first unreplicated batch or two (a fetch answered just before SIGSTOP took effect), never all 5.
  const epochs = Array.from({ length: bytes.length / 200 }, (_, i) => bytes.readInt32BE(i * 200 + 12));
  const fromOldEpoch = epochs.filter((e) => e === 0).length;
  assert.ok(fromOldEpoch < 6, `epoch-0 batches left: ${fromOldEpoch} of the old leader's 6`);
  assert.ok(bytes.subarray(0, fromOldEpoch * 200).equals(unacked.subarray(0, fromOldEpoch * 200)));
  assert.ok(epochs.slice(fromOldEpoch).length > 0 && epochs.slice(fromOldEpoch).every((e) => e > 0), `epochs ${epochs}`);
  await broker(oldLeader).waitForOutput(/follower truncated by leader epoch/);
  await eventually(async () => (await partitionView(newLeader, topic)).isr.length === 3, { timeoutMs: 20_000, intervalMs: 200 });
});
