// The embedded topic authority: one broker, its metadata in the LocalStore of its data dir, every
// partition hosted and led here (replicas [this broker], ISR the same). It creates, grows, configures and
// deletes topics itself (no controller), deletes decommissioned partitions when their retention has
// passed, and runs retention over its logs. Metadata keys (DESIGN.md) as in cluster mode:
// `topics/<name>` = TopicRecord, `partitions/<topic>/<p>` = PartitionState.
import { randomUUID } from 'node:crypto';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { parseStoredTopicConfig, parseTopicConfig, type TopicConfig } from '../config/topic-config.js';
import { topicConfigEntries, type TopicConfigEntry } from '../config/topic-config-entries.js';
import { LocalStore } from '../cluster/local-store.js';
import type { StoreOp } from '../cluster/metadata-store.js';
import type { PreferredElectionResult } from '../cluster/controller.js';
import type { OngoingReassignment, ReassignmentChange, ReassignmentOutcome } from '../cluster/reassignment-admin.js';
import type { PartitionState, TopicRecord } from '../cluster/topic-records.js';
import { topicNameProblem } from '../protocol/topic-name.js';
import {
  applyDecommissionedValue, decommissionedSinceMs, isDeletedPartition, partitionsDueForDeletion, withPartitionsDeleted,
} from '../cluster/partition-decommission.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { Partition } from '../replication/partition.js';
import { LogCleaner } from '../storage/log-cleaner.js';
import { FilePool } from '../storage/file-pool.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { checkPartitionsPerTopic, checkTopicCount } from './create-caps.js';
import { logConfigFor, openPartition } from './partition-log.js';
import {
  ensureClusterId, type HostedReplica, type JoinInfo, type LiveBroker, type TopicAuthority, type TopicSpec,
} from './topic-authority.js';

interface Topic {
  name: string;
  record: TopicRecord;
  config: TopicConfig;
  /**
   * Index = partition id. A deleted (decommissioned, then expired) partition is a hole in this array:
   * iterate with `for ... of` only behind a check, or with forEach/filter (which skip holes).
   */
  partitions: Partition[];
}

const OPEN_CONCURRENCY = 16;

export class EmbeddedAuthority implements TopicAuthority {
  readonly mode = 'embedded';
  private readonly topics = new Map<string, Topic>();
  /** Names being created or deleted right now, so two requests for one name do not race. */
  private readonly busy = new Set<string>();
  /** Retention for every log of this broker, started by load(). */
  private readonly cleaner: LogCleaner;
  /** Caps the descriptors every log of this broker holds (log.max.open.files). */
  private readonly filePool: FilePool;
  /** Deletes decommissioned partitions whose retention has passed, every retention.check.interval.ms. */
  private decommissionTimer: NodeJS.Timeout | null = null;
  private advertised: HostPort | null = null;
  private listeners: Record<string, HostPort> | undefined;

  private constructor(private readonly config: BrokerConfig, readonly store: LocalStore, private readonly logger: Logger) {
    this.filePool = new FilePool(config.maxOpenFiles);
    this.cleaner = new LogCleaner({
      intervalMs: config.retentionCheckIntervalMs,
      logs: () => [...this.topics.values()].flatMap((t) => t.partitions.filter(Boolean).map((p) => ({
        log: p.log, policy: { retentionMs: t.config['retention.ms'], retentionBytes: t.config['retention.bytes'] },
      }))),
      onError: (log, err) => this.logger.warn('retention failed', { dir: log.dir, error: String(err) }),
    });
  }

  static async open(config: BrokerConfig, logger: Logger): Promise<EmbeddedAuthority> {
    return new EmbeddedAuthority(config, await LocalStore.open(config.dataDir), logger);
  }

  clusterId(fresh: string): Promise<string> {
    return ensureClusterId(this.store, fresh);
  }

  /** Opens every topic recorded in the store (recovering their logs). */
  async load(): Promise<void> {
    const records = await this.store.range('topics/');
    for (const kv of records) {
      const name = kv.key.slice('topics/'.length);
      const record = JSON.parse(kv.value) as TopicRecord;
      // A stored value the checks refuse (written by an older version) must not keep the broker down.
      const overrides = parseStoredTopicConfig(record.configs, (key, problem) => {
        this.logger.warn('stored topic config is invalid; serving the default for it', { topic: name, key, problem });
      }, this.config);
      const config = this.effectiveConfig(overrides);
      const partitions = await this.openPartitions(name, 0, record.replicas.length, config, record);
      const topic = { name, record, config, partitions };
      this.topics.set(name, topic);
      markTopicDecommissioned(topic);
    }
    this.cleaner.start();
    this.decommissionTimer = setInterval(() => {
      this.deleteExpiredPartitions().catch((err: unknown) => this.logger.warn('deleting decommissioned partitions failed', { error: String(err) }));
    }, this.config.retentionCheckIntervalMs);
    this.decommissionTimer.unref();
  }

  async join(info: JoinInfo): Promise<void> {
    this.advertised = info.advertised;
    this.listeners = info.listeners;
  }

  /** One broker: nobody to hand leadership to. */
  async controlledShutdown(): Promise<void> {}

  controllerId(): number { return this.config.nodeId; }

  liveBrokers(): LiveBroker[] {
    const at = this.advertised ?? this.config.advertised ?? this.config.listen;
    return [{ nodeId: this.config.nodeId, host: at.host, port: at.port, rack: this.config.rack ?? null, listeners: this.listeners }];
  }

  liveBrokerIds(): number[] { return [this.config.nodeId]; }

  brokerEndpoint(id: number): HostPort | null {
    const me = this.liveBrokers()[0];
    return id === me.nodeId ? { host: me.host, port: me.port } : null;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  topic(name: string): TopicRecord | undefined {
    return this.topics.get(name)?.record;
  }

  partitionState(topic: string, index: number): PartitionState | undefined {
    const p = this.topics.get(topic)?.partitions[index];
    return p ? { leader: this.config.nodeId, leaderEpoch: p.leaderEpoch, isr: [this.config.nodeId] } : undefined;
  }

  partitionExists(topic: string, index: number): boolean {
    return this.topics.get(topic)?.partitions[index] !== undefined;
  }

  leaderPartition(topic: string, index: number): Partition | number {
    return this.topics.get(topic)?.partitions[index] ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  /** No broker follows this one. */
  followerPartition(): Partition | number {
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  hostedPartition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  hostedReplicas(): HostedReplica[] {
    const me = this.config.nodeId;
    return this.topicNames().flatMap((name) => this.topics.get(name)!.partitions.filter(Boolean)
      .map((partition) => ({ partition, replicas: [me], leader: me, isr: [me] })));
  }

  replicationThrottle(): null { return null; }

  /** The one broker already leads every partition it has: nothing to elect. */
  async electPreferredLeaders(partitions: { topic: string; partition: number }[] | null): Promise<PreferredElectionResult[]> {
    const wanted = partitions ?? this.hostedReplicas().map(({ partition: p }) => ({ topic: p.topic, partition: p.index }));
    return wanted.map(({ topic, partition }) => (this.partitionExists(topic, partition)
      ? { topic, partition, error: 'ELECTION_NOT_NEEDED', message: `broker ${this.config.nodeId} is the only replica and leads` }
      : { topic, partition, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `partition ${topic}-${partition} does not exist` }));
  }

  /**
   * What a single Kafka broker answers: a move onto itself alone is already done, any other broker is
   * INVALID_REPLICA_ASSIGNMENT, a cancel is NO_REASSIGNMENT_IN_PROGRESS.
   */
  async reassign(changes: ReassignmentChange[]): Promise<ReassignmentOutcome[]> {
    const me = this.config.nodeId;
    return changes.map((c) => {
      const out = (error: string | null, message: string | null): ReassignmentOutcome => ({ topic: c.topic, partition: c.partition, error, message });
      if (!this.partitionExists(c.topic, c.partition)) return out('UNKNOWN_TOPIC_OR_PARTITION', `partition ${c.topic}-${c.partition} does not exist`);
      if (c.replicas === null) return out('NO_REASSIGNMENT_IN_PROGRESS', `${c.topic}-${c.partition} is not being reassigned (embedded mode: one broker, nothing moves)`);
      if (c.replicas.length === 1 && c.replicas[0] === me) return out(null, null);
      return out('INVALID_REPLICA_ASSIGNMENT', `embedded mode has one broker (${me}): there is nowhere to move ${c.topic}-${c.partition}`);
    });
  }

  /** Nothing ever moves. */
  listReassignments(): OngoingReassignment[] { return []; }

  async setReassignmentThrottle(bytesPerSec: number | null): Promise<number> {
    if (bytesPerSec !== null) throw new MqError('INVALID_CONFIG', 'embedded mode has one broker and nothing moves: there is no reassignment to throttle');
    return 0;
  }

  reassignmentThrottle(): null { return null; }

  autoCreateTopic(name: string): Promise<void> {
    return this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {}, validateOnly: false });
  }

  async setDecommissioned(name: string, value: string | null, validateOnly: boolean): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic || this.busy.has(name)) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const decommissioned = applyDecommissionedValue(name, topic.record, value, Date.now());
    if (validateOnly) return;
    this.busy.add(name);
    try {
      const record: TopicRecord = { ...topic.record, decommissioned };
      await this.store.txn([], [{ put: { key: `topics/${name}`, value: JSON.stringify(record) } }]);
      topic.record = record;
      markTopicDecommissioned(topic);
      this.logger.info('decommissioned partitions set', { topic: name, partitions: Object.keys(decommissioned).join(',') });
    } finally {
      this.busy.delete(name);
    }
  }

  /**
   * Deletes every decommissioned partition whose topic's retention.ms has passed since it was
   * decommissioned: its replica list is emptied, its state key and its log go. Resolves to how many.
   */
  async deleteExpiredPartitions(nowMs = Date.now()): Promise<number> {
    let deleted = 0;
    for (const topic of [...this.topics.values()]) {
      const due = partitionsDueForDeletion(topic.record, topic.config['retention.ms'], nowMs);
      if (due.length === 0 || this.busy.has(topic.name)) continue;
      this.busy.add(topic.name);
      try {
        const record = withPartitionsDeleted(topic.record, due);
        const ops: StoreOp[] = [{ put: { key: `topics/${topic.name}`, value: JSON.stringify(record) } }];
        for (const p of due) ops.push({ delete: `partitions/${topic.name}/${p}` });
        await this.store.txn([], ops);
        topic.record = record;
        for (const p of due) {
          const partition = topic.partitions[p];
          delete topic.partitions[p];
          if (!partition) continue;
          partition.stopTimers();
          await partition.log.delete();
          this.logger.info('decommissioned partition deleted', {
            topic: topic.name, partition: p, decommissionedAtMs: decommissionedSinceMs(record, p), retentionMs: topic.config['retention.ms'],
          });
          deleted++;
        }
      } finally {
        this.busy.delete(topic.name);
      }
    }
    return deleted;
  }

  /** The effective config of a topic, each value with its source (topic override, broker setting, default). */
  describeConfig(name: string): TopicConfigEntry[] {
    const topic = this.topics.get(name);
    if (!topic) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    return topicConfigEntries(topic.record.configs, this.config.topicDefaults);
  }

  /**
   * Replaces a topic's config overrides (AlterConfigs semantics: keys not given go back to the broker's
   * value), persists them in the topic record and applies them to the live partitions.
   */
  async alterConfig(name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic || this.busy.has(name)) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const overrides = parseTopicConfig(configs, this.config);
    const config = this.effectiveConfig(overrides);
    if (validateOnly) return;
    this.busy.add(name);
    try {
      const record: TopicRecord = {
        ...topic.record,
        configs: Object.fromEntries(Object.entries(configs).filter((e): e is [string, string] => e[1] !== null)),
      };
      await this.store.txn([], [{ put: { key: `topics/${name}`, value: JSON.stringify(record) } }]);
      topic.record = record;
      topic.config = config;
      for (const p of topic.partitions) {
        if (!p) continue; // deleted
        p.config = config;
        p.log.updateConfig(logConfigFor(config, this.config.indexIntervalBytes));
      }
      this.logger.info('topic config altered', { topic: name, configs: record.configs });
    } finally {
      this.busy.delete(name);
    }
  }

  /**
   * Creates a topic; throws MqError with the Kafka error name as code on any problem. Explicit
   * assignments must name this broker alone for every partition.
   */
  async createTopic(spec: TopicSpec): Promise<void> {
    let req = spec;
    if (spec.assignments.length > 0) {
      spec.assignments.forEach((replicas, p) => this.checkAssignment(replicas, `partition ${p}: `));
      req = { ...spec, numPartitions: spec.assignments.length, replicationFactor: 1 };
    }
    const problem = topicNameProblem(req.name);
    if (problem) throw new MqError('INVALID_TOPIC_EXCEPTION', problem);
    if (this.topics.has(req.name) || this.busy.has(req.name)) {
      throw new MqError('TOPIC_ALREADY_EXISTS', `topic '${req.name}' already exists`);
    }
    const numPartitions = req.numPartitions === -1 ? this.config.numPartitions : req.numPartitions;
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new MqError('INVALID_PARTITIONS', `partition count must be at least 1, got ${numPartitions}`);
    }
    checkPartitionsPerTopic(this.config, numPartitions);
    checkTopicCount(this.config, this.topics.size + this.busy.size);
    const rf = req.replicationFactor === -1 ? this.config.defaultReplicationFactor : req.replicationFactor;
    if (rf < 1) throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
    if (rf > 1) {
      throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor ${rf} is larger than the 1 available broker (embedded mode has one broker)`);
    }
    const overrides = parseTopicConfig(req.configs, this.config);
    const config = this.effectiveConfig(overrides);
    if (req.validateOnly) return;

    const record: TopicRecord = {
      topicId: randomUUID(),
      replicas: Array.from({ length: numPartitions }, () => [this.config.nodeId]),
      configs: Object.fromEntries(Object.entries(req.configs).filter(([, v]) => v !== null)),
    };
    this.busy.add(req.name);
    try {
      const ops: StoreOp[] = [{ put: { key: `topics/${req.name}`, value: JSON.stringify(record) } }];
      for (let p = 0; p < numPartitions; p++) ops.push(this.partitionStateOp(req.name, p));
      const ok = await this.store.txn([{ key: `topics/${req.name}`, version: 0 }], ops);
      if (!ok) throw new MqError('TOPIC_ALREADY_EXISTS', `topic '${req.name}' already exists`);
      const partitions = await this.openPartitions(req.name, 0, numPartitions, config);
      const topic = { name: req.name, record, config, partitions };
      this.topics.set(req.name, topic);
      this.logger.info('topic created', { topic: req.name, partitions: numPartitions });
    } finally {
      this.busy.delete(req.name);
    }
  }

  /** Grows a topic to `total` partitions. */
  async addPartitions(name: string, total: number, assignments: number[][] | null, validateOnly: boolean): Promise<void> {
    for (const replicas of assignments ?? []) this.checkAssignment(replicas, '');
    const topic = this.topics.get(name);
    if (!topic || this.busy.has(name)) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const current = topic.partitions.length;
    if (total <= current) {
      throw new MqError('INVALID_PARTITIONS', `topic '${name}' has ${current} partitions; the new count ${total} must be larger (partitions can only be added)`);
    }
    checkPartitionsPerTopic(this.config, total);
    if (validateOnly) return;
    this.busy.add(name);
    try {
      const record: TopicRecord = {
        ...topic.record,
        replicas: [...topic.record.replicas, ...Array.from({ length: total - current }, () => [this.config.nodeId])],
      };
      const ops: StoreOp[] = [{ put: { key: `topics/${name}`, value: JSON.stringify(record) } }];
      for (let p = current; p < total; p++) ops.push(this.partitionStateOp(name, p));
      await this.store.txn([], ops);
      const added = await this.openPartitions(name, current, total, topic.config);
      topic.partitions.push(...added);
      topic.record = record;
      this.logger.info('partitions added', { topic: name, from: current, to: total });
    } finally {
      this.busy.delete(name);
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic || this.busy.has(name)) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    this.busy.add(name);
    try {
      this.topics.delete(name);
      const ops: StoreOp[] = [{ delete: `topics/${name}` }];
      for (let p = 0; p < topic.partitions.length; p++) ops.push({ delete: `partitions/${name}/${p}` });
      await this.store.txn([], ops);
      const open = topic.partitions.filter(Boolean);
      for (const p of open) p.stopTimers();
      await Promise.all(open.map((p) => p.log.delete()));
      this.logger.info('topic deleted', { topic: name });
    } finally {
      this.busy.delete(name);
    }
  }

  async close(): Promise<void> {
    if (this.decommissionTimer) clearInterval(this.decommissionTimer);
    this.decommissionTimer = null;
    await this.cleaner.close();
    const all = [...this.topics.values()].flatMap((t) => t.partitions);
    for (const p of all) p.stopTimers();
    this.topics.clear();
    const results = await Promise.allSettled(all.map((p) => p.log.close()));
    for (const r of results) {
      if (r.status === 'rejected') this.logger.error('closing a log failed', { error: String(r.reason) });
    }
    await this.store.close();
  }

  private checkAssignment(replicas: number[], where: string): void {
    const me = this.config.nodeId;
    if (replicas.length !== 1 || replicas[0] !== me) {
      throw new MqError('INVALID_REPLICA_ASSIGNMENT', `${where}replicas [${replicas.join(',')}] must be [${me}], the only broker`);
    }
  }

  private effectiveConfig(overrides: Partial<TopicConfig>): TopicConfig {
    return { ...this.config.topicDefaults, ...overrides };
  }

  private partitionStateOp(topic: string, p: number): StoreOp {
    const state: PartitionState = { leader: this.config.nodeId, leaderEpoch: 0, isr: [this.config.nodeId] };
    return { put: { key: `partitions/${topic}/${p}`, value: JSON.stringify(state) } };
  }

  /** Opens partitions [from, to) of `topic`; deleted ones (per `record`) stay holes. */
  private async openPartitions(topic: string, from: number, to: number, config: TopicConfig, record?: TopicRecord): Promise<Partition[]> {
    const out: Partition[] = new Array(to - from);
    let next = from;
    const worker = async (): Promise<void> => {
      while (next < to) {
        const p = next++;
        if (record && isDeletedPartition(record, p)) continue;
        out[p - from] = await openPartition(this.config, topic, p, config, this.filePool, this.logger);
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, to - from) }, worker));
    return out;
  }
}

/** Marks each open partition of `topic` decommissioned or not, from its record. */
function markTopicDecommissioned(topic: Topic): void {
  topic.partitions.forEach((p, i) => { p.decommissioned = decommissionedSinceMs(topic.record, i) !== undefined; });
}

