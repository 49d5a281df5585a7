// The one seam between the broker and its mode. A TopicAuthority owns the topics and partition states
// (creating, growing, configuring, deleting), answers who leads what and where each broker is, and hosts
// the partition replicas of this broker. startBroker chooses the implementation once:
//   EmbeddedAuthority (embedded-authority.ts): the one broker, a LocalStore in the data dir, every
//     partition here and led here.
//   ClusterAuthority (cluster-authority.ts): etcd, the metadata cache, the controller (src/cluster),
//     replication (src/replication) and the replicas this broker hosts (replica-hosting.ts).
// Handlers, the broker and its views ask only this interface; none of them asks which mode it runs in.
import type { ClientSecurity } from '../client/security-options.js';
import type { HostPort } from '../config/config.js';
import type { TopicConfigEntry } from '../config/topic-config-entries.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { PreferredElectionResult } from '../cluster/controller.js';
import type { OngoingReassignment, ReassignmentChange, ReassignmentOutcome } from '../cluster/reassignment-admin.js';
import type { PartitionState, TopicRecord, TopicSpec } from '../cluster/topic-records.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { ReplicationThrottleView } from '../metrics/views.js';
import type { Partition } from '../replication/partition.js';

export type { TopicSpec };

export interface LiveBroker {
  nodeId: number;
  /** The inter-broker listener's advertised address. */
  host: string;
  port: number;
  rack: string | null;
  /** Each listener's advertised address by listener name (absent: brokers registered before listeners had names). */
  listeners?: Record<string, HostPort>;
}

/** A replica hosted here with the leader and ISR the metadata names (the admin endpoint's views). */
export interface HostedReplica { partition: Partition; replicas: number[]; leader: number; isr: number[] }

/** Where this broker is reached, known once it listens (the cluster registration publishes it). */
export interface JoinInfo {
  /** Where other brokers reach this one (the inter-broker listener). */
  advertised: HostPort;
  /** Where clients of each listener reach this one, by listener name. */
  listeners?: Record<string, HostPort>;
  admin: HostPort | null;
  metrics?: BrokerMetrics;
  /** How this broker dials the others (the inter-broker listener's TLS and SASL; src/broker/inter-broker-security.ts). */
  interBroker?: ClientSecurity;
}

export interface TopicAuthority {
  /** For the status view only ("embedded" or "cluster"); never branch on it. */
  readonly mode: 'embedded' | 'cluster';
  /** Where the metadata lives (the group coordinator keeps committed offsets there too). */
  readonly store: MetadataStore;

  /** Before the broker listens: the cluster id (created by the first broker that asks) and the topics. */
  clusterId(fresh: string): Promise<string>;
  load(): Promise<void>;
  /** Once the broker listens: registers where it is reached and starts hosting its replicas. */
  join(info: JoinInfo): Promise<void>;
  /** Hands leadership over while still serving (Kafka's controlled shutdown). */
  controlledShutdown(): Promise<void>;
  close(): Promise<void>;

  // Who is who.
  controllerId(): number;
  liveBrokers(): LiveBroker[];
  liveBrokerIds(): number[];
  /** Where clients reach broker `id`, if it is live. */
  brokerEndpoint(id: number): HostPort | null;

  // The topics and their partition states.
  topicNames(): string[];
  topic(name: string): TopicRecord | undefined;
  partitionState(topic: string, index: number): PartitionState | undefined;
  /** Whether the partition exists anywhere (OffsetCommit's check). */
  partitionExists(topic: string, index: number): boolean;

  // Administration. Failures are MqErrors named after the Kafka error code.
  createTopic(spec: TopicSpec): Promise<void>;
  /** Metadata's auto-creation with the broker defaults (a broker that is not the controller forwards it). */
  autoCreateTopic(name: string): Promise<void>;
  addPartitions(name: string, total: number, assignments: number[][] | null, validateOnly: boolean): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  describeConfig(name: string): TopicConfigEntry[];
  alterConfig(name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void>;
  /** The pseudo-config `decommissioned.partitions` (src/cluster/partition-decommission.ts). */
  setDecommissioned(name: string, value: string | null, validateOnly: boolean): Promise<void>;
  /** null: every partition. */
  electPreferredLeaders(partitions: { topic: string; partition: number }[] | null): Promise<PreferredElectionResult[]>;

  /** AlterPartitionReassignments: start (replicas) or cancel (null) moves; an outcome per partition. */
  reassign(changes: ReassignmentChange[], timeoutMs: number): Promise<ReassignmentOutcome[]>;
  /** ListPartitionReassignments: the moves in progress (wanted null: all). */
  listReassignments(wanted: ReadonlyMap<string, readonly number[]> | null): OngoingReassignment[];
  /** Sets (null: removes) the throttle of the moves in progress; resolves to how many partitions changed. */
  setReassignmentThrottle(bytesPerSec: number | null): Promise<number>;
  /** The throttle of the moves in progress (bytes/s), null when none. */
  reassignmentThrottle(): number | null;

  // Serving.
  /** The partition this broker leads and serves (Produce, Fetch, ListOffsets, ...), or the error code to answer. */
  leaderPartition(topic: string, index: number): Partition | number;
  /** The partition a follower (broker `replicaId`) fetches from this leader, or the error code. */
  followerPartition(topic: string, index: number, replicaId: number, peer: string): Partition | number;
  /** The replica hosted here, leader or follower. */
  hostedPartition(topic: string, index: number): Partition | undefined;
  hostedReplicas(): HostedReplica[];
  /** The reassignment throttle of this broker's replica fetchers; null where nothing replicates. */
  replicationThrottle(): ReplicationThrottleView | null;
}

/** The cluster id: the first broker that asks writes `fresh`, everyone reads the one stored. */
export async function ensureClusterId(store: MetadataStore, fresh: string): Promise<string> {
  await store.txn([{ key: 'cluster/id', version: 0 }], [{ put: { key: 'cluster/id', value: fresh } }]);
  const kv = await store.get('cluster/id');
  if (!kv) throw new Error('the cluster id was written but cannot be read back');
  return kv.value;
}
