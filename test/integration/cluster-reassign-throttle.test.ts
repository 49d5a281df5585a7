// Issue 8, the reassignment throttle, on a real 3-broker cluster (real etcd, real broker processes):
// - `mq reassign execute --throttle` moves a 10 MB partition from broker 1 to broker 2 at 0.2 MB/s. The
//   assertion is on the receiving broker's own token-bucket counter and on its replica's log size between
//   two of its /v1/status views (its clock): neither grows by more than rate x elapsed + two bursts + two
//   whole batches. Load on the machine can only make the copy slower, never faster, so this holds however
//   slow the run is.
// - Meanwhile an ordinary follower on the same broker, fetched from the same leader in the same requests,
//   is not slowed: 4 MB produced with acks=all and min.insync.replicas=2 are all acknowledged and fully
//   replicated to broker 2 while the throttled move is still running.
// - `mq reassign status --json` shows bytes, percent, rate and ETA; the table shows the throttle.
// - `mq reassign throttle none` lifts it and the move finishes; the controller logs "reassignment finished".
// - `mq brokers decommission 3 --wait --timeout 2 --throttle 0.1` runs out of time with a message naming
//   what is still moving (exit 1); after `mq reassign throttle none` a plain --wait ends "safe to stop".
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import type { ReplicationThrottleView } from '../../src/metrics/views.js';
import type { PartitionView } from '../../src/metrics/views.js';

let cluster: TestCluster;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  // Generous failure detection: a loaded machine must not drop broker 2 from an ISR meanwhile.
  cluster = await startCluster({ brokers: 3, config: { 'replica.restore.delay.ms': '600000', 'broker.session.timeout.ms': '10000', 'replica.lag.time.max.ms': '10000' } });
  dir = await tempDir('mq-throttle-');
});

after(async () => {
  await cluster?.close();
  await dir?.remove();
});

async function createOn(topic: string, assignment: number[][], configs: Record<string, string> = {}): Promise<void> {
  const kafka = new Kafka({ brokers: cluster.bootstrapList, clientId: 'mq-throttle-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ok = await admin.createTopics({
      topics: [{ topic, replicaAssignment: assignment.map((replicas, partition) => ({ partition, replicas })), configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
      waitForLeaders: true,
    });
    assert.equal(ok, true);
  } finally {
    await admin.disconnect();
  }
}

async function admin<T>(id: number, path: string): Promise<T> {
  const res = await fetch(`http://${cluster.broker(id).admin}${path}`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  return await res.json() as T;
}

/** Broker `id`'s throttle counters and, read right after, its replica of `topic`-0. */
async function sample(id: number, topic: string): Promise<{ view: ReplicationThrottleView; replica: PartitionView | undefined }> {
  const view = (await admin<{ replicationThrottle?: ReplicationThrottleView }>(id, '/v1/status')).replicationThrottle;
  assert.ok(view, 'cluster brokers report replicationThrottle in /v1/status');
  const replica = (await admin<PartitionView[]>(id, '/v1/partitions')).find((p) => p.topic === topic && p.partition === 0);
  return { view, replica };
}

async function produce(topic: string, records: number, acks: '1' | 'all'): Promise<void> {
  const r = await run(['bench', 'produce', '-b', cluster.bootstrap, '--topic', topic, '--record-size', '1000', '--count', String(records), '--acks', acks, '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
}

interface StatusJson {
  topic: string; partition: number; state: string; throttleBytesPerSec: number | null; leaderSizeBytes: number | null;
  progress: { broker: number; sizeBytes: number | null; percent: number | null; remainingBytes: number | null; rateBytesPerSec: number | null; etaSeconds: number | null; inIsr: boolean }[];
}

async function status(): Promise<StatusJson[]> {
  const r = await run(['reassign', 'status', '--etcd', cluster.etcd.endpoint, '--json', '--interval-ms', '500']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { reassignments: StatusJson[] }).reassignments;
}

const RATE = 200_000; // --throttle 0.2
/** A whole batch the leader returns even past the grant (bench batches are at most 256 KiB + headers). */
const BATCH_MAX = 300_000;

test('a throttled move copies no faster than its throttle, leaves other followers alone, and finishes once lifted', async (t) => {
  const moved = uniqueTopic('throttled');
  const other = uniqueTopic('unthrottled');
  const drained = uniqueTopic('drained');
  await createOn(moved, [[1]]);
  await createOn(other, [[1, 2]], { 'min.insync.replicas': '2' });
  await createOn(drained, [[3]]);
  await Promise.all([produce(moved, 10_000, '1'), produce(drained, 3_000, '1')]);

  const planFile = join(dir.path, 'plan.json');
  await writeFile(planFile, JSON.stringify({ version: 1, partitions: [{ topic: moved, partition: 0, replicas: [2] }] }));
  const executed = await run(['reassign', 'execute', planFile, '--etcd', cluster.etcd.endpoint, '--throttle', '0.2']);
  assert.equal(executed.code, 0, executed.stderr);
  assert.match(executed.stdout, /reassignment requested for 1 partition, throttled at 200 kB\/s per receiving broker/);

  // Broker 2 learns the record and throttles the move.
  const first = (await eventually(async () => {
    const s = await sample(2, moved);
    return s.view.partitions.includes(`${moved}/0`) && s.replica ? s : null;
  }, { timeoutMs: 20_000 }))!;
  assert.equal(first.view.rateBytesPerSec, RATE);

  // An ordinary follower on broker 2 (same leader, same fetch requests) keeps up: 4 MB with acks=all,
  // min.insync.replicas=2, all acknowledged and fully on broker 2 while the move is still throttled.
  await produce(other, 4_000, 'all');
  const leaderOther = (await admin<PartitionView[]>(1, '/v1/partitions')).find((p) => p.topic === other)!;
  await eventually(async () => (await admin<PartitionView[]>(2, '/v1/partitions')).find((p) => p.topic === other)?.logEndOffset === leaderOther.logEndOffset, { timeoutMs: 20_000 });
  assert.ok(leaderOther.logEndOffset >= 4_000);

  // Measure over at least 4 s of the broker's clock (the bound's slack is then a small part of it).
  const second = (await eventually(async () => {
    const x = await sample(2, moved);
    return x.view.atMs - first.view.atMs >= 4000 ? x : null;
  }, { timeoutMs: 30_000, intervalMs: 250 }))!;
  const elapsedMs = second.view.atMs - first.view.atMs;
  const allowed = (RATE * elapsedMs) / 1000 + 2 * RATE + 2 * BATCH_MAX;
  const counted = second.view.throttledBytes - first.view.throttledBytes;
  assert.ok(counted <= allowed, `the bucket let ${counted} bytes through in ${elapsedMs} ms (allowed ${allowed})`);
  const grown = (second.replica?.sizeBytes ?? 0) - (first.replica?.sizeBytes ?? 0);
  assert.ok(grown <= allowed + RATE, `the moving replica grew ${grown} bytes in ${elapsedMs} ms (allowed ${allowed + RATE})`);
  t.diagnostic(`throttled window: ${elapsedMs} ms, bucket ${counted} B, log +${grown} B, allowed ${allowed} B`);
  const leaderMoved = (await admin<PartitionView[]>(1, '/v1/partitions')).find((p) => p.topic === moved)!;
  assert.ok(leaderMoved.sizeBytes >= 10_000_000);

  // Status: bytes caught up, percent, rate, ETA and the throttle.
  const s = (await status()).find((x) => x.topic === moved);
  assert.ok(s, 'the move is in progress');
  assert.equal(s.state, 'moving');
  assert.equal(s.throttleBytesPerSec, RATE);
  assert.equal(s.leaderSizeBytes, leaderMoved.sizeBytes);
  const p = s.progress[0];
  assert.equal(p.broker, 2);
  assert.ok(p.sizeBytes !== null && p.sizeBytes < leaderMoved.sizeBytes, JSON.stringify(p));
  assert.equal(p.remainingBytes, leaderMoved.sizeBytes - p.sizeBytes);
  assert.ok(p.percent !== null && p.percent >= 0 && p.percent < 100);
  assert.ok(p.rateBytesPerSec !== null && p.rateBytesPerSec >= 0, 'a rate from two samples');
  if (p.rateBytesPerSec > 0) assert.equal(p.etaSeconds, Math.ceil(p.remainingBytes / p.rateBytesPerSec));
  else assert.equal(p.etaSeconds, null);
  const table = await run(['reassign', 'status', '--etcd', cluster.etcd.endpoint, '--interval-ms', '0']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /THROTTLE/);
  assert.match(table.stdout, new RegExp(`${moved}\\s+0\\s+moving.*2: [\\d.]+ [kM]?B/[\\d.]+ MB \\(\\d+%\\).*200 kB/s`));

  // Lifting the throttle lets the move finish.
  const lifted = await run(['reassign', 'throttle', 'none', '--etcd', cluster.etcd.endpoint]);
  assert.equal(lifted.code, 0, lifted.stderr);
  assert.match(lifted.stdout, /throttle removed for 1 partition/);
  await eventually(async () => (await status()).length === 0, { timeoutMs: 60_000 });
  const md = await cluster.metadata([moved]);
  assert.deepEqual([...md.topics[0].partitions[0].replicaNodes], [2]);
  const logs = (): string => cluster.ids.map((id) => cluster.output(id)).join('\n');
  await eventually(() => new RegExp(`reassignment finished topic=${moved}`).test(logs()), { timeoutMs: 5000 });
  assert.doesNotMatch(logs(), new RegExp(`replica restore finished topic=${moved}`));
  await eventually(async () => (await sample(2, moved)).view.rateBytesPerSec === null, { timeoutMs: 10_000 });

  // Decommission with a throttle and a timeout that runs out: a clear message, exit 1, the moves go on.
  const timedOut = await run(['brokers', 'decommission', '3', '--etcd', cluster.etcd.endpoint, '--wait', '--timeout', '2', '--throttle', '0.1'], { timeoutMs: 60_000 });
  assert.equal(timedOut.code, 1, timedOut.stdout + timedOut.stderr);
  assert.match(timedOut.stderr, new RegExp(`timed out after 2 s: broker 3 still holds 1 partition .*still moving: .*${drained}-0.*The moves continue in the background`));
  assert.match(timedOut.stderr, /Do not stop broker 3 yet/);
  assert.ok((await status()).some((x) => x.topic === drained && x.throttleBytesPerSec === 100_000), 'the move goes on, throttled');
  assert.equal((await run(['reassign', 'throttle', 'none', '--etcd', cluster.etcd.endpoint])).code, 0);
  await eventually(async () => (await status()).length === 0, { timeoutMs: 60_000 });
  const waited = await run(['brokers', 'decommission', '3', '--etcd', cluster.etcd.endpoint, '--wait'], { timeoutMs: 60_000 });
  assert.equal(waited.code, 0, waited.stderr);
  assert.match(waited.stdout, /broker 3 holds no replicas; it is safe to stop it/);
});
