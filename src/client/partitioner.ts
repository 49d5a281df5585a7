// Chooses a partition for each record, as the Java client's default partitioner does:
// - explicit partition: used as is;
// - keyed record: toPositive(murmur2(key)) % numPartitions, so keys land where every Kafka client puts them;
// - keyless record: the topic's sticky partition, kept for a whole batch and changed (to a different
//   partition, chosen at random) when the producer closes that batch (KIP-480), so keyless traffic fills
//   full batches instead of spraying one record per partition.
import { murmur2, toPositive } from './murmur2.js';

export class Partitioner {
  private readonly sticky = new Map<string, number>();

  /** `random` returns a number in [0, 1); injected so tests are deterministic. */
  constructor(private readonly random: () => number = Math.random) {}

  /** The partition for a record of `topic` with `numPartitions` partitions. */
  partition(topic: string, key: Buffer | null | undefined, numPartitions: number, explicit?: number): number {
    if (explicit !== undefined) return explicit;
    if (key !== null && key !== undefined) return toPositive(murmur2(key)) % numPartitions;
    return this.stickyPartition(topic, numPartitions);
  }

  /** The current sticky partition of `topic`, picked at random the first time. */
  stickyPartition(topic: string, numPartitions: number): number {
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) return current;
    const chosen = Math.floor(this.random() * numPartitions) % numPartitions;
    this.sticky.set(topic, chosen);
    return chosen;
  }

  /**
   * Called when the batch of `topic`/`partition` is closed: if that was the sticky partition, the next
   * keyless record goes to another one (chosen at random among the others).
   */
  batchClosed(topic: string, partition: number, numPartitions: number): void {
    if (this.sticky.get(topic) !== partition) return;
    if (numPartitions <= 1) return;
    const offset = 1 + (Math.floor(this.random() * (numPartitions - 1)) % (numPartitions - 1));
    this.sticky.set(topic, (partition + offset) % numPartitions);
  }
}
