// Replica restore planning (issue 5): a broker gone for longer than replica.restore.delay.ms has each of
// its replicas re-created on another live broker. A pure function of the metadata, so it is unit-tested
// without a cluster; the controller (controller.ts) writes what it returns.
//
// A restore is a reassignment kept in `reassignments/<topic>/<p>` = JSON Reassignment, written in the
// same transaction as the topic's replica lists (DESIGN.md "Metadata in etcd"):
//   start     the partition's replica list gains the new broker(s) (`adding`, appended after the current
//             replicas); the gone ones (`removing`) stay listed for now. `target` is the replica list
//             to end with: the old one with each gone broker replaced by its new broker in its place.
//   complete  once every `adding` broker is in the ISR (its leader adds it when it has caught up), the
//             replica list becomes `target` and the `removing` brokers leave the ISR (if one of them
//             leads, leadership moves to the first target replica in the ISR, with a new leader epoch).
//   replace   an `adding` broker that is itself gone for longer than the delay before it caught up is
//             swapped for another one.
// The reassignment record is what tells an unfinished restore (replicas = target + removing) from a
// partition that simply has more replicas; a restore runs to its end even if the gone broker returns
// meanwhile (it then just loses those replicas; it deletes the folders itself).
import type { PartitionState } from './topic-records.js';
import { placeOneReplica, placementLoad, type PlacementBroker } from './placement.js';

export interface Reassignment {
  /** The replica list to end with. */
  target: number[];
  /** Brokers being added (in both `replicas` and `target`; the restore waits for them to join the ISR). */
  adding: number[];
  /** Brokers to drop once every `adding` one is in the ISR (in `replicas`, not in `target`). */
  removing: number[];
  /** Set by `mq reassign execute` (a requested move, not a restore): the controller logs "reassignment finished". */
  requested?: boolean;
  /** Bytes per second the adding replicas may copy (`--throttle`, replication-throttle.ts); absent = unthrottled. */
  throttleBytesPerSec?: number;
}

export const REASSIGNMENTS_PREFIX = 'reassignments/';

export interface RestoreInput {
  /** Topic name → its replica lists (TopicRecord.replicas). */
  topics: ReadonlyMap<string, { replicas: number[][] }>;
  partition(topic: string, index: number): PartitionState | undefined;
  /** Key "topic/partition": the reassignments in progress. */
  reassignments: ReadonlyMap<string, Reassignment>;
  /** Brokers that may receive replicas: registered and not shutting down. */
  brokers: PlacementBroker[];
  /** Brokers gone (unregistered) for longer than replica.restore.delay.ms. */
  expired: ReadonlySet<number>;
}

export type RestoreStep =
  | { kind: 'start' | 'replace'; topic: string; partition: number; replicas: number[]; reassignment: Reassignment }
  | { kind: 'complete'; topic: string; partition: number; replicas: number[]; state: PartitionState };

/** What to write now, in topic and partition order; empty when nothing is due. */
export function planReplicaRestore(input: RestoreInput): RestoreStep[] {
  const steps: RestoreStep[] = [];
  const all = [...input.topics.values()].flatMap((t) => t.replicas);
  const load = placementLoad(input.brokers, all);
  const liveIds = new Set(input.brokers.map((b) => b.brokerId));
  const rackOf = new Map(input.brokers.map((b) => [b.brokerId, b.rack]));
  const racksOf = (ids: number[]): Set<string> => new Set(ids.map((id) => rackOf.get(id)).filter((r): r is string => typeof r === 'string'));

  for (const topic of [...input.topics.keys()].sort()) {
    const lists = input.topics.get(topic)!.replicas;
    lists.forEach((replicas, partition) => {
      const r = input.reassignments.get(`${topic}/${partition}`);
      const state = input.partition(topic, partition);
      if (r) {
        if (state && r.adding.every((id) => state.isr.includes(id))) {
          const isr = state.isr.filter((id) => !r.removing.includes(id));
          let next: PartitionState = { ...state, isr };
          if (r.removing.includes(state.leader)) {
            const leader = r.target.find((id) => isr.includes(id) && liveIds.has(id));
            if (leader === undefined) return; // nobody to hand leadership to yet
            next = { leader, leaderEpoch: state.leaderEpoch + 1, isr };
          }
          steps.push({ kind: 'complete', topic, partition, replicas: r.target, state: next });
          return;
        }
        const dead = r.adding.filter((id) => input.expired.has(id) && !(state?.isr.includes(id) ?? false));
        if (dead.length === 0) return;
        const reassignment: Reassignment = { ...r, target: [...r.target], adding: [...r.adding], removing: [...r.removing] };
        let list = [...replicas];
        for (const d of dead) {
          const exclude = new Set([...list, ...input.expired]);
          const kept = reassignment.target.filter((id) => id !== d);
          const b = placeOneReplica(input.brokers, exclude, racksOf(kept), load);
          if (b === null) break;
          reassignment.target = reassignment.target.map((id) => (id === d ? b : id));
          reassignment.adding = reassignment.adding.map((id) => (id === d ? b : id));
          list = [...list.filter((id) => id !== d), b];
        }
        if (list.join() !== replicas.join()) steps.push({ kind: 'replace', topic, partition, replicas: list, reassignment });
        return;
      }
      const gone = replicas.filter((id) => input.expired.has(id));
      if (gone.length === 0) return;
      const target = [...replicas];
      const adding: number[] = [];
      const removing: number[] = [];
      for (const d of gone) {
        const exclude = new Set([...replicas, ...adding]);
        const kept = target.filter((id) => !input.expired.has(id));
        const b = placeOneReplica(input.brokers, exclude, racksOf(kept), load);
        if (b === null) break; // not enough live brokers: the partition stays under-replicated
        target[target.indexOf(d)] = b;
        adding.push(b);
        removing.push(d);
      }
      if (adding.length === 0) return;
      steps.push({ kind: 'start', topic, partition, replicas: [...replicas, ...adding], reassignment: { target, adding, removing } });
    });
  }
  return steps;
}
