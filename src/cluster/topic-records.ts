// The records the metadata store holds for topics and partitions (DESIGN.md, metadata keys):
// `topics/<name>` = TopicRecord, `partitions/<topic>/<p>` = PartitionState. Both modes write the same
// records: the embedded authority into the local store, the controller into etcd.

export interface TopicRecord {
  topicId: string;
  /** Replica broker ids per partition, index = partition number. */
  replicas: number[][];
  /** Overrides given at creation (strings, as the user wrote them). */
  configs: Record<string, string>;
  /**
   * Decommissioned partitions: partition -> when (ms since the epoch). A deleted one also has an empty
   * replica list. Kept out of `configs` on purpose (src/cluster/partition-decommission.ts).
   */
  decommissioned?: Record<string, number>;
}

export interface PartitionState { leader: number; leaderEpoch: number; isr: number[] }

/** A topic as CreateTopics asks for it (-1: the broker's num.partitions / default.replication.factor). */
export interface TopicSpec {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  /** Explicit replica lists, index = partition; empty: placed by the authority (the controller). */
  assignments: number[][];
  configs: Record<string, string>;
  validateOnly: boolean;
}
