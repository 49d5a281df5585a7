// Chooses a partition for each record, as the Java client's default partitioner does:
// - explicit partition: used as is;
// - keyed record: toPositive(murmur2(key)) % numPartitions, so keys land where every Kafka client puts them;
// - keyless record: the topic's sticky partition, kept for a whole batch and changed (to a different
//   partition, chosen at random) when the producer closes that batch (KIP-480), so keyless traffic fills
//   full batches instead of spraying one record per partition.
// Decommissioned or deleted partitions (`layout.unavailable`, src/cluster/partition-decommission.ts) get
// no partitioner-chosen records: a key whose murmur2 partition is unavailable goes to
// active[hash % active.length] (every other key keeps its partition, since numPartitions still counts
// every id), and the sticky partition is always an active one.
import { murmur2, toPositive } from './murmur2.js';

/** Which partition ids of a topic take records (from the client's metadata, see cluster.ts). */
export interface PartitionLayout {
  /** Ids that take no records. */
  unavailable: ReadonlySet<number>;
  /** The ids that do, ascending; non-empty. */
  active: readonly number[];
}

export class Partitioner {
  private readonly sticky = new Map<string, number>();

  /** `random` returns a number in [0, 1); injected so tests are deterministic. */
  constructor(private readonly random: () => number = Math.random) {}

  /** The partition for a record of `topic` with `numPartitions` partition ids. */
  partition(topic: string, key: Buffer | null | undefined, numPartitions: number, explicit?: number, layout?: PartitionLayout): number {
    if (explicit !== undefined) return explicit;
    if (key !== null && key !== undefined) {
      const hash = toPositive(murmur2(key));
      const p = hash % numPartitions;
      if (layout === undefined || layout.unavailable.size === 0 || !layout.unavailable.has(p)) return p;
      return layout.active[hash % layout.active.length];
    }
    return this.stickyPartition(topic, numPartitions, layout);
  }

  /** The current sticky partition of `topic`, picked at random (among the active ones) the first time. */
  stickyPartition(topic: string, numPartitions: number, layout?: PartitionLayout): number {
    const current = this.sticky.get(topic);
    const limited = layout !== undefined && layout.unavailable.size > 0;
    if (current !== undefined && current < numPartitions && (!limited || !layout.unavailable.has(current))) return current;
    const chosen = limited
      ? layout.active[Math.floor(this.random() * layout.active.length) % layout.active.length]
      : Math.floor(this.random() * numPartitions) % numPartitions;
    this.sticky.set(topic, chosen);
    return chosen;
  }

  /**
   * Called when the batch of `topic`/`partition` is closed: if that was the sticky partition, the next
   * keyless record goes to another one (chosen at random among the other active ones).
   */
  batchClosed(topic: string, partition: number, numPartitions: number, layout?: PartitionLayout): void {
    if (this.sticky.get(topic) !== partition) return;
    if (layout !== undefined && layout.unavailable.size > 0) {
      const others = layout.active.filter((p) => p !== partition);
      if (others.length > 0) this.sticky.set(topic, others[Math.floor(this.random() * others.length) % others.length]);
      else if (layout.unavailable.has(partition)) this.sticky.delete(topic);
      return;
    }
    if (numPartitions <= 1) return;
    const offset = 1 + (Math.floor(this.random() * (numPartitions - 1)) % (numPartitions - 1));
    this.sticky.set(topic, (partition + offset) % numPartitions);
  }
}
