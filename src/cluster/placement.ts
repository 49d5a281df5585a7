// Replica placement for new topics and new partitions: a pure function of the live brokers and the load
// they already carry, so it is unit-tested without a cluster. Rules (issue 5): spread leaders and
// replicas evenly over the live brokers, never two replicas of one partition on one broker, and when
// racks are set put a partition's replicas on as many different racks as possible.
import { MqError } from '../util/mq-error.js';

export interface PlacementBroker { brokerId: number; rack: string | null }

export interface PlacementRequest {
  brokers: PlacementBroker[];
  /** How many partitions to place. */
  count: number;
  replicationFactor: number;
  /**
   * Replica lists already in the cluster (first = preferred leader), counted as load so that new
   * partitions go to the least loaded brokers.
   */
  existing?: number[][];
}

/** One replica list per new partition; the first broker of each list is the leader. */
export function placeReplicas(req: PlacementRequest): number[][] {
  const brokers = [...req.brokers].sort((a, b) => a.brokerId - b.brokerId);
  const rf = req.replicationFactor;
  if (!Number.isInteger(rf) || rf < 1) throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
  if (rf > brokers.length) {
    throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor ${rf} is larger than the ${brokers.length} live broker${brokers.length === 1 ? '' : 's'}`);
  }
  const leaders = new Map<number, number>(brokers.map((b) => [b.brokerId, 0]));
  const replicas = new Map<number, number>(brokers.map((b) => [b.brokerId, 0]));
  for (const list of req.existing ?? []) {
    list.forEach((id, i) => {
      if (!replicas.has(id)) return;
      replicas.set(id, replicas.get(id)! + 1);
      if (i === 0) leaders.set(id, leaders.get(id)! + 1);
    });
  }
  const out: number[][] = [];
  for (let p = 0; p < req.count; p++) {
    const chosen: PlacementBroker[] = [];
    // Leader: fewest leaderships, then fewest replicas, then lowest id.
    const leader = pick(brokers, chosen, (b) => [leaders.get(b.brokerId)!, replicas.get(b.brokerId)!, b.brokerId]);
    chosen.push(leader);
    while (chosen.length < rf) {
      const usedRacks = new Set(chosen.map((b) => b.rack).filter((r) => r !== null));
      // Followers: an unused rack first, then fewest replicas, then fewest leaderships, then lowest id.
      chosen.push(pick(brokers, chosen, (b) => [
        b.rack !== null && usedRacks.has(b.rack) ? 1 : 0, replicas.get(b.brokerId)!, leaders.get(b.brokerId)!, b.brokerId,
      ]));
    }
    leaders.set(leader.brokerId, leaders.get(leader.brokerId)! + 1);
    for (const b of chosen) replicas.set(b.brokerId, replicas.get(b.brokerId)! + 1);
    out.push(chosen.map((b) => b.brokerId));
  }
  return out;
}

/** How many replicas and leaderships each broker already carries. */
export interface PlacementLoad { replicas: Map<number, number>; leaders: Map<number, number> }

/** The load the replica lists `existing` put on `brokers` (others' entries are ignored). */
export function placementLoad(brokers: PlacementBroker[], existing: number[][]): PlacementLoad {
  const load: PlacementLoad = { replicas: new Map(brokers.map((b) => [b.brokerId, 0])), leaders: new Map(brokers.map((b) => [b.brokerId, 0])) };
  for (const list of existing) {
    list.forEach((id, i) => {
      if (!load.replicas.has(id)) return;
      load.replicas.set(id, load.replicas.get(id)! + 1);
      if (i === 0) load.leaders.set(id, load.leaders.get(id)! + 1);
    });
  }
  return load;
}

/**
 * One more replica for an existing partition (replica restore): a broker not in `exclude`, by the
 * follower rule of placeReplicas (a rack none of `racksInUse` has first, then fewest replicas, then
 * fewest leaderships, then lowest id). Counts it in `load`. Null when every broker is excluded.
 */
export function placeOneReplica(brokers: PlacementBroker[], exclude: ReadonlySet<number>, racksInUse: ReadonlySet<string>, load: PlacementLoad): number | null {
  const candidates = [...brokers].sort((a, b) => a.brokerId - b.brokerId).filter((b) => !exclude.has(b.brokerId));
  if (candidates.length === 0) return null;
  const chosen = pick(candidates, [], (b) => [
    b.rack !== null && racksInUse.has(b.rack) ? 1 : 0, load.replicas.get(b.brokerId) ?? 0, load.leaders.get(b.brokerId) ?? 0, b.brokerId,
  ]);
  load.replicas.set(chosen.brokerId, (load.replicas.get(chosen.brokerId) ?? 0) + 1);
  return chosen.brokerId;
}

/** The broker not yet in `chosen` with the smallest key (compared element by element). */
function pick(brokers: PlacementBroker[], chosen: PlacementBroker[], key: (b: PlacementBroker) => number[]): PlacementBroker {
  let best: PlacementBroker | null = null;
  let bestKey: number[] = [];
  for (const b of brokers) {
    if (chosen.includes(b)) continue;
    const k = key(b);
    if (best === null || less(k, bestKey)) { best = b; bestKey = k; }
  }
  return best!;
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
