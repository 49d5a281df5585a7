// Reassignment planning (issue 8, `mq reassign plan`): given every partition's replica list and the
// brokers that should carry them, the replica moves that balance the load. A pure function, unit-tested
// without a cluster; its output is Kafka's reassignment JSON:
//   {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}, ...]}
// listing only the partitions whose replica list changes.
//
// Rules:
//   - a replica on a broker outside the target set always moves (decommission);
//   - then, while a broker carries more than ceil(mean) replicas or fewer than floor(mean), one replica
//     moves from the most loaded broker to the least loaded one (each such move is needed, so the count
//     of moves is the fewest that reach that balance, which is within the ceil(mean)+1 the issue asks);
//   - never two replicas of a partition on one broker; with racks known, a move goes to a broker whose
//     rack the partition does not use yet when there is one;
//   - a new broker takes the place (index) of the one it replaces, so a moved leader's slot is taken by
//     its replacement; then leaders (first replicas) are spread (at most 1 apart where the replica
//     lists allow) by reordering replica lists (a reorder moves no data).
import { MqError } from '../util/mq-error.js';
import type { PlacementBroker } from './placement.js';

export interface PlanPartition { topic: string; partition: number; replicas: number[] }

/** Kafka's reassignment JSON (kafka-reassign-partitions.sh --reassignment-json-file). */
export interface ReassignmentPlan { version: 1; partitions: PlanPartition[] }

export interface PlanInput {
  partitions: PlanPartition[];
  /** The brokers to carry the replicas afterwards (rack null = unknown). */
  brokers: PlacementBroker[];
}

export function planReassignment(input: PlanInput): ReassignmentPlan {
  const brokers = [...input.brokers].sort((a, b) => a.brokerId - b.brokerId);
  if (brokers.length === 0) throw new MqError('INVALID_ARGUMENT', 'no target brokers given');
  const ids = brokers.map((b) => b.brokerId);
  const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
  const parts = [...input.partitions]
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((p) => ({ topic: p.topic, partition: p.partition, before: [...p.replicas], replicas: [...p.replicas] }));
  for (const p of parts) {
    if (p.replicas.length > brokers.length) {
      throw new MqError('INVALID_ARGUMENT', `${p.topic}-${p.partition} has ${p.replicas.length} replicas but only ${brokers.length} target brokers are given`);
    }
  }
  const count = new Map<number, number>(ids.map((id) => [id, 0]));
  for (const p of parts) for (const id of p.replicas) if (count.has(id)) count.set(id, count.get(id)! + 1);

  const racksUsed = (list: number[], except: number): Set<string> =>
    new Set(list.filter((id) => id !== except).map((id) => rackOf.get(id)).filter((r): r is string => typeof r === 'string'));
  /** The least loaded target broker that may take `from`'s place in `list` (rack-new first); null if none. */
  const destination = (list: number[], from: number): number | null => {
    const used = racksUsed(list, from);
    let best: number | null = null;
    let bestKey: number[] = [];
    for (const id of ids) {
      if (list.includes(id)) continue;
      const rack = rackOf.get(id);
      const key = [rack !== null && rack !== undefined && used.has(rack) ? 1 : 0, count.get(id)!, id];
      if (best === null || less(key, bestKey)) { best = id; bestKey = key; }
    }
    return best;
  };
  const move = (list: number[], from: number, to: number): void => {
    list[list.indexOf(from)] = to;
    if (count.has(from)) count.set(from, count.get(from)! - 1);
    count.set(to, count.get(to)! + 1);
  };

  // 1. Replicas on brokers outside the target set.
  for (const p of parts) {
    for (const id of [...p.replicas]) {
      if (count.has(id)) continue;
      const to = destination(p.replicas, id);
      if (to === null) throw new MqError('INVALID_ARGUMENT', `no target broker can take ${p.topic}-${p.partition}'s replica from broker ${id}`);
      move(p.replicas, id, to);
    }
  }

  // 2. Replica counts into [floor(mean), ceil(mean)].
  const total = parts.reduce((n, p) => n + p.replicas.length, 0);
  const low = Math.floor(total / ids.length);
  const high = Math.ceil(total / ids.length);
  for (let guard = 0; guard < total * ids.length + 1; guard++) {
    const sorted = [...ids].sort((a, b) => count.get(b)! - count.get(a)! || a - b);
    const most = sorted[0];
    const least = sorted[sorted.length - 1];
    if (count.get(most)! <= high && count.get(least)! >= low) break;
    if (count.get(most)! - count.get(least)! < 2) break;
    // A partition on `most` that `least` does not carry; prefer keeping racks distinct, then followers
    // (moving a follower leaves the partition's leadership alone).
    let chosen: { list: number[]; key: number[] } | null = null;
    for (const p of parts) {
      if (!p.replicas.includes(most) || p.replicas.includes(least)) continue;
      const rack = rackOf.get(least);
      const key = [rack !== null && rack !== undefined && racksUsed(p.replicas, most).has(rack) ? 1 : 0, p.replicas[0] === most ? 1 : 0];
      if (chosen === null || less(key, chosen.key)) chosen = { list: p.replicas, key };
    }
    if (chosen === null) break;
    move(chosen.list, most, least);
  }

  // 3. Leaders: hand leadership to a follower of the same partition that leads at least 2 fewer
  // partitions, until no such pair is left (each swap narrows the spread; a reorder moves no data).
  const leaders = new Map<number, number>(ids.map((id) => [id, 0]));
  for (const p of parts) leaders.set(p.replicas[0], leaders.get(p.replicas[0])! + 1);
  for (let changed = true, guard = 0; changed && guard < parts.length * ids.length + 1; guard++) {
    changed = false;
    for (const p of parts) {
      const lead = p.replicas[0];
      const other = [...p.replicas.slice(1)].sort((a, b) => leaders.get(a)! - leaders.get(b)! || a - b)[0];
      if (other === undefined || leaders.get(lead)! - leaders.get(other)! < 2) continue;
      p.replicas[p.replicas.indexOf(other)] = lead;
      p.replicas[0] = other;
      leaders.set(lead, leaders.get(lead)! - 1);
      leaders.set(other, leaders.get(other)! + 1);
      changed = true;
    }
  }

  return {
    version: 1,
    partitions: parts.filter((p) => p.replicas.join() !== p.before.join()).map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })),
  };
}

/** Checks a plan read from a file (the shape, distinct brokers per partition); throws INVALID_ARGUMENT. */
export function parseReassignmentPlan(text: string): ReassignmentPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MqError('INVALID_ARGUMENT', `the plan is not JSON: ${(err as Error).message}`);
  }
  const plan = raw as { version?: unknown; partitions?: unknown };
  if (typeof plan !== 'object' || plan === null || plan.version !== 1 || !Array.isArray(plan.partitions)) {
    throw new MqError('INVALID_ARGUMENT', 'the plan must be {"version":1,"partitions":[{"topic","partition","replicas"}, ...]}');
  }
  const seen = new Set<string>();
  const partitions = plan.partitions.map((entry: unknown, i: number): PlanPartition => {
    const e = entry as { topic?: unknown; partition?: unknown; replicas?: unknown };
    if (typeof e?.topic !== 'string' || !Number.isInteger(e.partition) || (e.partition as number) < 0
      || !Array.isArray(e.replicas) || e.replicas.length === 0 || !e.replicas.every((id) => Number.isInteger(id) && id >= 0)) {
      throw new MqError('INVALID_ARGUMENT', `plan entry ${i} needs a topic, a partition >= 0 and a non-empty list of broker ids`);
    }
    const replicas = e.replicas as number[];
    if (new Set(replicas).size !== replicas.length) throw new MqError('INVALID_ARGUMENT', `plan entry ${i} (${e.topic}-${e.partition}) lists a broker twice`);
    const key = `${e.topic}/${e.partition}`;
    if (seen.has(key)) throw new MqError('INVALID_ARGUMENT', `plan lists ${e.topic}-${e.partition} twice`);
    seen.add(key);
    return { topic: e.topic, partition: e.partition as number, replicas };
  });
  return { version: 1, partitions };
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
