// The cluster topic authority (`--etcd`): the EtcdStore, the metadata cache, this broker's leased
// registration, the controller election and (while elected) the Controller (src/cluster), and the
// replicas this broker hosts (replica-hosting.ts) with their replication (src/replication). Topic
// administration goes to the controller (a broker that is not the controller answers NOT_CONTROLLER, and
// forwards only Metadata's auto-creation); config changes are written by any broker (topic-record-edits.ts).
//
// This broker leads a partition only while (a) its registration is held, (b) the cached state names it
// leader and (c) the state was written after this run of the broker registered (its version is above our
// brokerEpoch), so a leadership inherited from before a kill -9 is never acted on; otherwise it answers
// NOT_LEADER_OR_FOLLOWER and waits for the controller.
import type { ClientSecurity } from '../client/security-options.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '../client/connection.js';
import { BrokerRegistry } from '../cluster/broker-registry.js';
import { Controller, type PreferredElectionResult } from '../cluster/controller.js';
import { ControllerElection } from '../cluster/controller-election.js';
import { EtcdStore } from '../cluster/etcd-store.js';
import { MetadataCache } from '../cluster/metadata-cache.js';
import { alterTopicConfig, setTopicDecommissioned } from '../cluster/topic-record-edits.js';
import { listReassignments, requestReassignments, type OngoingReassignment, type ReassignmentChange, type ReassignmentOutcome } from '../cluster/reassignment-admin.js';
import { requestThrottle } from '../cluster/reassignment-requests.js';
import type { PartitionState, TopicRecord } from '../cluster/topic-records.js';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { topicConfigEntries, type TopicConfigEntry } from '../config/topic-config-entries.js';
import type { ReplicationThrottleView } from '../metrics/views.js';
import { ApiKey } from '../protocol/api.js';
import { ErrorCode, errorFromCode } from '../protocol/error-codes.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import type { Partition } from '../replication/partition.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { reassignmentThrottleRate, ReplicationThrottle } from '../replication/replication-throttle.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { withTimeout } from '../util/promise.js';
import { checkTopicCount } from './create-caps.js';
import { ReplicaHosting } from './replica-hosting.js';
import {
  ensureClusterId, type HostedReplica, type JoinInfo, type LiveBroker, type TopicAuthority, type TopicSpec,
} from './topic-authority.js';

/** Remembers the registration lease across restarts, so a restarted broker takes over its own leftover. */
const LEASE_FILE = 'cluster-lease';
/** How long a forwarded auto-creation may take (the controller's answer, then our cache showing it). */
const AUTO_CREATE_WAIT_MS = 5000;
/** CreateTopics v4: -1 partitions / replication factor mean the controller's defaults. */
const CREATE_TOPICS_VERSION = 4;
/** How long a controlled shutdown waits for the controller to move leadership away. */
const CONTROLLED_SHUTDOWN_WAIT_MS = 5000;
/** A refused follower fetch is logged once a minute per replica id and reason. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

export class ClusterAuthority implements TopicAuthority {
  readonly mode = 'cluster';
  private readonly cache: MetadataCache;
  /** The reassignment throttle of this broker's replica fetchers (`mq reassign execute --throttle`). */
  private readonly throttle: ReplicationThrottle;
  private readonly hosting: ReplicaHosting;
  private registry: BrokerRegistry | null = null;
  private election: ControllerElection | null = null;
  private controller: Controller | null = null;
  private replicas: ReplicaManager | null = null;
  private shutdownStarted: Promise<void> | null = null;
  private closed = false;
  private readonly onChange = (): void => this.hosting.schedule();
  private readonly followerRefusalLoggedAt = new Map<string, number>();
  /** How to dial other brokers (set by join). */
  private interBroker: ClientSecurity | undefined;

  private constructor(private readonly config: BrokerConfig, readonly store: EtcdStore, private readonly logger: Logger) {
    this.cache = new MetadataCache(store, logger);
    this.throttle = new ReplicationThrottle({ localId: config.nodeId, reassignments: () => this.cache.reassignments });
    this.hosting = new ReplicaHosting(config, this.cache, logger, (topic, index) => this.mayLead(topic, index));
  }

  /** Connects to etcd and reads the cluster metadata (before the broker listens). */
  static async open(config: BrokerConfig, logger: Logger): Promise<ClusterAuthority> {
    const store = await EtcdStore.connect({ endpoints: config.etcdEndpoints!, security: config.security.etcd });
    const c = new ClusterAuthority(config, store, logger);
    try {
      await c.cache.start();
    } catch (err) {
      await c.cache.close();
      await store.close();
      throw err;
    }
    return c;
  }

  clusterId(fresh: string): Promise<string> {
    return ensureClusterId(this.store, fresh);
  }

  /** The cache was read in open(); the replicas open once this broker has registered (join). */
  async load(): Promise<void> {}

  /** Registers (host, port, admin port, rack), joins the controller election and opens hosted logs. */
  async join({ advertised, listeners, admin, metrics, interBroker }: JoinInfo): Promise<void> {
    this.interBroker = interBroker;
    const leaseFile = join(this.config.dataDir, LEASE_FILE);
    const previousLeaseId = (await readFile(leaseFile, 'utf8').catch(() => '')).trim() || undefined;
    const registry = new BrokerRegistry(this.store, {
      brokerId: this.config.nodeId, host: advertised.host, port: advertised.port, adminPort: admin?.port ?? null,
      rack: this.config.rack ?? null, startTimeMs: Date.now(), listeners,
    }, { previousLeaseId, logger: this.logger, ttlSeconds: Math.ceil(this.config.brokerSessionTimeoutMs / 1000) });
    registry.on('registered', ({ leaseId }: { leaseId: string }) => {
      writeFile(leaseFile, leaseId).catch((err: unknown) => this.logger.warn('could not remember the broker lease', { error: String(err) }));
    });
    this.registry = registry;
    // Losing or regaining the registration changes what this broker may lead.
    registry.on('lost', this.onChange);
    registry.on('registered', this.onChange);
    this.replicas = new ReplicaManager(this.config, this.store, this.cache, this.logger, metrics, (id) => this.brokerEndpoint(id), interBroker);
    this.replicas.fetchers.setThrottle(this.throttle);
    await this.hosting.start(this.replicas);
    await registry.register();
    const election = new ControllerElection(this.store, registry, this.config.nodeId, { logger: this.logger });
    this.election = election;
    this.controller = new Controller(this.config, this.store, election, this.cache, this.logger);
    election.start();
    this.cache.on('change', this.onChange);
    this.hosting.schedule();
    await this.hosting.started();
  }

  controllerId(): number { return this.cache.controllerId; }

  liveBrokers(): LiveBroker[] {
    return [...this.cache.brokers.values()].sort((a, b) => a.brokerId - b.brokerId)
      .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack, listeners: b.listeners }));
  }

  liveBrokerIds(): number[] { return this.cache.liveBrokerIds(); }

  brokerEndpoint(id: number): HostPort | null {
    const b = this.cache.brokers.get(id);
    return b ? { host: b.host, port: b.port } : null;
  }

  topicNames(): string[] { return [...this.cache.topics.keys()].sort(); }

  topic(name: string): TopicRecord | undefined { return this.cache.topics.get(name); }

  partitionState(topic: string, index: number): PartitionState | undefined { return this.cache.partition(topic, index); }

  partitionExists(topic: string, index: number): boolean { return this.cache.partition(topic, index) !== undefined; }

  async createTopic(spec: TopicSpec): Promise<void> {
    checkTopicCount(this.config, this.cache.topics.size);
    await this.requireController().createTopic(spec);
  }

  /**
   * The controller creates it; another broker sends the controller a CreateTopics with the broker
   * defaults (as Kafka brokers forward it), then waits a moment for its own cache to show the topic.
   */
  async autoCreateTopic(name: string): Promise<void> {
    const spec: TopicSpec = { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {}, validateOnly: false };
    if (this.controller && this.election?.isController) {
      await this.controller.createTopic(spec);
      return;
    }
    const at = this.brokerEndpoint(this.cache.controllerId);
    if (!at) throw new MqError('NOT_CONTROLLER', 'no controller is elected right now', { retriable: true });
    const conn = new Connection({ host: at.host, port: at.port, clientId: `mq-broker-${this.config.nodeId}`, requestTimeoutMs: AUTO_CREATE_WAIT_MS, connectTimeoutMs: 3000, security: this.interBroker });
    try {
      await conn.ready();
      const req: CreateTopicsRequest = {
        topics: [{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: AUTO_CREATE_WAIT_MS, validateOnly: false,
      };
      const res = await conn.request<CreateTopicsResponse>(ApiKey.CreateTopics, CREATE_TOPICS_VERSION, req);
      const code = res.topics[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code !== 0) throw errorFromCode(code, `auto-create of '${name}' by the controller (broker ${this.cache.controllerId})`);
    } finally {
      await conn.close();
    }
    await this.cache.waitFor(() => this.cache.topics.has(name), AUTO_CREATE_WAIT_MS);
  }

  addPartitions(name: string, total: number, assignments: number[][] | null, validateOnly: boolean): Promise<void> {
    return this.requireController().addPartitions(name, total, assignments, validateOnly);
  }

  deleteTopic(name: string): Promise<void> {
    return this.requireController().deleteTopic(name);
  }

  /** Any broker answers from its cache. */
  describeConfig(name: string): TopicConfigEntry[] {
    const record = this.cache.topics.get(name);
    if (!record) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    return topicConfigEntries(record.configs, this.config.topicDefaults);
  }

  alterConfig(name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void> {
    return alterTopicConfig(this.store, this.config, this.logger, name, configs, validateOnly);
  }

  setDecommissioned(name: string, value: string | null, validateOnly: boolean): Promise<void> {
    return setTopicDecommissioned(this.store, this.cache, this.logger, name, value, validateOnly);
  }

  electPreferredLeaders(partitions: { topic: string; partition: number }[] | null): Promise<PreferredElectionResult[]> {
    return this.requireController().electPreferredLeaders(partitions);
  }

  /** The moves are requested through the store; the controller applies them (reassignment-admin.ts). */
  reassign(changes: ReassignmentChange[], timeoutMs: number): Promise<ReassignmentOutcome[]> {
    return requestReassignments(this.store, new Set(this.cache.brokers.keys()), changes, timeoutMs);
  }

  listReassignments(wanted: ReadonlyMap<string, readonly number[]> | null): OngoingReassignment[] {
    return listReassignments(this.cache.reassignments, this.cache.topics, wanted);
  }

  setReassignmentThrottle(bytesPerSec: number | null): Promise<number> { return requestThrottle(this.store, bytesPerSec); }

  reassignmentThrottle(): number | null { return reassignmentThrottleRate(this.cache.reassignments); }

  leaderPartition(topic: string, index: number): Partition | number {
    const state = this.cache.partition(topic, index);
    if (!state || !this.cache.topics.has(topic)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (!this.mayLead(topic, index)) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const p = this.hosting.get(topic, index);
    if (!p) return ErrorCode.LEADER_NOT_AVAILABLE;
    // The role follows the cache once reconcile() has run; until then the replica is not served.
    return p.leaderState !== null && p.leaderEpoch === state.leaderEpoch ? p : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /**
   * Only a replica of the partition whose broker is registered now is a follower: a fetch naming a dead
   * broker (a client that sets ReplicaId, a zombie whose lease expired) must not keep it in the ISR or
   * move the high watermark.
   */
  followerPartition(topic: string, index: number, replicaId: number, peer: string): Partition | number {
    const found = this.leaderPartition(topic, index);
    if (typeof found === 'number') return found;
    const replicas = this.cache.topics.get(topic)?.replicas[index] ?? [];
    if (!replicas.includes(replicaId)) return this.refuseFollower(replicaId, peer, `broker ${replicaId} is not a replica of ${topic}-${index}`);
    if (!this.cache.brokers.has(replicaId)) return this.refuseFollower(replicaId, peer, `broker ${replicaId} is not registered`);
    return found;
  }

  hostedPartition(topic: string, index: number): Partition | undefined { return this.hosting.get(topic, index); }

  hostedReplicas(): HostedReplica[] { return this.hosting.replicaViews(); }

  replicationThrottle(): ReplicationThrottleView { return this.throttle.view(); }

  /**
   * Controlled shutdown: announces it in the registration (the controller then moves leadership away),
   * waits at most 5 s until the cache shows this broker leads nothing, and stops following.
   */
  controlledShutdown(): Promise<void> {
    this.shutdownStarted ??= (async () => {
      const registry = this.registry;
      if (!registry || !registry.registered) return;
      try {
        // An unreachable store must not hold the shutdown up: then nobody can elect anyway.
        await withTimeout(registry.announceShutdown(), CONTROLLED_SHUTDOWN_WAIT_MS, 'announcing the controlled shutdown');
      } catch (err) {
        this.logger.warn('could not announce the controlled shutdown', { error: (err as Error).message });
        return;
      }
      const deadline = Date.now() + CONTROLLED_SHUTDOWN_WAIT_MS;
      while (Date.now() < deadline && this.hosting.ledWithSuccessor() > 0) await this.nextCacheChange(100);
      const left = this.hosting.ledWithSuccessor();
      if (left > 0) this.logger.warn('controlled shutdown: still leading partitions; stopping anyway', { partitions: left });
      await this.replicas?.stopFetchers();
    })();
    return this.shutdownStarted;
  }

  /** Leaves the cluster: resign as controller, deregister, close hosted logs and the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.controlledShutdown();
    this.closed = true;
    this.cache.off('change', this.onChange);
    await this.hosting.stop();
    await this.replicas?.close();
    await this.election?.close();
    await this.registry?.close();
    await this.hosting.close();
    await this.cache.close();
    await this.store.close();
  }

  /** The controller, or NOT_CONTROLLER when this broker is not it. */
  private requireController(): Controller {
    if (!this.controller || !this.election?.isController) {
      throw new MqError('NOT_CONTROLLER', `broker ${this.config.nodeId} is not the controller (the controller is broker ${this.cache.controllerId})`, { retriable: true });
    }
    return this.controller;
  }

  /**
   * Whether this broker may act as the leader of a partition: (a) its registration is held, (b) the
   * cached state names it, (c) that state was written after this run registered.
   */
  private mayLead(topic: string, index: number): boolean {
    const state = this.cache.partition(topic, index);
    const epoch = this.registry?.brokerEpoch;
    return state !== undefined && state.leader === this.config.nodeId && this.registry !== null && this.registry.registered
      && epoch !== null && epoch !== undefined && this.cache.partitionVersion(topic, index) > epoch;
  }

  private refuseFollower(replicaId: number, peer: string, reason: string): number {
    const key = `${replicaId} ${reason}`;
    const now = Date.now();
    if ((this.followerRefusalLoggedAt.get(key) ?? 0) + REFUSAL_LOG_INTERVAL_MS <= now) {
      this.followerRefusalLoggedAt.set(key, now);
      this.logger.warn('follower fetch refused', { replicaId, peer, reason });
    }
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /** Resolves on the next change of the metadata cache, or after `ms`. */
  private nextCacheChange(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(timer); this.cache.off('change', done); resolve(); };
      const timer = setTimeout(done, ms);
      this.cache.on('change', done);
    });
  }
}
