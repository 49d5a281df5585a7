// `mq brokers decommission ID` (issue 8, "brokers in and out"): move every replica off broker ID onto the
// other registered brokers, then (with --wait) follow the moves until the broker holds and leads nothing.
// The plan is `mq reassign plan --brokers <every registered broker but ID>` and is started like
// `mq reassign execute` (reassign.ts); the controller adds the new replicas before dropping ID's, and
// hands leadership on when ID led a partition, so the ISR never shrinks below the replication factor
// for the move. Progress is read from etcd (`topics/` replica lists, `partitions/` leaders) with --etcd,
// or from Metadata through the brokers with -b alone; the moves still running come from the same
// ReassignBackend as `mq reassign status` (reassign-brokers.ts).
import { readRegistrations } from '../cluster/broker-registry.js';
import type { ReassignmentPlan } from '../cluster/reassignment-plan.js';
import type { PartitionState, TopicRecord } from '../cluster/topic-records.js';
import type { AdminHttpClient } from '../client/admin-http.js';
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { progressText, reassignPlan, withEtcd, type ReassignmentStatus } from './reassign.js';
import { brokersBackend, etcdBackend, type ReassignBackend } from './reassign-brokers.js';
import type { EtcdTarget } from './etcd-target.js';

/** Where a decommission reads the cluster: etcd (--etcd) or the brokers (-b). */
export interface DecommissionSource {
  /** The brokers registered now. */
  registered(): Promise<number[]>;
  /** Partitions ("topic-p") whose replica list names `broker`, and how many it leads. */
  held(broker: number): Promise<{ holding: string[]; leading: number }>;
  readonly backend: ReassignBackend;
}

/** `http` reads the brokers' admin endpoints (with the command's credentials when they ask for some). */
export function etcdDecommissionSource(etcd: EtcdTarget, http?: AdminHttpClient): DecommissionSource {
  return {
    backend: etcdBackend(etcd, http),
    registered: async () => [...(await registeredBrokers(etcd)).keys()],
    held: (broker) => withEtcd(etcd, async (store) => {
      const holding: string[] = [];
      for (const kv of await store.range('topics/')) {
        const topic = kv.key.slice('topics/'.length);
        const record = JSON.parse(kv.value) as TopicRecord;
        record.replicas.forEach((list, p) => { if (list.includes(broker)) holding.push(`${topic}-${p}`); });
      }
      let leading = 0;
      for (const kv of await store.range('partitions/')) {
        if ((JSON.parse(kv.value) as PartitionState).leader === broker) leading++;
      }
      return { holding, leading };
    }),
  };
}

export function brokersDecommissionSource(admin: Admin, bootstrap: string[], http?: AdminHttpClient): DecommissionSource {
  return {
    backend: brokersBackend(admin, bootstrap, http),
    // Metadata lists the brokers registered now (in cluster mode, those holding their etcd lease).
    registered: async () => (await admin.metadata([])).brokers.map((b) => b.nodeId),
    held: async (broker) => {
      const md = await admin.metadata(null);
      const holding: string[] = [];
      let leading = 0;
      for (const t of md.topics) {
        for (const p of t.partitions) {
          if (p.replicas.includes(broker)) holding.push(`${t.name}-${p.partition}`);
          if (p.leader === broker) leading++;
        }
      }
      return { holding, leading };
    },
  };
}

export interface DecommissionStart {
  broker: number;
  /** The brokers that take over (every registered broker but `broker`). */
  targets: number[];
  /** Partitions whose replica list named `broker` when the plan was made. */
  holding: number;
  /** Partitions whose replica list changes (the plan also evens out the remaining brokers). */
  moving: number;
  plan: ReassignmentPlan;
}

/** The brokers registered in etcd now, as "host:port" by id. */
export async function registeredBrokers(etcd: EtcdTarget): Promise<Map<number, string>> {
  return withEtcd(etcd, async (store) => new Map((await readRegistrations(store)).map((b) => [b.brokerId, `${b.host}:${b.port}`] as const)));
}

/**
 * Plans and requests the moves off `broker`. Refuses (nothing written) when the other registered brokers
 * are fewer than some topic's replication factor. Writes nothing when `broker` holds no replica.
 */
export async function decommissionStart(admin: Admin, source: DecommissionSource, broker: number, throttleBytesPerSec?: number): Promise<DecommissionStart> {
  const targets = (await source.registered()).filter((id) => id !== broker).sort((a, b) => a - b);
  const md = await admin.metadata(null);
  let holding = 0;
  for (const t of md.topics) {
    if (t.errorCode !== 0) continue;
    const rf = Math.max(0, ...t.partitions.map((p) => p.replicas.length));
    const holds = t.partitions.filter((p) => p.replicas.includes(broker)).length;
    holding += holds;
    if (holds > 0 && rf > targets.length) {
      throw new MqError('INVALID_ARGUMENT',
        `cannot decommission broker ${broker}: topic '${t.name}' has replication factor ${rf} but only ${targets.length} other broker${targets.length === 1 ? ' is' : 's are'} registered (${targets.join(',') || 'none'})`,
        { hint: 'Start another broker first (a new --id), or lower the topic\'s replication factor.' });
    }
  }
  if (holding === 0) return { broker, targets, holding, moving: 0, plan: { version: 1, partitions: [] } };
  const plan = await reassignPlan(admin, targets);
  const moving = await source.backend.execute(plan, throttleBytesPerSec);
  return { broker, targets, holding, moving, plan };
}

export interface DecommissionProgress {
  broker: number;
  /** Partitions ("topic-p") whose replica list still names the broker. */
  holding: string[];
  /** How many of them the broker leads. */
  leading: number;
  /** Reassignments in progress or requested, anywhere in the cluster. */
  moving: ReassignmentStatus[];
  /** Nothing moving and the broker neither holds nor leads a partition: safe to stop. */
  done: boolean;
}

/** Where the decommission of `broker` stands. */
export async function decommissionProgress(source: DecommissionSource, broker: number): Promise<DecommissionProgress> {
  const { holding, leading } = await source.held(broker);
  const moving = await source.backend.status();
  return { broker, holding, leading, moving, done: moving.length === 0 && holding.length === 0 && leading === 0 };
}

/** "broker 4: 5 partitions left (2 led by it); moving orders-0 [3: 1.2 MB/3.0 MB (40%)], orders-1 [1: in sync]" */
export function decommissionProgressLine(p: DecommissionProgress): string {
  const n = p.holding.length;
  const head = `broker ${p.broker}: ${n} partition${n === 1 ? '' : 's'} left (${p.leading} led by it)`;
  if (p.moving.length === 0) return head;
  return `${head}; moving ${p.moving.map((s) => `${s.topic}-${s.partition} [${progressText(s)}]`).join(', ')}`;
}

export function safeToStopLine(broker: number): string {
  return `broker ${broker} holds no replicas; it is safe to stop it`;
}

/**
 * `--wait --timeout S` ran out: what is still left, that the moves go on without us, and how to follow
 * them. Exit status 1 (REQUEST_TIMED_OUT).
 */
export function decommissionTimeoutError(p: DecommissionProgress, timeoutS: number, flag: string): MqError {
  const n = p.holding.length;
  const left = n > 0
    ? `broker ${p.broker} still holds ${n} partition${n === 1 ? '' : 's'} (${p.leading} led by it)`
    : `broker ${p.broker} still leads ${p.leading} partition${p.leading === 1 ? '' : 's'}`;
  const moving = p.moving.length > 0 ? `; still moving: ${p.moving.map((s) => `${s.topic}-${s.partition} [${progressText(s)}]`).join(', ')}` : '';
  return new MqError('REQUEST_TIMED_OUT', `timed out after ${timeoutS} s: ${left}${moving}. The moves continue in the background`, {
    hint: `Do not stop broker ${p.broker} yet. Follow the moves with \`mq reassign status ${flag}\`, or wait again with \`mq brokers decommission ${p.broker} ${flag} --wait\`.`,
  });
}
