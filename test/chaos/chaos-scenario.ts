// One chaos run on a started cluster (issue 5): create the topic (partitions, replication factor,
// min.insync.replicas), produce the keyed workload while the chaos loop kills and restarts brokers,
// stop the chaos when the sending is done (every broker runs again), wait for every partition to have a
// leader, read the whole topic back and compare. Used by test/integration/cluster-chaos.test.ts and by
// the runner test/chaos/run.ts. No import-time side effects (node --test loads this file too).
import type { SecureClients } from './secure-cluster.js';
import { createAdmin } from '../../src/client/index.js';
import type { Acks } from '../../src/client/types.js';
import { eventually, uniqueTopic } from '../helpers/mq-process.js';
import type { TestCluster } from '../helpers/cluster.js';
import { ChaosLoop, type FaultKind, type KillEvent } from './chaos-loop.js';
import { compareReplicas, type ReplicaComparison } from './compare-replicas.js';
import { duplicateSources, type DuplicateSources } from './duplicate-sources.js';
import { KafkajsWorkload } from './kafkajs-workload.js';
import { KeyedWorkload, type ChaosWorkload, type KeyedWorkloadResult } from './keyed-workload.js';
import { SeededRandom } from './seeded-random.js';
import { verifyLog, type VerifyLogResult } from './verify-log.js';

export interface ChaosScenarioOptions {
  cluster: TestCluster;
  acks: Acks;
  records: number;
  seed: number;
  /** Where and how the producer connects when the cluster is secured (secure-cluster.ts); absent: the PLAINTEXT listeners. */
  clients?: SecureClients;
  /** The producer: mq's own (default) or kafkajs (acks -1 always; sends of 200 records). */
  client?: 'mq' | 'kafkajs';
  /** kafkajs: send() calls in flight at once (default 1). */
  inFlight?: number;
  /** kafkajs: `idempotent: true` (mq's producer is idempotent by default with acks all). */
  idempotent?: boolean;
  /** kafkajs: spread `records` over paceMs (mq's workload always does) instead of sending at full speed for paceMs. */
  kafkajsPaced?: boolean;
  /** The nemesis' faults (default ['kill']; network faults need a cluster with netns). */
  faults?: FaultKind[];
  /** Draw the faults at random (default) or take them in turn. */
  faultOrder?: 'random' | 'cycle';
  /** How long a fault other than kill lasts. */
  minFaultMs?: number;
  maxFaultMs?: number;
  /** After reading back, stop the brokers and compare the replicas' logs (default true). */
  compareReplicas?: boolean;
  partitions?: number; // default 6
  replicationFactor?: number; // default 3
  minInsyncReplicas?: number; // default 2
  keys?: number; // default 1000
  /** How long the sending should take (the chaos lasts as long); default 70000. */
  paceMs?: number;
  /** Hard cap on the sending; default 2 * paceMs. */
  timeCapMs?: number;
  /** Chaos intervals (ms). */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  minDownMs?: number;
  maxDownMs?: number;
  /** Producer retries per batch (default effectively unbounded). */
  retries?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  topic: string;
  seed: number;
  acks: Acks;
  replicationFactor: number;
  workload: KeyedWorkloadResult;
  kills: KillEvent[];
  verify: VerifyLogResult;
  /** ms from the first send until the chaos stopped. */
  chaosMs: number;
  client: 'mq' | 'kafkajs';
  /** Whether the producer was idempotent (a duplicate is then a failure, not a statistic). */
  idempotent: boolean;
  /** The replicas' logs compared after the run (null when not compared). */
  replicas: ReplicaComparison | null;
  /** Where the duplicates came from, read from a stopped broker's log (null when the logs were not read). */
  duplicates: DuplicateSources | null;
  /** ms from the end of the chaos until every broker agreed on leaders and ISRs (-1: not within 60 s). */
  settledMs: number;
}

export async function runChaosScenario(opts: ChaosScenarioOptions): Promise<ChaosReport> {
  const { cluster } = opts;
  const log = opts.log ?? (() => {});
  const partitions = opts.partitions ?? 6;
  const replicationFactor = opts.replicationFactor ?? 3;
  const topic = uniqueTopic('chaos');
  const admin = createAdmin({ bootstrap: cluster.bootstrapList, clientId: 'mq-chaos-admin' });
  try {
    await admin.createTopic({
      topic, partitions, replicationFactor,
      configs: { 'min.insync.replicas': String(opts.minInsyncReplicas ?? 2) },
    });
  } finally {
    await admin.close();
  }
  await eventually(async () => {
    const leaders = await cluster.leaders(topic);
    return leaders.length === partitions && leaders.every((l) => l > 0);
  }, { timeoutMs: 30_000 });
  log(`chaos: topic ${topic}, ${partitions} partitions, replication factor ${replicationFactor}, acks ${opts.acks === -1 ? 'all' : opts.acks}, seed ${opts.seed}`);

  const chaos = new ChaosLoop({
    cluster, topic, random: new SeededRandom(opts.seed), log, faults: opts.faults, order: opts.faultOrder, minFaultMs: opts.minFaultMs, maxFaultMs: opts.maxFaultMs,
    minIntervalMs: opts.minIntervalMs, maxIntervalMs: opts.maxIntervalMs, minDownMs: opts.minDownMs, maxDownMs: opts.maxDownMs,
  });
  const paceMs = opts.paceMs ?? 70_000;
  const client = opts.client ?? 'mq';
  const workload: ChaosWorkload = client === 'kafkajs' ? new KafkajsWorkload({
    bootstrap: opts.clients?.bootstrap ?? cluster.bootstrapList, connection: opts.clients?.kafkajs, topic, records: opts.records, durationMs: paceMs, partitions, keys: opts.keys ?? 64,
    inFlight: opts.inFlight, idempotent: opts.idempotent, paced: opts.kafkajsPaced, onAck: (p, at, sentAt) => chaos.onAck(p, at, sentAt),
  }) : new KeyedWorkload({
    bootstrap: opts.clients?.bootstrap ?? cluster.bootstrapList, security: opts.clients?.security, topic, records: opts.records, keys: opts.keys, acks: opts.acks,
    paceMs, timeCapMs: opts.timeCapMs ?? 2 * paceMs, retries: opts.retries,
    // Past the producer's 120 s delivery timeout, so every record ends acknowledged or failed.
    flushTimeoutMs: 130_000,
    onAck: (p, at, sentAt) => chaos.onAck(p, at, sentAt),
  });
  const progress = setInterval(() => log(`chaos: ${workload.acknowledgedSoFar} acknowledged, ${workload.failedSoFar} failed`), 10_000);
  const started = Date.now();
  let chaosMs = 0;
  chaos.start();
  let result: KeyedWorkloadResult;
  try {
    // The chaos ends with the sending (not the flush); stop() is idempotent and waits for a restart.
    result = await workload.run(undefined, () => {
      chaosMs = Date.now() - started;
      void chaos.stop();
    });
  } finally {
    clearInterval(progress);
    await chaos.stop();
  }
  if (chaos.failure) throw chaos.failure;
  log(`chaos: sending done: ${result.acknowledged} acknowledged, ${result.failed} failed, ${result.unsettled} unsettled in ${result.elapsedMs} ms`);

  // Every broker runs again and every link is whole. The final read waits until the cluster has settled:
  // every broker names the same leader for every partition and every ISR is full. Reading
  // sooner can ask a leader that was cut from etcd and has not yet heard it was replaced: it serves what
  // it has up to its own high watermark, a stale end that looks like lost records (seen: a run read
  // 0.4 s after healing and missed 5,125 records that the new leader and its follower held).
  const settledMs = await waitUntilSettled(cluster, topic, replicationFactor, 60_000);
  log(settledMs >= 0 ? `chaos: cluster settled ${settledMs} ms after the chaos stopped` : 'chaos: the brokers still disagree after 60 s; reading anyway');
  const verify = await verifyLog({ bootstrap: cluster.bootstrapList, topic, workload, timeoutMs: 90_000 });
  let replicas: ReplicaComparison | null = null;
  let duplicates: DuplicateSources | null = null;
  if (opts.compareReplicas !== false && replicationFactor > 1) {
    // The followers have caught up (every ISR full): stop every broker and read their logs.
    for (const id of cluster.ids) await cluster.kill(id);
    replicas = await compareReplicas(topic, cluster.ids.map((id) => cluster.dataDir(id)));
    log(`chaos: replicas compared over ${replicas.comparedOffsets} offsets: ${replicas.divergentOffsets} divergent`);
    if (verify.duplicated > 0) duplicates = await duplicateSources(topic, cluster.dataDir(cluster.ids[0]));
  }
  // mq's producer is idempotent unless acks 0/1 turned it off.
  const idempotent = client === 'kafkajs' ? opts.idempotent === true : opts.acks === -1;
  return { topic, seed: opts.seed, acks: opts.acks, replicationFactor, workload: result, kills: chaos.events, verify, chaosMs, client, idempotent, replicas, duplicates, settledMs };
}

/**
 * Waits until every broker's own Metadata names the same leader for every partition of
 * `topic`, each with a full ISR (when the replication factor allows one); ms it took, or -1 at the limit.
 */
async function waitUntilSettled(cluster: TestCluster, topic: string, replicationFactor: number, limitMs: number): Promise<number> {
  const started = Date.now();
  const agree = async (): Promise<boolean> => {
    const views = await Promise.all(cluster.ids.map((id) => cluster.metadataFrom(id, [topic])));
    const key = (md: (typeof views)[number]): string => JSON.stringify([...md.topics[0].partitions]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => [p.leaderId, [...p.isrNodes].sort(), p.replicaNodes.length]));
    const first = views[0].topics[0].partitions;
    return first.length > 0 && first.every((p) => p.leaderId > 0 && (replicationFactor === 1 || p.isrNodes.length === p.replicaNodes.length))
      && views.every((v) => key(v) === key(views[0]));
  };
  try {
    await eventually(agree, { timeoutMs: limitMs, intervalMs: 250 });
    return Date.now() - started;
  } catch {
    return -1;
  }
}

/** The failover times of all kills (ms), one per partition the killed broker led. */
export function failoverTimes(kills: KillEvent[]): number[] {
  return kills.flatMap((k) => [...k.failoverMs.values()]);
}

/** Human-readable lines: totals, then one line per kill. */
export function formatChaosReport(r: ChaosReport): string[] {
  const w = r.workload;
  const v = r.verify;
  const fo = failoverTimes(r.kills).sort((a, b) => a - b);
  const unresolved = r.kills.reduce((n, k) => n + k.partitionsLed.filter((p) => !k.failoverMs.has(p)).length, 0);
  const pct = (q: number): string => (fo.length ? `${fo[Math.min(fo.length - 1, Math.floor(q * fo.length))]}` : '-');
  const lines = [
    `seed ${r.seed}, client ${r.client}${r.idempotent ? ' (idempotent)' : ''}, acks ${r.acks === -1 ? 'all' : r.acks}, replication factor ${r.replicationFactor}, topic ${r.topic}`,
    `sent ${w.sent}, acknowledged ${w.acknowledged}, failed-to-send ${w.failed}, unsettled ${w.unsettled}` +
      `${Object.keys(w.failures).length ? ` (${Object.entries(w.failures).map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}` +
      `, ${w.ackedPerSecond} acks/s over ${(w.elapsedMs / 1000).toFixed(1)} s, chaos ${(r.chaosMs / 1000).toFixed(1)} s` +
      `${w.unansweredResolved !== undefined ? `, kafkajs resolved without an answer ${w.unansweredResolved} (sent again)` : ''}`,
    `read back ${v.consumed}${v.complete ? '' : ' (INCOMPLETE: time ran out)'}: lost ${v.lost}, duplicated ${v.duplicated}, out of order ${v.outOfOrder}, ` +
      `unacknowledged but present ${v.unacknowledgedPresent}, acked offset rewritten ${v.ackedOffsetMismatch}, foreign ${v.foreign}, ` +
      `offsets going backwards ${v.offsetRegressions}`,
    `settled ${r.settledMs >= 0 ? `${r.settledMs} ms` : 'NOT within 60 s'} after the chaos (every broker agreeing on leaders, every ISR full)`,
    ...(r.duplicates ? [`duplicates: ${r.duplicates.sameSequence} stored twice under one producer sequence (the broker's fault), ${r.duplicates.resent} sent again by the client as new records`] : []),
    r.replicas ? `replicas compared over ${r.replicas.comparedOffsets} offsets in ${r.replicas.partitions} partitions: ${r.replicas.divergentOffsets} divergent` : 'replicas not compared',
    `faults ${r.kills.length}; failover ms (fault -> a probe's first ack on a partition the victim led): n=${fo.length}, min ${fo[0] ?? '-'}, ` +
      `median ${pct(0.5)}, p90 ${pct(0.9)}, max ${fo[fo.length - 1] ?? '-'}, never ${unresolved}`,
  ];
  for (const k of r.kills) {
    const per = k.partitionsLed.map((p) => `p${p} ${k.failoverMs.get(p) ?? 'never'} (client ${k.clientFailoverMs.get(p) ?? 'never'})`).join(', ');
    lines.push(`  ${k.kind} #${k.index} at ${(k.killedAtMs / 1000).toFixed(1)} s: broker ${k.brokerId} (${k.reason}), down ${k.downMs} ms, ` +
      `${k.upAtMs >= 0 ? `up at ${(k.upAtMs / 1000).toFixed(1)} s` : `NOT restarted: ${k.restartError}`}; failover ${per || '-'}`);
  }
  if (v.samples.lost.length) lines.push(`  lost e.g. ${v.samples.lost.join('; ')}`);
  if (v.samples.outOfOrder.length) lines.push(`  out of order e.g. ${v.samples.outOfOrder.join('; ')}`);
  if (v.samples.foreign.length) lines.push(`  foreign e.g. ${v.samples.foreign.join('; ')}`);
  if (r.replicas?.samples.length) lines.push(`  divergent e.g. ${r.replicas.samples.join('; ')}`);
  if (r.duplicates?.samples.length) lines.push(`  duplicated e.g. ${r.duplicates.samples.join('; ')}`);
  return lines;
}
