// The controller's topic administration: CreateTopics, CreatePartitions and DeleteTopics (answered
// only by the elected controller; others get NOT_CONTROLLER), and the deletion of decommissioned
// partitions past their retention. It places replicas over the live brokers (placement.ts) and writes
// `topics/<name>` and `partitions/<topic>/<p>` in one transaction whose compares include the controller
// fence, so a deposed controller cannot write. Each answer waits until this broker's metadata cache shows
// the change. New partitions start with leader = replicas[0] (the preferred leader), leaderEpoch 0 and
// every replica in the ISR (all replicas are empty, so all are in sync).
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from '../config/config.js';
import { parseStoredTopicConfig, parseTopicConfig } from '../config/topic-config.js';
import { topicNameProblem } from '../protocol/topic-name.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { ControllerElection } from './controller-election.js';
import type { MetadataCache } from './metadata-cache.js';
import type { MetadataStore, StoreOp } from './metadata-store.js';
import { partitionsDueForDeletion, withPartitionsDeleted } from './partition-decommission.js';
import { placeReplicas } from './placement.js';
import { REASSIGNMENTS_PREFIX, type Reassignment } from './replica-restore.js';
import type { PartitionState, TopicRecord, TopicSpec } from './topic-records.js';


/** How long an answer waits for this broker's own cache to show the change it made. */
const CACHE_WAIT_MS = 5000;

export class ControllerTopics {
  constructor(
    private readonly config: BrokerConfig,
    private readonly store: MetadataStore,
    private readonly election: ControllerElection,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
    /** Drops the controller's memory of restores under a key or key prefix ("topic/" or "topic/p"). */
    private readonly forgetRestore: (keyOrPrefix: string) => void,
  ) {}

  async createTopic(req: TopicSpec): Promise<void> {
    const fence = this.fence();
    const problem = topicNameProblem(req.name);
    if (problem) throw new MqError('INVALID_TOPIC_EXCEPTION', problem);
    if (this.cache.topics.has(req.name)) throw new MqError('TOPIC_ALREADY_EXISTS', `topic '${req.name}' already exists`);
    let replicas: number[][];
    if (req.assignments.length > 0) {
      replicas = req.assignments;
      for (const [p, list] of replicas.entries()) this.checkAssignment(p, list);
    } else {
      const numPartitions = req.numPartitions === -1 ? this.config.numPartitions : req.numPartitions;
      if (!Number.isInteger(numPartitions) || numPartitions < 1) {
        throw new MqError('INVALID_PARTITIONS', `partition count must be at least 1, got ${numPartitions}`);
      }
      const rf = req.replicationFactor === -1 ? this.config.defaultReplicationFactor : req.replicationFactor;
      checkReplicationFactor(rf);
      replicas = placeReplicas({ brokers: brokersTakingReplicas(this.cache), count: numPartitions, replicationFactor: rf, existing: this.existingReplicas() });
    }
    parseTopicConfig(req.configs, this.config);
    if (req.validateOnly) return;
    const record: TopicRecord = { topicId: randomUUID(), replicas, configs: req.configs };
    const ops: StoreOp[] = [{ put: { key: `topics/${req.name}`, value: JSON.stringify(record) } }];
    replicas.forEach((list, p) => ops.push(partitionStateOp(req.name, p, list)));
    const ok = await this.store.txn([fence, { key: `topics/${req.name}`, version: 0 }], ops);
    if (!ok) {
      this.fence();
      throw new MqError('TOPIC_ALREADY_EXISTS', `topic '${req.name}' already exists`);
    }
    this.logger.info('topic created', { topic: req.name, replicas: replicas.map((l) => l.join(',')).join(' '), controllerEpoch: this.election.epoch });
    await this.cacheShows(() => this.cache.partition(req.name, replicas.length - 1) !== undefined);
  }

  async addPartitions(name: string, total: number, assignments: number[][] | null, validateOnly: boolean): Promise<void> {
    const fence = this.fence();
    const kv = await this.store.get(`topics/${name}`);
    if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const record = JSON.parse(kv.value) as TopicRecord;
    const current = record.replicas.length;
    if (total <= current) {
      throw new MqError('INVALID_PARTITIONS', `topic '${name}' has ${current} partitions; the new count ${total} must be larger (partitions can only be added)`);
    }
    let added: number[][];
    if (assignments && assignments.length > 0) {
      if (assignments.length !== total - current) {
        throw new MqError('INVALID_REPLICA_ASSIGNMENT', `${assignments.length} assignments given for ${total - current} new partitions`);
      }
      assignments.forEach((list, i) => this.checkAssignment(current + i, list));
      added = assignments;
    } else {
      // Partition 0's replication factor; during a replica restore its list is longer than the target.
      const restoring = await this.store.get(`${REASSIGNMENTS_PREFIX}${name}/0`);
      // (Partition 0 may be a deleted decommissioned one: then the first partition that still has replicas.)
      const rf = restoring ? (JSON.parse(restoring.value) as Reassignment).target.length : record.replicas.find((l) => l.length > 0)?.length ?? 1;
      added = placeReplicas({ brokers: brokersTakingReplicas(this.cache), count: total - current, replicationFactor: rf, existing: this.existingReplicas() });
    }
    if (validateOnly) return;
    const next: TopicRecord = { ...record, replicas: [...record.replicas, ...added] };
    const ops: StoreOp[] = [{ put: { key: `topics/${name}`, value: JSON.stringify(next) } }];
    added.forEach((list, i) => ops.push(partitionStateOp(name, current + i, list)));
    if (!await this.store.txn([fence, { key: `topics/${name}`, version: kv.version }], ops)) {
      this.fence();
      throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' changed meanwhile; try again`, { retriable: true });
    }
    this.logger.info('partitions added', { topic: name, from: current, to: total, controllerEpoch: this.election.epoch });
    await this.cacheShows(() => this.cache.partition(name, total - 1) !== undefined);
  }

  /**
   * Deletes the decommissioned partitions whose topic's effective retention.ms has passed since they were
   * decommissioned (partition-decommission.ts): empties their replica lists and removes their states and
   * any restore in one fenced compare-and-swap per topic; every replica's broker then deletes its folder
   * (reconcile), and Metadata leaves them out. Resolves to how many were deleted.
   */
  async deleteExpiredPartitions(nowMs = Date.now()): Promise<number> {
    if (!this.election.isController) return 0;
    let deleted = 0;
    for (const [topic, cached] of this.cache.topics) {
      const retentionMs = { ...this.config.topicDefaults, ...parseStoredTopicConfig(cached.configs, () => {}) }['retention.ms'];
      if (partitionsDueForDeletion(cached, retentionMs, nowMs).length === 0) continue;
      const fence = this.election.fence();
      if (!fence) return deleted;
      const kv = await this.store.get(`topics/${topic}`);
      if (!kv) continue;
      const record = JSON.parse(kv.value) as TopicRecord;
      const due = partitionsDueForDeletion(record, retentionMs, nowMs);
      if (due.length === 0) continue;
      const ops: StoreOp[] = [{ put: { key: `topics/${topic}`, value: JSON.stringify(withPartitionsDeleted(record, due)) } }];
      for (const p of due) ops.push({ delete: `partitions/${topic}/${p}` }, { delete: `${REASSIGNMENTS_PREFIX}${topic}/${p}` });
      if (!await this.store.txn([fence, { key: kv.key, version: kv.version }], ops)) continue; // changed meanwhile: next interval
      for (const p of due) {
        this.forgetRestore(`${topic}/${p}`);
        this.logger.info('decommissioned partition deleted', { topic, partition: p, decommissionedAtMs: record.decommissioned?.[String(p)], retentionMs });
      }
      deleted += due.length;
    }
    return deleted;
  }

  async deleteTopic(name: string): Promise<void> {
    const fence = this.fence();
    const kv = await this.store.get(`topics/${name}`);
    if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const record = JSON.parse(kv.value) as TopicRecord;
    const ops: StoreOp[] = [{ delete: `topics/${name}` }];
    for (let p = 0; p < record.replicas.length; p++) ops.push({ delete: `partitions/${name}/${p}` });
    // Restores in progress end with the topic.
    for (const r of await this.store.range(`${REASSIGNMENTS_PREFIX}${name}/`)) ops.push({ delete: r.key });
    if (!await this.store.txn([fence, { key: `topics/${name}`, version: kv.version }], ops)) {
      this.fence();
      throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' changed meanwhile; try again`, { retriable: true });
    }
    this.forgetRestore(`${name}/`);
    this.logger.info('topic deleted', { topic: name, controllerEpoch: this.election.epoch });
    await this.cacheShows(() => !this.cache.topics.has(name));
  }

  /** The compare that holds only while this broker is controller; NOT_CONTROLLER when it is not. */
  private fence(): { key: string; version: number } {
    const f = this.election.fence();
    if (!f) {
      throw new MqError('NOT_CONTROLLER', `broker ${this.config.nodeId} is not the controller (the controller is broker ${this.cache.controllerId})`, { retriable: true });
    }
    return f;
  }

  private checkAssignment(partition: number, list: number[]): void {
    checkReplicationFactor(list.length);
    if (new Set(list).size !== list.length) throw new MqError('INVALID_REPLICA_ASSIGNMENT', `partition ${partition}: a broker is listed twice in ${list.join(',')}`);
    for (const id of list) {
      if (!this.cache.brokers.has(id)) throw new MqError('INVALID_REPLICA_ASSIGNMENT', `partition ${partition}: broker ${id} is not a live broker`);
    }
  }

  private existingReplicas(): number[][] {
    return [...this.cache.topics.values()].flatMap((t) => t.replicas);
  }

  private cacheShows(done: () => boolean): Promise<void> {
    return this.cache.waitFor(done, CACHE_WAIT_MS);
  }
}

function checkReplicationFactor(rf: number): void {
  if (!Number.isInteger(rf) || rf < 1) throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
}

function partitionStateOp(topic: string, p: number, replicas: number[]): StoreOp {
  // A new partition: every replica is empty, so all of them are in sync; the preferred replica leads.
  const state: PartitionState = { leader: replicas[0], leaderEpoch: 0, isr: [...replicas] };
  return { put: { key: `partitions/${topic}/${p}`, value: JSON.stringify(state) } };
}

/** Registered brokers that may take new replicas (not those shutting down). */
export function brokersTakingReplicas(cache: MetadataCache): { brokerId: number; rack: string | null }[] {
  return [...cache.brokers.values()].filter((b) => !b.shuttingDown).map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
}
