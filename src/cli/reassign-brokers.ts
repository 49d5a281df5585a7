// `mq reassign execute|status|throttle|cancel` and `mq brokers decommission` through the brokers (-b),
// the way Kafka's tools work since KIP-455: AlterPartitionReassignments / ListPartitionReassignments,
// the throttle as the broker config follower.replication.throttled.rate, Metadata for leaders and ISRs,
// and each broker's admin endpoint (found with DescribeConfigs admin.listeners) for the copy progress.
// With --etcd the same verbs talk to etcd instead (reassign.ts); ReassignBackend is what both offer.
import type { ReassignmentPlan } from '../cluster/reassignment-plan.js';
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import type { EtcdStore } from '../cluster/etcd-store.js';
import type { EtcdTarget } from './etcd-target.js';
import type { AdminHttpClient } from '../client/admin-http.js';
import { connectEtcd } from './etcd-discovery.js';
import {
  fetchPartitionViews, previousSizes, readReassignStatus, reassignCancel, reassignExecute, reassignThrottle, statusOf, type ReassignmentStatus,
} from './reassign.js';

/** The reassignment verbs, over etcd or over the brokers. */
export interface ReassignBackend {
  /** Starts the plan's moves; refuses (nothing started) when one of its partitions is missing or moving. Returns how many. */
  execute(plan: ReassignmentPlan, throttleBytesPerSec?: number): Promise<number>;
  /** The moves in progress; with `previous`, rates and ETAs. */
  status(previous?: ReassignmentStatus[]): Promise<ReassignmentStatus[]>;
  /** Sets or removes the throttle of the moves in progress; how many partitions it applies to. */
  throttle(bytesPerSec: number | null): Promise<number>;
  /** Rolls back every unfinished move; how many. */
  cancel(): Promise<number>;
  /** `--etcd URL` or `-b HOST:PORT`, for hints that repeat the command. */
  readonly flag: string;
  close(): Promise<void>;
}

/** `http` reaches the admin endpoints for each new replica's progress (https://, credentials). */
export function etcdBackend(etcd: EtcdTarget, http?: AdminHttpClient): ReassignBackend {
  let store: Promise<EtcdStore> | null = null;
  return {
    flag: `--etcd ${etcd.endpoints}`,
    execute: (plan, throttle) => reassignExecute(etcd, plan, throttle),
    // The live view asks every second: one connection for all of them.
    status: async (previous) => readReassignStatus(await (store ??= connectEtcd(etcd)), previous, http),
    throttle: (rate) => reassignThrottle(etcd, rate),
    cancel: () => reassignCancel(etcd),
    close: async () => { if (store) await (await store).close(); },
  };
}

export function brokersBackend(admin: Admin, bootstrap: string[], http?: AdminHttpClient): ReassignBackend {
  return {
    flag: `-b ${bootstrap.join(',')}`,
    execute: (plan, throttle) => executeViaBrokers(admin, plan, throttle),
    status: (previous) => statusViaBrokers(admin, previous, http),
    throttle: (rate) => throttleViaBrokers(admin, rate),
    cancel: () => cancelViaBrokers(admin),
    close: async () => undefined,
  };
}

/**
 * Checks the plan against Metadata and the moves in progress (nothing is started when a partition is
 * missing or moving), then AlterPartitionReassignments; with a throttle, sets it once the moves run.
 */
export async function executeViaBrokers(admin: Admin, plan: ReassignmentPlan, throttleBytesPerSec?: number): Promise<number> {
  if (plan.partitions.length === 0) return 0;
  const topics = [...new Set(plan.partitions.map((p) => p.topic))];
  const md = await admin.metadata(topics);
  const moving = new Set((await admin.listPartitionReassignments(null)).map((r) => `${r.topic}/${r.partition}`));
  for (const p of plan.partitions) {
    const t = md.topics.find((x) => x.name === p.topic && x.errorCode === 0);
    const part = t?.partitions.find((x) => x.partition === p.partition);
    if (!part || part.replicas.length === 0) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${p.topic}-${p.partition} does not exist`);
    if (moving.has(`${p.topic}/${p.partition}`)) {
      throw new MqError('INVALID_ARGUMENT', `${p.topic}-${p.partition} is being reassigned already`, { hint: 'Wait for `mq reassign status` to show it done, or run `mq reassign cancel`.' });
    }
  }
  const results = await admin.alterPartitionReassignments(plan.partitions.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })));
  const failed = results.filter((r) => r.error !== null);
  if (throttleBytesPerSec && failed.length < results.length) {
    // Straight to the config (the broker reads the moves from the store, not from a cache that may lag);
    // INVALID_CONFIG here means every move has finished already.
    await admin.setReassignmentThrottle(throttleBytesPerSec).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'INVALID_CONFIG') throw err;
    });
  }
  if (failed.length > 0) {
    const started = results.length - failed.length;
    throw new MqError(failed[0].error!, `${failed.length} of ${results.length} moves refused: ${failed.map((f) => `${f.topic}-${f.partition}: ${f.message ?? f.error}`).join('; ')}`
      + (started > 0 ? ` (the other ${started} started)` : ''), { hint: 'See `mq reassign status`; fix the plan and execute the refused partitions again.' });
  }
  return results.length;
}

/** The moves in progress from ListPartitionReassignments, Metadata and the admin endpoints. */
export async function statusViaBrokers(admin: Admin, previous?: ReassignmentStatus[], http?: AdminHttpClient): Promise<ReassignmentStatus[]> {
  const atMs = Date.now();
  const ongoing = await admin.listPartitionReassignments(null);
  if (ongoing.length === 0) return [];
  const md = await admin.metadata([...new Set(ongoing.map((r) => r.topic))]);
  const throttle = await admin.describeReassignmentThrottle();
  const endpoints = await Promise.all(md.brokers.map(async (b) => ({ brokerId: b.nodeId, host: b.host, adminPort: await adminPortOf(admin, b.nodeId) })));
  const views = await fetchPartitionViews(endpoints, http);
  const before = previousSizes(previous);
  return ongoing.map((r) => {
    const p = md.topics.find((t) => t.name === r.topic)?.partitions.find((x) => x.partition === r.partition);
    return statusOf({
      topic: r.topic, partition: r.partition, state: 'moving', replicas: r.replicas,
      target: r.replicas.filter((b) => !r.removing.includes(b)), adding: r.adding, removing: r.removing,
      leader: p?.leader ?? -1, isr: p?.isr ?? [], throttleBytesPerSec: throttle,
    }, views, before, atMs);
  });
}

/** How long a broker may take to say where its admin endpoint is (a broker that does not answer shows progress "?"). */
const ADMIN_TIMEOUT_MS = 3000;

/** The port of broker `id`'s admin endpoint (its admin.listeners), null when it has none or does not say. */
async function adminPortOf(admin: Admin, id: number): Promise<number | null> {
  try {
    const value = (await admin.describeBrokerConfig(id, ['admin.listeners'], ADMIN_TIMEOUT_MS))['admin.listeners'];
    const m = value ? /:(\d+)$/.exec(value) : null;
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function throttleViaBrokers(admin: Admin, bytesPerSec: number | null): Promise<number> {
  const moving = await admin.listPartitionReassignments(null);
  if (moving.length === 0) return 0;
  await admin.setReassignmentThrottle(bytesPerSec);
  return moving.length;
}

/** Cancels every move in progress; one that finished meanwhile (NO_REASSIGNMENT_IN_PROGRESS) is not counted. */
export async function cancelViaBrokers(admin: Admin): Promise<number> {
  const moving = await admin.listPartitionReassignments(null);
  if (moving.length === 0) return 0;
  const results = await admin.alterPartitionReassignments(moving.map((r) => ({ topic: r.topic, partition: r.partition, replicas: null })));
  const failed = results.filter((r) => r.error !== null && r.error !== 'NO_REASSIGNMENT_IN_PROGRESS');
  if (failed.length > 0) {
    throw new MqError(failed[0].error!, `cancel refused for ${failed.map((f) => `${f.topic}-${f.partition}: ${f.message ?? f.error}`).join('; ')}`);
  }
  return results.filter((r) => r.error === null).length;
}
