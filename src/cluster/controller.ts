// The controller's topic administration in cluster mode: CreateTopics, CreatePartitions and
// DeleteTopics are answered only by the elected controller (others: NOT_CONTROLLER). It places
// replicas over the live brokers (placement.ts) and writes `topics/<name>` and
// `partitions/<topic>/<p>` in one transaction whose compares include its controller fence, so a deposed
// controller cannot write. Each answer waits until this broker's metadata cache shows the change.
//
// First slice of cluster mode: no replication yet, so replication factor 1 only, and the ISR is just
// the leader (the only replica).
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from '../config/config.js';
import { parseTopicConfig } from '../config/topic-config.js';
import type { PartitionState, TopicRecord } from '../broker/topic-manager.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { ControllerElection } from './controller-election.js';
import type { MetadataCache } from './metadata-cache.js';
import type { MetadataStore, StoreOp } from './metadata-store.js';
import { placeReplicas } from './placement.js';
import { topicNameProblem } from './topic-name.js';

export interface ControllerCreateTopic {
  name: string;
  /** -1: num.partitions. */
  numPartitions: number;
  /** -1: default.replication.factor. */
  replicationFactor: number;
  /** Explicit replica lists (CreateTopics assignments), index = partition; empty for placement. */
  assignments: number[][];
  configs: Record<string, string>;
  validateOnly: boolean;
}

/** How long an answer waits for this broker's own cache to show the change it made. */
const CACHE_WAIT_MS = 5000;

export class Controller {
  constructor(
    private readonly config: BrokerConfig,
    private readonly store: MetadataStore,
    private readonly election: ControllerElection,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
  ) {}

  async createTopic(req: ControllerCreateTopic): Promise<void> {
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
      replicas = placeReplicas({ brokers: this.liveBrokers(), count: numPartitions, replicationFactor: rf, existing: this.existingReplicas() });
    }
    parseTopicConfig(req.configs);
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
      added = placeReplicas({ brokers: this.liveBrokers(), count: total - current, replicationFactor: record.replicas[0]?.length ?? 1, existing: this.existingReplicas() });
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

  async deleteTopic(name: string): Promise<void> {
    const fence = this.fence();
    const kv = await this.store.get(`topics/${name}`);
    if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    const record = JSON.parse(kv.value) as TopicRecord;
    const ops: StoreOp[] = [{ delete: `topics/${name}` }];
    for (let p = 0; p < record.replicas.length; p++) ops.push({ delete: `partitions/${name}/${p}` });
    if (!await this.store.txn([fence, { key: `topics/${name}`, version: kv.version }], ops)) {
      this.fence();
      throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' changed meanwhile; try again`, { retriable: true });
    }
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
    for (const id of list) {
      if (!this.cache.brokers.has(id)) throw new MqError('INVALID_REPLICA_ASSIGNMENT', `partition ${partition}: broker ${id} is not a live broker`);
    }
  }

  private liveBrokers(): { brokerId: number; rack: string | null }[] {
    return [...this.cache.brokers.values()].map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
  }

  private existingReplicas(): number[][] {
    return [...this.cache.topics.values()].flatMap((t) => t.replicas);
  }

  private cacheShows(done: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.cache.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => { this.cache.off('change', check); resolve(); }, CACHE_WAIT_MS);
      this.cache.on('change', check);
      check();
    });
  }
}

function checkReplicationFactor(rf: number): void {
  if (!Number.isInteger(rf) || rf < 1) throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
  if (rf > 1) {
    throw new MqError('INVALID_REPLICATION_FACTOR', `replication factor ${rf} is not possible yet: replication is not implemented in cluster mode so far; use replication factor 1`);
  }
}

function partitionStateOp(topic: string, p: number, replicas: number[]): StoreOp {
  // Replication factor 1: the leader is the only replica and so the whole ISR.
  const state: PartitionState = { leader: replicas[0], leaderEpoch: 0, isr: [replicas[0]] };
  return { put: { key: `partitions/${topic}/${p}`, value: JSON.stringify(state) } };
}
