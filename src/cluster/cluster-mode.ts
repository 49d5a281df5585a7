// Everything a broker adds in cluster mode (`--etcd`): the EtcdStore, the metadata cache, its
// leased registration, the controller election and (while elected) the controller, and the Logs of
// the partitions this broker hosts. Handlers ask it which partition this broker leads
// (partitionFor), what Metadata to answer, and route topic administration to the controller.
//
// First slice (issue 5): no replication. Topics have replication factor 1; a partition is served by
// its one replica while that broker is registered. When a broker's lease is lost its partitions have
// no leader (LeaderId -1, LEADER_NOT_AVAILABLE) until it registers again; the broker itself refuses to
// serve them (NOT_LEADER_OR_FOLLOWER) while it is not registered (it fences itself).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { parseTopicConfig } from '../config/topic-config.js';
import { Partition } from '../broker/partition.js';
import type { TopicManager } from '../broker/topic-manager.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { MetadataResponse } from '../protocol/messages/metadata.js';
import { Log } from '../storage/log.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { BrokerRegistry } from './broker-registry.js';
import { Controller } from './controller.js';
import { ControllerElection } from './controller-election.js';
import { EtcdStore } from './etcd-store.js';
import { MetadataCache } from './metadata-cache.js';
import { topicNameProblem } from './topic-name.js';

/** Remembers the registration lease across restarts, so a restarted broker takes over its own leftover. */
const LEASE_FILE = 'cluster-lease';

interface Hosted { topicId: string; partition: Partition }

type TopicEntry = MetadataResponse['topics'][number];

export class ClusterMode {
  readonly cache: MetadataCache;
  private registry: BrokerRegistry | null = null;
  private election: ControllerElection | null = null;
  private controller: Controller | null = null;
  /** Key "topic/partition": the partitions whose log this broker has open. */
  private readonly hosted = new Map<string, Hosted>();
  private reconciling: Promise<void> = Promise.resolve();
  private reconcileAgain = false;
  private closed = false;
  private readonly onChange = (): void => this.scheduleReconcile();

  private constructor(private readonly config: BrokerConfig, readonly store: EtcdStore, private readonly logger: Logger) {
    this.cache = new MetadataCache(store, logger);
  }

  /** Connects to etcd and reads the cluster metadata (before the broker listens). */
  static async open(config: BrokerConfig, logger: Logger): Promise<ClusterMode> {
    const store = await EtcdStore.connect({ endpoints: config.etcdEndpoints! });
    const c = new ClusterMode(config, store, logger);
    try {
      await c.cache.start();
    } catch (err) {
      await c.cache.close();
      await store.close();
      throw err;
    }
    return c;
  }

  /** The cluster id, created by the first broker that asks. */
  async clusterId(fresh: string): Promise<string> {
    await this.store.txn([{ key: 'cluster/id', version: 0 }], [{ put: { key: 'cluster/id', value: fresh } }]);
    return (await this.store.get('cluster/id'))!.value;
  }

  /** Registers (host, port, admin port, rack), joins the controller election and opens hosted logs. */
  async join(topics: TopicManager, advertised: HostPort, admin: HostPort | null): Promise<void> {
    this.topics = topics;
    const leaseFile = join(this.config.dataDir, LEASE_FILE);
    const previousLeaseId = (await readFile(leaseFile, 'utf8').catch(() => '')).trim() || undefined;
    const registry = new BrokerRegistry(this.store, {
      brokerId: this.config.nodeId, host: advertised.host, port: advertised.port, adminPort: admin?.port ?? null,
      rack: this.config.rack ?? null, startTimeMs: Date.now(),
    }, { previousLeaseId, logger: this.logger });
    registry.on('registered', ({ leaseId }: { leaseId: string }) => {
      writeFile(leaseFile, leaseId).catch((err: unknown) => this.logger.warn('could not remember the broker lease', { error: String(err) }));
    });
    this.registry = registry;
    await registry.register();
    const election = new ControllerElection(this.store, registry, this.config.nodeId, { logger: this.logger });
    this.election = election;
    this.controller = new Controller(this.config, this.store, election, this.cache, this.logger);
    election.start();
    this.cache.on('change', this.onChange);
    this.scheduleReconcile();
    await this.reconciling;
  }

  private topics: TopicManager | null = null;

  get isController(): boolean { return this.election?.isController ?? false; }

  /** The partition this broker leads and serves, or the error code to answer instead. */
  partitionFor(topic: string, index: number): Partition | number {
    const state = this.cache.partition(topic, index);
    if (!state || !this.cache.topics.has(topic)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (state.leader !== this.config.nodeId || !this.registry?.registered) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const h = this.hosted.get(`${topic}/${index}`);
    return h ? h.partition : ErrorCode.LEADER_NOT_AVAILABLE;
  }

  /** Whether a partition exists anywhere in the cluster (OffsetCommit's check). */
  partitionExists(topic: string, index: number): boolean {
    return this.cache.partition(topic, index) !== undefined;
  }

  /** Where clients reach broker `id`, if it is live. */
  brokerEndpoint(id: number): HostPort | null {
    const b = this.cache.brokers.get(id);
    return b ? { host: b.host, port: b.port } : null;
  }

  /** Metadata: all live brokers, the controller, and each requested topic's leaders, replicas and ISR. */
  async metadata(names: string[] | null, allowCreate: boolean, clusterId: string): Promise<MetadataResponse> {
    const topics: TopicEntry[] = [];
    for (const name of names ?? [...this.cache.topics.keys()].sort()) topics.push(await this.describeTopic(name, allowCreate));
    return {
      throttleTimeMs: 0,
      brokers: [...this.cache.brokers.values()].sort((a, b) => a.brokerId - b.brokerId)
        .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      clusterId,
      controllerId: this.cache.controllerId,
      topics,
    };
  }

  private async describeTopic(name: string, allowCreate: boolean): Promise<TopicEntry> {
    const empty = (errorCode: number): TopicEntry => ({ errorCode, name, isInternal: false, partitions: [] });
    if (topicNameProblem(name)) return empty(ErrorCode.INVALID_TOPIC_EXCEPTION);
    let record = this.cache.topics.get(name);
    if (!record && allowCreate && this.isController) {
      try {
        await this.controller!.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {}, validateOnly: false });
      } catch (err) {
        if (!(err instanceof MqError) || err.code !== 'TOPIC_ALREADY_EXISTS') {
          this.logger.warn('auto-create failed', { topic: name, error: (err as Error).message });
          return empty(ErrorCode.LEADER_NOT_AVAILABLE);
        }
      }
      record = this.cache.topics.get(name);
    }
    if (!record) return empty(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    return {
      errorCode: 0,
      name,
      isInternal: false,
      partitions: record.replicas.map((replicas, p) => {
        const state = this.cache.partition(name, p);
        const live = state !== undefined && this.cache.brokers.has(state.leader);
        return {
          errorCode: live ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: p,
          leaderId: live ? state.leader : -1,
          replicaNodes: replicas,
          isrNodes: state ? state.isr.filter((id) => this.cache.brokers.has(id)) : [],
        };
      }),
    };
  }

  /** The controller, or NOT_CONTROLLER when this broker is not it. */
  requireController(): Controller {
    if (!this.controller || !this.isController) {
      throw new MqError('NOT_CONTROLLER', `broker ${this.config.nodeId} is not the controller (the controller is broker ${this.cache.controllerId})`, { retriable: true });
    }
    return this.controller;
  }

  /** Leaves the cluster: resign as controller, deregister, close hosted logs and the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.off('change', this.onChange);
    await this.election?.close();
    await this.registry?.close();
    await this.reconciling.catch(() => undefined);
    await this.cache.close();
    const all = [...this.hosted.values()];
    this.hosted.clear();
    for (const h of all) h.partition.stopTimers();
    const results = await Promise.allSettled(all.map((h) => h.partition.log.close()));
    for (const r of results) if (r.status === 'rejected') this.logger.error('closing a log failed', { error: String(r.reason) });
    await this.store.close();
  }

  /** Runs reconcile() after the current one; changes arriving meanwhile coalesce into one more run. */
  private scheduleReconcile(): void {
    if (this.reconcileAgain) return;
    this.reconcileAgain = true;
    this.reconciling = this.reconciling.then(async () => {
      this.reconcileAgain = false;
      if (this.closed) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.logger.error('opening or closing partition logs failed', { error: String(err) });
      }
    });
  }

  /** Opens a Log for every partition whose replicas include this broker; deletes those of deleted topics. */
  private async reconcile(): Promise<void> {
    const me = this.config.nodeId;
    const wanted = new Map<string, { topic: string; index: number; topicId: string; configs: Record<string, string> }>();
    for (const [topic, record] of this.cache.topics) {
      record.replicas.forEach((replicas, index) => {
        if (replicas.includes(me)) wanted.set(`${topic}/${index}`, { topic, index, topicId: record.topicId, configs: record.configs });
      });
    }
    for (const [key, h] of this.hosted) {
      const w = wanted.get(key);
      if (w && w.topicId === h.topicId) continue;
      this.hosted.delete(key);
      h.partition.stopTimers();
      await h.partition.log.delete();
      await rm(`${h.partition.log.dir}.topic-id`, { force: true });
      this.logger.info('partition replica removed', { topic: h.partition.topic, partition: h.partition.index });
    }
    for (const [key, w] of wanted) {
      if (this.hosted.has(key) || this.closed) continue;
      const config = { ...this.config.topicDefaults, ...parseTopicConfig(w.configs) };
      const dir = join(this.config.dataDir, `${w.topic}-${w.index}`);
      // `<dir>.topic-id` names the topic incarnation the folder belongs to: a folder left from a topic
      // deleted (and perhaps re-created) while this broker was down is removed, never served.
      const idFile = `${dir}.topic-id`;
      const onDisk = (await readFile(idFile, 'utf8').catch(() => '')).trim();
      if (onDisk !== w.topicId) {
        await rm(dir, { recursive: true, force: true });
        await writeFile(idFile, w.topicId);
      }
      const log = await Log.open(dir, {
        segmentBytes: config['segment.bytes'], segmentMs: config['segment.ms'], indexIntervalBytes: this.config.indexIntervalBytes,
      }, {
        filePool: this.topics?.filePool,
        log: (msg) => this.logger.warn(msg, { topic: w.topic, partition: w.index }),
      });
      const partition = new Partition(w.topic, w.index, log, config);
      partition.leaderEpoch = this.cache.partition(w.topic, w.index)?.leaderEpoch ?? 0;
      this.hosted.set(key, { topicId: w.topicId, partition });
    }
  }
}
