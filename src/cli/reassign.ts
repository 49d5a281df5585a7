// `mq reassign plan|execute|status|cancel` (issue 8). plan reads the current replica lists from
// Metadata and prints reassignment-plan.ts's plan; the others talk to etcd: execute and cancel write
// requests under `reassignment-requests/` (the controller applies them, reassignment-requests.ts), status
// reads `reassignments/` and asks each broker's admin endpoint (/v1/partitions) how far the adding
// replicas have caught up with their leader.
import { readRegistrations } from '../cluster/broker-registry.js';
import type { EtcdStore } from '../cluster/etcd-store.js';
import type { EtcdTarget } from './etcd-target.js';
import { AdminHttpClient } from '../client/admin-http.js';
import { connectEtcd } from './etcd-discovery.js';
import { planReassignment, type PlanPartition, type ReassignmentPlan } from '../cluster/reassignment-plan.js';
import { REASSIGNMENT_REQUESTS_PREFIX, requestThrottle } from '../cluster/reassignment-requests.js';
import { REASSIGNMENTS_PREFIX, type Reassignment } from '../cluster/replica-restore.js';
import type { PartitionView } from '../metrics/views.js';
import type { Admin } from '../client/types.js';
import type { PartitionState, TopicRecord } from '../cluster/topic-records.js';
import { MqError } from '../util/mq-error.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import { formatByteRate, formatEta, progressFigures, type ProgressFigures } from './reassign-progress.js';
import { formatBytes } from '../util/units.js';

/** `--brokers 1,2,3,4` */
export function parseBrokerIds(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const ids = parts.map((s) => Number(s));
  if (ids.length === 0 || !ids.every((id) => Number.isInteger(id) && id >= 0) || parts.some((s) => !/^\d+$/.test(s))) {
    throw new MqError('INVALID_ARGUMENT', `'${raw}' is not a comma-separated list of broker ids`, { hint: 'Pass --brokers 1,2,3.' });
  }
  if (new Set(ids).size !== ids.length) throw new MqError('INVALID_ARGUMENT', `'${raw}' lists a broker twice`);
  return ids;
}

/** The plan that spreads `topics` (default: every topic) over `brokerIds`, from the cluster's Metadata. */
export async function reassignPlan(admin: Admin, brokerIds: number[], topics?: string[]): Promise<ReassignmentPlan> {
  const md = await admin.metadata(topics ?? null);
  const partitions: PlanPartition[] = [];
  for (const t of md.topics) {
    if (t.errorCode !== 0) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${t.name}' does not exist`);
    for (const p of t.partitions) partitions.push({ topic: t.name, partition: p.partition, replicas: p.replicas });
  }
  const racks = new Map(md.brokers.map((b) => [b.nodeId, b.rack]));
  return planReassignment({ partitions, brokers: brokerIds.map((brokerId) => ({ brokerId, rack: racks.get(brokerId) ?? null })) });
}

export async function withEtcd<T>(etcd: EtcdTarget, fn: (store: EtcdStore) => Promise<T>): Promise<T> {
  const store = await connectEtcd(etcd);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Writes one request per plan entry; refuses (nothing written) when a named partition is already being
 * reassigned or does not exist. Returns how many requests were written.
 */
export async function reassignExecute(etcd: EtcdTarget, plan: ReassignmentPlan, throttleBytesPerSec?: number): Promise<number> {
  return withEtcd(etcd, async (store) => {
    const running = new Set((await store.range(REASSIGNMENTS_PREFIX)).map((kv) => kv.key.slice(REASSIGNMENTS_PREFIX.length)));
    const topics = new Map<string, TopicRecord | null>();
    for (const p of plan.partitions) {
      if (!topics.has(p.topic)) {
        const kv = await store.get(`topics/${p.topic}`);
        topics.set(p.topic, kv ? JSON.parse(kv.value) as TopicRecord : null);
      }
      const record = topics.get(p.topic);
      if (!record || (record.replicas[p.partition]?.length ?? 0) === 0) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${p.topic}-${p.partition} does not exist`);
      if (running.has(`${p.topic}/${p.partition}`)) {
        throw new MqError('INVALID_ARGUMENT', `${p.topic}-${p.partition} is being reassigned already`, { hint: 'Wait for `mq reassign status` to show it done, or run `mq reassign cancel`.' });
      }
    }
    for (const p of plan.partitions) {
      await store.put(`${REASSIGNMENT_REQUESTS_PREFIX}${p.topic}/${p.partition}`, JSON.stringify({ replicas: p.replicas, ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}) }));
    }
    return plan.partitions.length;
  });
}

/** `--throttle 2.5` (MB/s, 1 MB = 10^6 bytes) -> 2500000 bytes/s; with `allowNone`, "none" -> null. */
export function parseThrottle(raw: string, allowNone = false): number | null {
  const text = raw.trim();
  if (allowNone && text.toLowerCase() === 'none') return null;
  const mb = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
  const bytes = Math.round(mb * 1_000_000);
  if (!Number.isFinite(mb) || bytes < 1) {
    throw new MqError('INVALID_ARGUMENT', `throttle '${raw}' is not a positive number of MB/s`, {
      hint: allowNone ? 'Pass a rate in MB/s (e.g. 10 or 0.5), or none to remove the throttle.' : 'Pass a rate in MB/s, e.g. --throttle 10 (1 MB = 1,000,000 bytes).',
    });
  }
  return bytes;
}

/**
 * Sets (bytes/s) or removes (null) the throttle of every reassignment in progress and of requests not
 * applied yet, through etcd (reassignment-requests.ts requestThrottle). Returns how many partitions it changed.
 */
export async function reassignThrottle(etcd: EtcdTarget, throttleBytesPerSec: number | null): Promise<number> {
  return withEtcd(etcd, (store) => requestThrottle(store, throttleBytesPerSec));
}

/** Asks the controller to roll back every unfinished reassignment (and drops requests not applied yet). Returns how many. */
export async function reassignCancel(etcd: EtcdTarget): Promise<number> {
  return withEtcd(etcd, async (store) => {
    const keys = new Set([
      ...(await store.range(REASSIGNMENTS_PREFIX)).map((kv) => kv.key.slice(REASSIGNMENTS_PREFIX.length)),
      ...(await store.range(REASSIGNMENT_REQUESTS_PREFIX)).map((kv) => kv.key.slice(REASSIGNMENT_REQUESTS_PREFIX.length)),
    ]);
    for (const key of keys) await store.put(`${REASSIGNMENT_REQUESTS_PREFIX}${key}`, JSON.stringify({ cancel: true }));
    return keys.size;
  });
}

export interface AddingProgress extends ProgressFigures {
  broker: number;
  /** The adding replica's log end offset; null when its admin endpoint did not answer or it has no log yet. */
  logEndOffset: number | null;
  /** The adding replica's log size in bytes; null when unknown. */
  sizeBytes: number | null;
  inIsr: boolean;
}

export interface ReassignmentStatus {
  topic: string;
  partition: number;
  /** 'moving': a reassignment record; 'requested': a request the controller has not applied yet. */
  state: 'moving' | 'requested' | 'cancelling';
  replicas: number[];
  target: number[];
  adding: number[];
  removing: number[];
  leader: number;
  /** The leader's log end offset; null when unknown. */
  leaderLogEndOffset: number | null;
  /** The leader's log size in bytes; null when unknown. */
  leaderSizeBytes: number | null;
  /** The move's throttle (`--throttle`), bytes/s; null when unthrottled. */
  throttleBytesPerSec: number | null;
  progress: AddingProgress[];
  /** When this status was read (ms since the epoch); rates compare two of them. */
  atMs: number;
}

const ADMIN_TIMEOUT_MS = 3000;

/**
 * The reassignments in progress (and requests not yet applied), in topic and partition order. With
 * `previous` (an earlier answer) each adding replica gets a copy rate and an ETA.
 */
export async function reassignStatus(etcd: EtcdTarget, previous?: ReassignmentStatus[]): Promise<ReassignmentStatus[]> {
  return withEtcd(etcd, (store) => readReassignStatus(store, previous));
}

/** reassignStatus() on an open store (the live view keeps one connection). */
export async function readReassignStatus(store: Pick<MetadataStore, 'get' | 'range'>, previous?: ReassignmentStatus[], http?: AdminHttpClient): Promise<ReassignmentStatus[]> {
  const atMs = Date.now();
  const before = previousSizes(previous);
  const records = await store.range(REASSIGNMENTS_PREFIX);
  const requests = await store.range(REASSIGNMENT_REQUESTS_PREFIX);
  if (records.length === 0 && requests.length === 0) return [];
  const views = await fetchPartitionViews(await readRegistrations(store as MetadataStore), http);
  const out = new Map<string, ReassignmentStatus>();
  const topicCache = new Map<string, TopicRecord | null>();
  const describe = async (id: string, r: Reassignment | null, state: ReassignmentStatus['state'], requested: number[], requestedThrottle?: number): Promise<ReassignmentStatus> => {
    const slash = id.lastIndexOf('/');
    const topic = id.slice(0, slash);
    const partition = Number(id.slice(slash + 1));
    if (!topicCache.has(topic)) {
      const kv = await store.get(`topics/${topic}`);
      topicCache.set(topic, kv ? JSON.parse(kv.value) as TopicRecord : null);
    }
    const replicas = topicCache.get(topic)?.replicas[partition] ?? [];
    const stateKv = await store.get(`partitions/${topic}/${partition}`);
    const ps = stateKv ? JSON.parse(stateKv.value) as PartitionState : null;
    return statusOf({
      topic, partition, state, replicas,
      target: r?.target ?? requested,
      adding: r?.adding ?? requested.filter((b) => !replicas.includes(b)),
      removing: r?.removing ?? replicas.filter((b) => requested.length > 0 && !requested.includes(b)),
      leader: ps?.leader ?? -1,
      isr: ps?.isr ?? [],
      throttleBytesPerSec: r?.throttleBytesPerSec ?? requestedThrottle ?? null,
    }, views, before, atMs);
  };
  for (const kv of records) {
    const id = kv.key.slice(REASSIGNMENTS_PREFIX.length);
    out.set(id, await describe(id, JSON.parse(kv.value) as Reassignment, 'moving', []));
  }
  for (const kv of requests) {
    const id = kv.key.slice(REASSIGNMENT_REQUESTS_PREFIX.length);
    const req = JSON.parse(kv.value) as { replicas?: number[]; cancel?: boolean; throttleBytesPerSec?: number };
    if (req.cancel) {
      const existing = out.get(id);
      if (existing) existing.state = 'cancelling';
      continue;
    }
    if (!Array.isArray(req.replicas)) continue; // a throttle change
    if (!out.has(id)) out.set(id, await describe(id, null, 'requested', req.replicas, req.throttleBytesPerSec));
  }
  return [...out.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/** "topic/partition/broker" -> an adding replica's size in an earlier answer, and when that was read. */
export type PreviousSizes = Map<string, { sizeBytes: number | null; atMs: number }>;

export function previousSizes(previous?: ReassignmentStatus[]): PreviousSizes {
  return new Map((previous ?? []).flatMap((s) => s.progress.map((p) => [`${s.topic}/${s.partition}/${p.broker}`, { sizeBytes: p.sizeBytes, atMs: s.atMs }] as const)));
}

/** "broker/topic/partition" -> that replica's view from the broker's admin endpoint (/v1/partitions). */
export type PartitionViews = Map<string, PartitionView>;

/** Asks every broker's admin endpoint for its replicas; a broker that does not answer is left out (its progress shows as unknown). */
export async function fetchPartitionViews(brokers: { brokerId: number; host: string; adminPort: number | null }[], http = new AdminHttpClient()): Promise<PartitionViews> {
  const views: PartitionViews = new Map();
  await Promise.all(brokers.filter((b) => b.adminPort !== null).map(async (b) => {
    try {
      const list = await http.getJson<PartitionView[]>(`${b.host}:${b.adminPort}`, '/v1/partitions', ADMIN_TIMEOUT_MS);
      for (const v of list) views.set(`${b.brokerId}/${v.topic}/${v.partition}`, v);
    } catch {
      // That broker's progress shows as unknown.
    }
  }));
  return views;
}

export interface StatusInput {
  topic: string;
  partition: number;
  state: ReassignmentStatus['state'];
  replicas: number[];
  target: number[];
  adding: number[];
  removing: number[];
  leader: number;
  isr: number[];
  throttleBytesPerSec: number | null;
}

/** One partition's status, with each adding replica's progress from the admin endpoints' views. */
export function statusOf(i: StatusInput, views: PartitionViews, before: PreviousSizes, atMs: number): ReassignmentStatus {
  const leaderView = views.get(`${i.leader}/${i.topic}/${i.partition}`);
  const leaderSizeBytes = leaderView?.sizeBytes ?? null;
  return {
    topic: i.topic, partition: i.partition, state: i.state, replicas: i.replicas, target: i.target, adding: i.adding, removing: i.removing,
    leader: i.leader,
    leaderLogEndOffset: leaderView?.logEndOffset ?? null,
    leaderSizeBytes,
    throttleBytesPerSec: i.throttleBytesPerSec,
    progress: i.adding.map((broker) => {
      const view = views.get(`${broker}/${i.topic}/${i.partition}`);
      const sizeBytes = view?.sizeBytes ?? null;
      const inIsr = i.isr.includes(broker);
      const prev = before.get(`${i.topic}/${i.partition}/${broker}`);
      return {
        broker, logEndOffset: view?.logEndOffset ?? null, sizeBytes, inIsr,
        ...progressFigures({ sizeBytes, leaderSizeBytes, inIsr, previousSizeBytes: prev?.sizeBytes, elapsedMs: prev ? atMs - prev.atMs : undefined }),
      };
    }),
    atMs,
  };
}

export const REASSIGN_STATUS_HEADERS = ['TOPIC', 'PARTITION', 'STATE', 'REPLICAS', 'TARGET', 'ADDING', 'REMOVING', 'PROGRESS', 'RATE', 'ETA', 'THROTTLE'];

/** Each adding replica's value; prefixed with its broker id when there are several. */
function perAdding(s: ReassignmentStatus, text: (p: AddingProgress) => string): string {
  if (s.progress.length === 0) return '-';
  if (s.progress.length === 1) return text(s.progress[0]);
  return s.progress.map((p) => `${p.broker}: ${text(p)}`).join(', ');
}

/** Progress of each adding replica: "4: 12.0 MB/50.0 MB (24%)", "4: in sync", "4: ?" when unknown. */
export function progressText(s: ReassignmentStatus): string {
  if (s.progress.length === 0) return s.state === 'requested' ? 'waiting for the controller' : '-';
  return s.progress.map((p) => {
    if (p.inIsr) return `${p.broker}: in sync`;
    if (p.sizeBytes === null || s.leaderSizeBytes === null) return `${p.broker}: ?`;
    return `${p.broker}: ${formatBytes(p.sizeBytes)}/${formatBytes(s.leaderSizeBytes)} (${p.percent ?? 0}%)`;
  }).join(', ');
}

export function reassignStatusRows(list: ReassignmentStatus[]): string[][] {
  const ids = (l: number[]): string => (l.length === 0 ? '-' : l.join(','));
  return list.map((s) => [
    s.topic, String(s.partition), s.state, ids(s.replicas), ids(s.target), ids(s.adding), ids(s.removing), progressText(s),
    perAdding(s, (p) => formatByteRate(p.rateBytesPerSec)), perAdding(s, (p) => formatEta(p.etaSeconds)),
    s.throttleBytesPerSec ? formatByteRate(s.throttleBytesPerSec) : '-',
  ]);
}
