// The public shapes of the client library (src/client). Commands, the bench tool and tests program
// against these; Producer, Consumer and Admin implement them.
import type { AbortedTransaction, FetchedRecord } from '../protocol/fetched-records.js';
import type { Logger } from '../util/logger.js';
import type { AclBinding, AclFilter } from '../security/acl.js';
import type { ClientSecurity } from './security-options.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as a producer hands it over. */
export interface ProducerRecord {
  topic: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: RecordHeader[];
  /** Explicit partition; otherwise murmur2(key) mod partitions, or the sticky partition when keyless. */
  partition?: number;
  /** CreateTime in ms; defaults to Date.now() at send(). */
  timestamp?: number;
}

/** Where an acknowledged record landed (offset is -1 with acks=0). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** A record as a consumer receives it: exactly what the fetch decoder builds from the batch bytes. */
export type ConsumedRecord = FetchedRecord;

/**
 * Turns one partition's part of a fetch answer (its RECORDS blob) into whatever the caller hands on,
 * with the records at or above `fetchOffset` (walkFetchedRecords, with `partial` set and `aborted`
 * passed on, does the walk). `aborted` is the answer's AbortedTransactions under read_committed (null
 * otherwise). `count` 0 hands out nothing; `nextOffset` is where the next fetch of the partition starts.
 */
export type PartitionDecoder<T> = (
  records: Buffer, topic: string, partition: number, fetchOffset: number, aborted?: readonly AbortedTransaction[] | null,
) => { value: T; count: number; nextOffset: number; batches: number };

/** What a PartitionDecoder made of one partition's part of a fetch answer. */
export interface DecodedPartition<T> {
  topic: string;
  partition: number;
  value: T;
  /** Records in `value`. */
  count: number;
  nextOffset: number;
  /** The partition's end: the high watermark, or with read_committed the last stable offset. */
  highWatermark: number;
}

/** A record's outcome: error null and its offset (-1 with acks=0) and timestamp, or the error. */
export type DeliveryReport = (error: Error | null, partition: number, offset: number, timestamp: number, tag: number) => void;

export type Acks = 0 | 1 | -1;
export type Compression = 'none' | 'gzip';

export interface ClientOptions {
  /** "host:port" entries to bootstrap from. */
  bootstrap: string[];
  clientId?: string;
  /** Per request; default 30000. */
  requestTimeoutMs?: number;
  /** Connection establishment; default 5000. */
  connectTimeoutMs?: number;
  /**
   * metadata.max.age.ms: how often producers and group consumers re-read the metadata of their topics
   * even without an error, so partitions added meanwhile are used; default 300000 (Kafka's).
   */
  metadataMaxAgeMs?: number;
  /**
   * Where the client reports what it recovers from or drops (a failed auto-commit, a metadata refresh
   * that will be retried, an undecodable member assignment) at debug level; silent by default.
   */
  logger?: Logger;
  /** TLS and SASL (security.protocol, sasl.*, ssl.*, from parseClientProperties); plaintext when absent. */
  security?: ClientSecurity;
}

export interface ProducerOptions extends ClientOptions {
  acks?: Acks; // default -1 (all)
  lingerMs?: number; // default 5
  batchSize?: number; // bytes per partition batch, default 16384
  /** Bytes buffered and unacknowledged before waitForCapacity() waits; default 32 MiB. */
  bufferMemory?: number;
  retries?: number; // default 5
  retryBackoffMs?: number; // default 100
  compression?: Compression; // default 'none'
  /** Produce requests in flight per broker; default 5. */
  maxInFlight?: number;
  /** Produce timeout sent to the broker (acks=all); default 30000. */
  timeoutMs?: number;
  /**
   * Kafka's enable.idempotence: a producer id, epoch and per-partition sequences in every batch, so the
   * broker writes a retried batch once. Default on, needing acks -1 and retries > 0: left unset with
   * acks 0/1 or retries 0 it is off; set true with them it is an INVALID_CONFIG error.
   */
  idempotent?: boolean;
  /**
   * Kafka's transactional.id: the producer writes in transactions (initTransactions(), then
   * beginTransaction() ... commitTransaction() or abortTransaction()); implies idempotence.
   */
  transactionalId?: string;
  /** How long the coordinator lets a transaction stay open before aborting it; default 60000. */
  transactionTimeoutMs?: number;
}

/** The transaction calls of a producer created with transactionalId (Kafka's). */
export interface TransactionalProducer extends Producer {
  /** Once, before the first transaction: takes the id's producer id and epoch (fencing an older producer with it and aborting what it left open). */
  initTransactions(): Promise<void>;
  beginTransaction(): void;
  /** Commits `offsets` (the next offsets to read) for consumer group `groupId` as part of the transaction. */
  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string): Promise<void>;
  /** Waits for every record of the transaction to be acknowledged, then commits it. */
  commitTransaction(): Promise<void>;
  /** Drops the records not yet sent (they fail with TRANSACTION_ABORTED), waits for the sent ones, then aborts. */
  abortTransaction(): Promise<void>;
}

export interface Producer {
  /** Queues a record; resolves once it is acknowledged (or rejects with MqError after retries). */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  /**
   * send() without a promise per record (librdkafka's delivery report): `onDelivery` runs once when
   * the record is acknowledged or has failed, with the caller's `tag`. Returns false once buffered
   * bytes reach bufferMemory (then await waitForCapacity()). Optional for fakes.
   */
  enqueue?(record: ProducerRecord, onDelivery: DeliveryReport, tag?: number): boolean;
  /** Resolves at once while buffered bytes are under bufferMemory; otherwise when they drop under it. */
  waitForCapacity(): Promise<void>;
  /** Sends everything buffered now (ignores linger) and waits for all outstanding acks. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Where a consumer starts in a partition. */
export type OffsetSpec =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset'; offset: number }
  /** `n` records before the end (kcat's -o -N) */
  | { kind: 'fromEnd'; n: number }
  /** first record whose timestamp >= ms */
  | { kind: 'timestamp'; timestampMs: number };

export interface ConsumerOptions extends ClientOptions {
  maxWaitMs?: number; // default 500
  minBytes?: number; // default 1
  maxBytes?: number; // default 50 MiB
  partitionMaxBytes?: number; // default 1 MiB
  /**
   * read_committed (the default, as librdkafka's): Fetch and ListOffsets stop at the last stable offset
   * and the records of aborted transactions are dropped; read_uncommitted reads them all up to the high
   * watermark. Transaction markers (control records) are never handed out.
   */
  isolationLevel?: IsolationLevel;
  /** An out-of-range fetch offset (or, in a group, no committed offset): default 'none' for assign(), 'latest' for groups. */
  autoOffsetReset?: AutoOffsetReset;
  /** One-line notices (offset resets, rebalances); the CLI prints them on stderr. */
  onNotice?: (message: string) => void;
}

export type IsolationLevel = 'read_committed' | 'read_uncommitted';

/** earliest / latest: move to the log start / end and say so through onNotice; none: an MqError naming the valid range. */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

export interface Assignment {
  topic: string;
  /** Omitted: every partition of the topic. */
  partitions?: number[];
  start: OffsetSpec;
}

export interface Consumer {
  /** Chooses the partitions and resolves their start offsets (ListOffsets). Call before records(). */
  assign(assignments: Assignment[]): Promise<void>;
  /**
   * The records of the assigned partitions in offset order per partition. With `exitAtEnd`, ends once
   * every partition has reached the high watermark it had when that partition was first caught up.
   * Ends when `signal` aborts.
   */
  records(opts?: { signal?: AbortSignal; exitAtEnd?: boolean }): AsyncIterable<ConsumedRecord>;
  /**
   * What records() reads, one partition's part of a fetch answer at a time, passed through `decode`
   * (for callers that render bytes without an object per record). The next fetch is asked for only
   * when the caller takes the next value (and one in advance while it works on this one).
   */
  decoded<T>(decode: PartitionDecoder<T>, opts?: { signal?: AbortSignal; exitAtEnd?: boolean }): AsyncIterable<DecodedPartition<T>>;
  close(): Promise<void>;
}

export interface TopicPartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
  errorCode: number;
}

export interface TopicDescription {
  name: string;
  partitions: TopicPartitionInfo[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: { name: string; errorCode: number; partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; errorCode: number }[] }[];
}

export interface CreateTopicOptions {
  topic: string;
  partitions?: number; // default: broker's num.partitions (-1 on the wire)
  replicationFactor?: number; // default: broker's default (-1 on the wire)
  configs?: Record<string, string>;
}

export interface Admin {
  metadata(topics?: string[] | null): Promise<ClusterMetadata>;
  createTopic(opts: CreateTopicOptions): Promise<void>;
  /** Topic names, sorted. */
  listTopics(): Promise<string[]>;
  /** Partitions with leader, replicas, ISR, log start offset and high watermark (ListOffsets -2 / -1). */
  describeTopic(name: string): Promise<TopicDescription>;
  /** Grows the topic to `totalPartitions`; a decrease is an MqError INVALID_PARTITIONS. */
  createPartitions(topic: string, totalPartitions: number): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface Admin extends GroupAdmin {}

// ---- topic configs and record deletion (config-admin.ts) ----

/** One effective topic config value and where it comes from. */
export interface TopicConfigEntry {
  name: string;
  value: string | null;
  source: 'topic' | 'broker' | 'default';
}

/** `mq topics trim --before`: an offset, or a time (the first record at or after it is kept). */
export type RecordsBefore = { offset: number } | { timestampMs: number };

export interface DeleteRecordsResult {
  partition: number;
  logStartOffset: number;
}

export interface ConfigAdmin {
  /** The topic's effective config (DescribeConfigs), sorted by name. */
  describeTopicConfig(topic: string): Promise<TopicConfigEntry[]>;
  /** Broker `nodeId`'s static settings (asked of that broker), such as admin.listeners; null values unset. */
  describeBrokerConfig(nodeId: number, keys?: string[], timeoutMs?: number): Promise<Record<string, string | null>>;
  /** Sets these keys (null removes the override), keeping the topic's other overrides (AlterConfigs). */
  alterTopicConfig(topic: string, changes: Record<string, string | null>): Promise<void>;
  /** Deletes every partition's records before an offset or a time (DeleteRecords). */
  deleteRecords(topic: string, before: RecordsBefore): Promise<DeleteRecordsResult[]>;
}

export interface Admin extends ConfigAdmin {}

// ---- partition decommission (config-admin.ts) ----

export interface DecommissionAdmin {
  /**
   * Makes `partitions` the topic's decommissioned set (AlterConfigs `decommissioned.partitions`): new ids
   * are stamped by the broker, ids left out are recommissioned unless already deleted. The current set is
   * in describeTopicConfig's `decommissioned.partitions` entry.
   */
  setDecommissionedPartitions(topic: string, partitions: number[]): Promise<void>;
}

export interface Admin extends DecommissionAdmin {}

// ---- leader elections (leader-admin.ts) ----

/** One partition's outcome of a preferred leader election (ElectLeaders). */
export interface LeaderElectionResult {
  topic: string;
  partition: number;
  /** replicas[0], the preferred leader (from Metadata); -1 when unknown. */
  preferredLeader: number;
  /**
   * moved: the preferred replica leads now; already-preferred: it led already; not-available: it is not
   * live or not in the ISR; failed: another error (message says which).
   */
  result: 'moved' | 'already-preferred' | 'not-available' | 'failed';
  /** The broker's explanation for not-available and failed; null otherwise. */
  message: string | null;
}

export interface LeaderAdmin {
  /** Moves leadership to each partition's preferred replica where it is live and in the ISR (ElectLeaders to the controller); null = every partition. Sorted by topic, then partition. */
  electLeaders(partitions: TopicPartition[] | null): Promise<LeaderElectionResult[]>;
}

export interface Admin extends LeaderAdmin {}

// ---- consumer groups ----

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** `offset` is the next offset to consume (what Kafka commits). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

export interface GroupConsumerOptions extends ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Protocols offered, preferred first: range, roundrobin, cooperative-sticky, RoundRobinAssigner (kafkajs' round robin). Default ['range', 'RoundRobinAssigner']. */
  assignors?: string[];
  sessionTimeoutMs?: number; // default 10000
  heartbeatIntervalMs?: number; // default 3000, at most a fifteenth of the session timeout
  /** Longest gap between pulls of batches() before the member leaves the group; also the rebalance timeout. Default 300000. */
  maxPollIntervalMs?: number;
  maxPollRecords?: number; // records per batch, default 500
  /** Commit what was consumed every N ms (and before a revoke and on close); 0 = commits are explicit. Default 0. */
  autoCommitIntervalMs?: number;
  /** Runs before partitions are taken away (commit here); the rebalance waits for it. */
  onRevoke?: (partitions: TopicPartition[]) => void | Promise<void>;
  /** Runs when partitions are given to this member. */
  onAssign?: (partitions: TopicPartition[]) => void | Promise<void>;
}

export interface GroupConsumer {
  /**
   * Joins the group and yields batches of records (one partition each, at most maxPollRecords). The
   * group rebalances between pulls: after a batch has been handed out, its partition stays assigned until
   * the caller asks for the next one, so a commit made before that lands in the same generation.
   * With exitAtEnd the iteration ends (at a pull, so after the caller committed) once every partition
   * assigned to this member is read to its end as of when it was assigned; a member assigned nothing
   * ends after its first assignment.
   */
  batches(opts?: { signal?: AbortSignal; exitAtEnd?: boolean }): AsyncIterable<ConsumedRecord[]>;
  /** The records of batches(), one at a time. */
  records(opts?: { signal?: AbortSignal; exitAtEnd?: boolean }): AsyncIterable<ConsumedRecord>;
  /** OffsetCommit of `offsets`, or of everything handed out so far. Rebalance errors come back as MqErrors (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID). */
  commit(offsets?: TopicPartitionOffset[]): Promise<void>;
  /** commit() in the background; a failure is reported through onNotice. */
  commitAsync(offsets?: TopicPartitionOffset[]): void;
  /** The partitions assigned now. */
  assignment(): TopicPartition[];
  readonly memberId: string;
  readonly generationId: number;
  /** Commits (with autoCommit), leaves the group (LeaveGroup) and closes the connections. */
  close(): Promise<void>;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty | PreparingRebalance | CompletingRebalance | Stable ("" from a broker without ListGroups v4). */
  state: string;
}

/** One partition's outcome of deleteGroupOffsets: error null when its committed offset is gone. */
export interface GroupOffsetDeletion extends TopicPartition {
  /** e.g. GROUP_SUBSCRIBED_TO_TOPIC (live members consume the topic), UNKNOWN_TOPIC_OR_PARTITION. */
  error: string | null;
}

export interface GroupMemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  assignment: TopicPartition[];
}

export interface GroupOffsetDescription extends TopicPartition {
  /** -1 when nothing is committed. */
  committedOffset: number;
  logEndOffset: number;
  /** logEndOffset - committedOffset; null when nothing is committed. */
  lag: number | null;
  memberId: string | null;
  clientId: string | null;
  clientHost: string | null;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
  offsets: GroupOffsetDescription[];
}

/** Where reset-offsets moves a group's committed offsets. */
export type OffsetResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'datetime'; timestampMs: number }
  | { kind: 'shiftBy'; n: number };

export interface OffsetResetPlanEntry extends TopicPartition {
  /** -1 when nothing was committed. */
  currentOffset: number;
  newOffset: number;
}

export interface OffsetResetPlan {
  groupId: string;
  executed: boolean;
  partitions: OffsetResetPlanEntry[];
}

/** Group admin operations (group-admin.ts); Admin has them too. */
export interface GroupAdmin {
  /** Groups of every broker, sorted by id; `states` keeps only groups in those states. */
  listGroups(opts?: { states?: string[] }): Promise<GroupListing[]>;
  /** State, members and, per committed or assigned partition, committed offset, log end offset and lag. */
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** Plans (and with execute, commits) new offsets for every partition of `topic`; refused while the group has members. */
  resetGroupOffsets(opts: { groupId: string; topic: string; to: OffsetResetTarget; execute: boolean }): Promise<OffsetResetPlan>;
  deleteGroup(groupId: string): Promise<void>;
  /** Deletes the group's committed offsets of `topic` (its `partitions`, default all): OffsetDelete. */
  deleteGroupOffsets(opts: { groupId: string; topic: string; partitions?: number[] }): Promise<GroupOffsetDeletion[]>;
}

// ---- reassignments through the brokers (reassign-admin.ts) ----

/** One partition to move onto `replicas`, or whose move to cancel (replicas null). */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  replicas: number[] | null;
}

/** A broker's answer for one partition: `error` is the error-code name, null when accepted. */
export interface PartitionReassignmentResult {
  topic: string;
  partition: number;
  error: string | null;
  message: string | null;
}

/** A move in progress (ListPartitionReassignments). */
export interface OngoingPartitionReassignment {
  topic: string;
  partition: number;
  /** The current replica list, the adding replicas included. */
  replicas: number[];
  adding: number[];
  removing: number[];
}

export interface ReassignAdmin {
  /** Starts or cancels moves (AlterPartitionReassignments); one result per partition, in request order. */
  alterPartitionReassignments(changes: PartitionReassignment[]): Promise<PartitionReassignmentResult[]>;
  /** The moves in progress (ListPartitionReassignments), in topic and partition order; `topics` limits them. */
  listPartitionReassignments(topics?: { topic: string; partitions: number[] }[] | null): Promise<OngoingPartitionReassignment[]>;
  /**
   * Sets (bytes/s) or removes (null) the throttle of the moves in progress: the cluster-wide broker config
   * follower.replication.throttled.rate (IncrementalAlterConfigs).
   */
  setReassignmentThrottle(bytesPerSec: number | null): Promise<void>;
  /** The throttle of the moves in progress (DescribeConfigs of the cluster-wide broker resource); null when none. */
  describeReassignmentThrottle(): Promise<number | null>;
}

export interface Admin extends ReassignAdmin {}

// ---- SCRAM users (user-admin.ts) ----

/** A user and the SCRAM mechanisms it has a credential for (never the credential). */
export interface UserCredentials {
  user: string;
  credentials: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations: number }[];
}

export interface UserAdmin {
  /** Every user with credentials (no argument), or the named ones (RESOURCE_NOT_FOUND for one with none); sorted by name. */
  describeUsers(names?: string[]): Promise<UserCredentials[]>;
  /** Creates or replaces a user's credential for one mechanism; the password is salted and hashed here, never sent. */
  upsertUser(user: string, password: string, opts: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations?: number }): Promise<void>;
  /** Deletes a user's credential for one mechanism (RESOURCE_NOT_FOUND when it has none). */
  deleteUser(user: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'): Promise<void>;
}

export interface Admin extends UserAdmin {}

// ---- Client quotas (quota-admin.ts) ----

/** A quota entity: a user and/or a client-id, each a name or null for the default entity ("<default>"). */
export interface ClientQuotaEntity {
  user?: string | null;
  clientId?: string | null;
}

/** One entity's configured quotas: producer_byte_rate and consumer_byte_rate in bytes/s, request_percentage in %. */
export interface ClientQuotaEntry {
  entity: ClientQuotaEntity;
  values: Partial<Record<'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage', number>>;
}

/**
 * Which quotas to describe: per component a name (exact), null (the default entity) or '*' (any);
 * a component left out matches anything unless `strict` (then only entities without it).
 */
export interface ClientQuotaFilter {
  user?: string | null | '*';
  clientId?: string | null | '*';
  strict?: boolean;
}

export interface QuotaAdmin {
  /** The quotas the filter selects (all without one), sorted by user then client-id. */
  describeClientQuotas(filter?: ClientQuotaFilter): Promise<ClientQuotaEntry[]>;
  /** Sets (a number) or removes (null) quota keys of one entity; validateOnly checks without changing. */
  alterClientQuotas(entity: ClientQuotaEntity, changes: Partial<Record<keyof ClientQuotaEntry['values'], number | null>>, opts?: { validateOnly?: boolean }): Promise<void>;
}

export interface Admin extends QuotaAdmin {}
// ---- ACLs (acl-admin.ts) ----

export interface AclAdmin {
  /** Adds ACL bindings (CreateAcls); an invalid one is an MqError INVALID_REQUEST saying why. */
  createAcls(bindings: AclBinding[]): Promise<void>;
  /** The bindings a filter selects (DescribeAcls; an empty filter selects all), sorted. */
  describeAcls(filter?: AclFilter): Promise<AclBinding[]>;
  /** Removes what the filter selects (DeleteAcls); returns what was removed, sorted. */
  deleteAcls(filter: AclFilter): Promise<AclBinding[]>;
}

export interface Admin extends AclAdmin {}
