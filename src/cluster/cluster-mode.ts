// Everything a broker adds in cluster mode (`--etcd`): the EtcdStore, the metadata cache, its
// leased registration, the controller election and (while elected) the controller, and the Logs of
// the partitions this broker hosts. Handlers ask it which partition this broker leads
// (partitionFor), what Metadata to answer, and route topic administration to the controller.
//
// Replication (src/replication): every hosted replica is a leader or a follower, decided by reconcile()
// from the cached partition state. This broker leads a partition only while (a) its registration is
// held, (b) the state names it leader and (c) the state was written after this run of the broker
// registered (its version is above our brokerEpoch), so a leadership inherited from before a kill -9
// is never acted on; otherwise it answers NOT_LEADER_OR_FOLLOWER and waits for the controller. Followers
// fetch from their leader (ReplicaFetcherManager). Partition folders of replicas this broker no longer
// has are deleted when it joins, never served.
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrokerConfig, HostPort } from '../config/config.js';
import { parseStoredTopicConfig, parseTopicConfig, type TopicConfig } from '../config/topic-config.js';
import { Partition } from '../broker/partition.js';
import { logConfigFor, topicConfigEntries, type TopicConfigEntry, type TopicManager, type TopicRecord } from '../broker/topic-manager.js';
import { ErrorCode, errorFromCode } from '../protocol/error-codes.js';
import type { MetadataResponse } from '../protocol/messages/metadata.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import { ApiKey } from '../protocol/api.js';
import { Connection } from '../client/connection.js';
import { Log } from '../storage/log.js';
import { LogCleaner } from '../storage/log-cleaner.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { reassignmentThrottleRate, ReplicationThrottle } from '../replication/replication-throttle.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { withTimeout } from '../util/promise.js';
import { BrokerRegistry } from './broker-registry.js';
import { Controller } from './controller.js';
import { ControllerElection } from './controller-election.js';
import { EtcdStore } from './etcd-store.js';
import { MetadataCache } from './metadata-cache.js';
import { topicNameProblem } from './topic-name.js';
import { applyDecommissionedValue, decommissionedSinceMs } from './partition-decommission.js';
import { listReassignments, requestReassignments, type OngoingReassignment, type ReassignmentChange, type ReassignmentOutcome } from './reassignment-admin.js';
import { requestThrottle } from './reassignment-requests.js';

/** Remembers the registration lease across restarts, so a restarted broker takes over its own leftover. */
const LEASE_FILE = 'cluster-lease';
/** How long a forwarded auto-creation may take (the controller's answer, then our cache showing it). */
const AUTO_CREATE_WAIT_MS = 5000;
/** CreateTopics v4: -1 partitions / replication factor mean the controller's defaults. */
const CREATE_TOPICS_VERSION = 4;
/** How long a controlled shutdown waits for the controller to move leadership away. */
const CONTROLLED_SHUTDOWN_WAIT_MS = 5000;

interface Hosted { topicId: string; partition: Partition }

type TopicEntry = MetadataResponse['topics'][number];

export class ClusterMode {
  readonly cache: MetadataCache;
  /** The reassignment throttle of this broker's replica fetchers (`mq reassign execute --throttle`). */
  readonly throttle: ReplicationThrottle;
  private registry: BrokerRegistry | null = null;
  private election: ControllerElection | null = null;
  private controller: Controller | null = null;
  private replicas: ReplicaManager | null = null;
  private shutdownStarted: Promise<void> | null = null;
  private readonly configs = new WeakMap<TopicRecord, TopicConfig>();
  /** Key "topic/partition": the partitions whose log this broker has open. */
  private readonly hosted = new Map<string, Hosted>();
  private reconciling: Promise<void> = Promise.resolve();
  private reconcileAgain = false;
  private closed = false;
  private readonly onChange = (): void => this.scheduleReconcile();
  /** Retention (retention.ms / retention.bytes) over every hosted replica, leader or follower. */
  private readonly cleaner: LogCleaner;

  private constructor(private readonly config: BrokerConfig, readonly store: EtcdStore, private readonly logger: Logger) {
    this.cache = new MetadataCache(store, logger);
    this.throttle = new ReplicationThrottle({ localId: config.nodeId, reassignments: () => this.cache.reassignments });
    this.cleaner = new LogCleaner({
      intervalMs: config.retentionCheckIntervalMs,
      logs: () => [...this.hosted.values()].map(({ partition: p }) => ({
        log: p.log, policy: { retentionMs: p.config['retention.ms'], retentionBytes: p.config['retention.bytes'] },
      })),
      onError: (log, err) => this.logger.warn('retention failed', { dir: log.dir, error: String(err) }),
    });
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
  async join(topics: TopicManager, advertised: HostPort, admin: HostPort | null, metrics?: BrokerMetrics): Promise<void> {
    this.topics = topics;
    const leaseFile = join(this.config.dataDir, LEASE_FILE);
    const previousLeaseId = (await readFile(leaseFile, 'utf8').catch(() => '')).trim() || undefined;
    const registry = new BrokerRegistry(this.store, {
      brokerId: this.config.nodeId, host: advertised.host, port: advertised.port, adminPort: admin?.port ?? null,
      rack: this.config.rack ?? null, startTimeMs: Date.now(),
    }, { previousLeaseId, logger: this.logger, ttlSeconds: Math.ceil(this.config.brokerSessionTimeoutMs / 1000) });
    registry.on('registered', ({ leaseId }: { leaseId: string }) => {
      writeFile(leaseFile, leaseId).catch((err: unknown) => this.logger.warn('could not remember the broker lease', { error: String(err) }));
    });
    this.registry = registry;
    // Losing or regaining the registration changes what this broker may lead.
    registry.on('lost', this.onChange);
    registry.on('registered', this.onChange);
    this.replicas = new ReplicaManager(this.config, this.store, this.cache, this.logger, metrics, (id) => this.brokerEndpoint(id));
    this.replicas.fetchers.setThrottle(this.throttle);
    await this.deleteStrayReplicas();
    await registry.register();
    const election = new ControllerElection(this.store, registry, this.config.nodeId, { logger: this.logger });
    this.election = election;
    this.controller = new Controller(this.config, this.store, election, this.cache, this.logger);
    election.start();
    this.cache.on('change', this.onChange);
    this.scheduleReconcile();
    await this.reconciling;
    this.cleaner.start();
  }

  /** A topic's effective config with each value's source (DescribeConfigs; any broker answers). */
  describeConfig(name: string): TopicConfigEntry[] {
    const record = this.cache.topics.get(name);
    if (!record) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
    return topicConfigEntries(record.configs, this.config.topicDefaults);
  }

  /**
   * AlterConfigs: replaces a topic's overrides in its record (compare-and-swap, so a concurrent change
   * of the replica lists is never overwritten); every replica applies them from its cache.
   */
  async alterConfig(name: string, configs: Record<string, string | null>, validateOnly: boolean): Promise<void> {
    parseTopicConfig(configs, this.config);
    const overrides = Object.fromEntries(Object.entries(configs).filter((e): e is [string, string] => e[1] !== null));
    // A lost compare means the controller changed the record (replica lists) meanwhile: read it again.
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(`topics/${name}`);
      if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
      if (validateOnly) return;
      const next: TopicRecord = { ...(JSON.parse(kv.value) as TopicRecord), configs: overrides };
      if (await this.store.txn([{ key: kv.key, version: kv.version }], [{ put: { key: kv.key, value: JSON.stringify(next) } }])) break;
      if (attempt >= 4) throw new MqError('REQUEST_TIMED_OUT', `topic '${name}' kept changing while its config was altered; try again`, { retriable: true });
    }
    this.logger.info('topic config altered', { topic: name, configs: overrides });
  }

  /**
   * `decommissioned.partitions` from AlterConfigs: writes the new decommissioned set (stamped with this
   * broker's clock) into the topic record by compare-and-swap; every broker applies it from its cache and
   * the controller deletes the partitions once their retention has passed (partition-decommission.ts).
   */
  async setDecommissioned(name: string, value: string | null, validateOnly: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(`topics/${name}`);
      if (!kv) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`);
      const record = JSON.parse(kv.value) as TopicRecord;
      const decommissioned = applyDecommissionedValue(name, record, value, Date.now());
      if (validateOnly) return;
      const next: TopicRecord = { ...record, decommissioned };
      if (await this.store.txn([{ key: kv.key, version: kv.version }], [{ put: { key: kv.key, value: JSON.stringify(next) } }])) {
        this.logger.info('decommissioned partitions set', { topic: name, partitions: Object.keys(decommissioned).join(',') });
        // Answer once this broker's own cache (and so its Produce check) shows it.
        await this.cache.waitFor(() => JSON.stringify(this.cache.topics.get(name)?.decommissioned ?? {}) === JSON.stringify(decommissioned), 5000).catch(() => undefined);
        return;
      }
      if (attempt >= 4) throw new MqError('REQUEST_TIMED_OUT', `topic '${name}' kept changing while its partitions were decommissioned; try again`, { retriable: true });
    }
  }

  /**
   * DeleteRecords on a partition this broker leads: records below `offset` (-1: the high watermark) go;
   * followers follow the leader's new log start on their next fetch.
   */
  async deleteRecords(topic: string, index: number, offset: number): Promise<number> {
    const p = this.partitionFor(topic, index);
    if (typeof p === 'number') throw errorFromCode(p, `delete records of ${topic}-${index} on broker ${this.config.nodeId}`);
    const hwm = p.highWatermark;
    if (offset > hwm) throw new MqError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: the high watermark of ${topic}-${index} is ${hwm}`);
    const low = await p.log.deleteRecordsBefore(offset === -1 ? hwm : offset);
    this.logger.info('records deleted', { topic, partition: index, logStartOffset: low });
    return low;
  }

  private topics: TopicManager | null = null;

  get isController(): boolean { return this.election?.isController ?? false; }

  /** The partition this broker leads and serves, or the error code to answer instead. */
  partitionFor(topic: string, index: number): Partition | number {
    const state = this.cache.partition(topic, index);
    if (!state || !this.cache.topics.has(topic)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (!this.mayLead(topic, index)) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const h = this.hosted.get(`${topic}/${index}`);
    if (!h) return ErrorCode.LEADER_NOT_AVAILABLE;
    // The role follows the cache once reconcile() has run; until then the replica is not served.
    return h.partition.leaderState !== null && h.partition.leaderEpoch === state.leaderEpoch ? h.partition : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /**
   * The partition a follower (broker `replicaId`) fetches from this leader, or the error code. Only a
   * replica of the partition whose broker is registered now is a follower: a fetch naming a dead broker
   * (a client that sets ReplicaId, a zombie whose lease expired) must not keep it in the ISR or move
   * the high watermark.
   */
  partitionForFollower(topic: string, index: number, replicaId: number, peer: string): Partition | number {
    const found = this.partitionFor(topic, index);
    if (typeof found === 'number') return found;
    const replicas = this.cache.topics.get(topic)?.replicas[index] ?? [];
    if (!replicas.includes(replicaId)) return this.refuseFollower(replicaId, peer, `broker ${replicaId} is not a replica of ${topic}-${index}`);
    if (!this.cache.brokers.has(replicaId)) return this.refuseFollower(replicaId, peer, `broker ${replicaId} is not registered`);
    return found;
  }

  /** Logs a refused follower fetch (once a minute per replica id and reason); NOT_LEADER_OR_FOLLOWER. */
  private refuseFollower(replicaId: number, peer: string, reason: string): number {
    const key = `${replicaId} ${reason}`;
    const now = Date.now();
    if ((this.followerRefusalLoggedAt.get(key) ?? 0) + 60_000 <= now) {
      this.followerRefusalLoggedAt.set(key, now);
      this.logger.warn('follower fetch refused', { replicaId, peer, reason });
    }
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  private readonly followerRefusalLoggedAt = new Map<string, number>();

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

  /** The replica of a partition this broker hosts, leader or follower. */
  hostedPartition(topic: string, index: number): Partition | undefined {
    return this.hosted.get(`${topic}/${index}`)?.partition;
  }

  /** The replicas this broker hosts with their cached leader and ISR (the admin endpoint's views). */
  hostedReplicas(): { partition: Partition; replicas: number[]; leader: number; isr: number[] }[] {
    return [...this.hosted.values()].map(({ partition: p }) => {
      const state = this.cache.partition(p.topic, p.index);
      return {
        partition: p,
        replicas: this.cache.topics.get(p.topic)?.replicas[p.index] ?? [],
        leader: state?.leader ?? -1,
        isr: state?.isr ?? [],
      };
    }).sort((a, b) => (a.partition.topic < b.partition.topic ? -1 : a.partition.topic > b.partition.topic ? 1 : a.partition.index - b.partition.index));
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
    if (!record && allowCreate) {
      try {
        if (this.isController) {
          await this.controller!.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {}, validateOnly: false });
        } else {
          await this.forwardAutoCreate(name);
        }
      } catch (err) {
        if (!(err instanceof MqError) || err.code !== 'TOPIC_ALREADY_EXISTS') {
          this.logger.warn('auto-create failed', { topic: name, error: (err as Error).message });
          return empty(ErrorCode.LEADER_NOT_AVAILABLE);
        }
      }
      record = this.cache.topics.get(name);
      // Created, but this broker's cache has not shown it yet: the client asks again.
      if (!record) return empty(ErrorCode.LEADER_NOT_AVAILABLE);
    }
    if (!record) return empty(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    return {
      errorCode: 0,
      name,
      isInternal: false,
      // Deleted partitions (empty replica lists) are left out: clients see a gap in the ids.
      partitions: record.replicas.flatMap((replicas, p) => {
        if (replicas.length === 0) return [];
        const state = this.cache.partition(name, p);
        const live = state !== undefined && this.cache.brokers.has(state.leader);
        return [{
          errorCode: live ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: p,
          leaderId: live ? state.leader : -1,
          replicaNodes: replicas,
          isrNodes: state ? state.isr.filter((id) => this.cache.brokers.has(id)) : [],
        }];
      }),
    };
  }

  /**
   * Auto-creation asked of a broker that is not the controller: it sends the controller a CreateTopics
   * with the broker defaults (as Kafka brokers forward it), then waits a moment for its own cache.
   */
  private async forwardAutoCreate(name: string): Promise<void> {
    const at = this.brokerEndpoint(this.cache.controllerId);
    if (!at) throw new MqError('NOT_CONTROLLER', 'no controller is elected right now', { retriable: true });
    const conn = new Connection({ host: at.host, port: at.port, clientId: `mq-broker-${this.config.nodeId}`, requestTimeoutMs: AUTO_CREATE_WAIT_MS, connectTimeoutMs: 3000 });
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

  /** AlterPartitionReassignments: requests the moves through the store (reassignment-admin.ts). */
  reassign(changes: ReassignmentChange[], timeoutMs: number): Promise<ReassignmentOutcome[]> { return requestReassignments(this.store, new Set(this.cache.brokers.keys()), changes, timeoutMs); }

  /** ListPartitionReassignments: the moves in progress (reassignment-admin.ts). */
  listReassignments(wanted: ReadonlyMap<string, readonly number[]> | null): OngoingReassignment[] { return listReassignments(this.cache.reassignments, this.cache.topics, wanted); }

  /** Sets (null: removes) the throttle of the moves in progress; how many partitions changed. */
  setReassignmentThrottle(bytesPerSec: number | null): Promise<number> { return requestThrottle(this.store, bytesPerSec); }

  /** The throttle of the moves in progress (bytes/s), null when none. */
  reassignmentThrottle(): number | null { return reassignmentThrottleRate(this.cache.reassignments); }

  /** The controller, or NOT_CONTROLLER when this broker is not it. */
  requireController(): Controller {
    if (!this.controller || !this.isController) {
      throw new MqError('NOT_CONTROLLER', `broker ${this.config.nodeId} is not the controller (the controller is broker ${this.cache.controllerId})`, { retriable: true });
    }
    return this.controller;
  }

  /**
   * Controlled shutdown: announces it in the registration (the controller then moves leadership away),
   * waits at most 5 s until the cache shows this broker leads nothing, and stops following. Called by
   * the broker before it stops serving, and by close().
   */
  controlledShutdown(): Promise<void> {
    this.shutdownStarted ??= (async () => {
      const registry = this.registry as (BrokerRegistry & { announceShutdown?: () => Promise<void> }) | null;
      if (!registry || !registry.registered) return;
      if (typeof registry.announceShutdown === 'function') {
        try {
          // An unreachable store must not hold the shutdown up: then nobody can elect anyway.
          await withTimeout(registry.announceShutdown(), CONTROLLED_SHUTDOWN_WAIT_MS, 'announcing the controlled shutdown');
        } catch (err) {
          this.logger.warn('could not announce the controlled shutdown', { error: (err as Error).message });
          return;
        }
        const deadline = Date.now() + CONTROLLED_SHUTDOWN_WAIT_MS;
        while (Date.now() < deadline && this.ledPartitions() > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, 100);
            const self = this;
            function done(): void { clearTimeout(t); self.cache.off('change', done); resolve(); }
            this.cache.on('change', done);
          });
        }
        const left = this.ledPartitions();
        if (left > 0) this.logger.warn('controlled shutdown: still leading partitions; stopping anyway', { partitions: left });
      }
      await this.replicas?.stopFetchers();
    })();
    return this.shutdownStarted;
  }

  /** Partitions the cache says this broker leads while another live ISR member could take over. */
  private ledPartitions(): number {
    const me = this.config.nodeId;
    let n = 0;
    for (const key of this.hosted.keys()) {
      const s = this.cache.partitions.get(key);
      if (s?.leader === me && s.isr.some((id) => id !== me && this.cache.brokers.has(id))) n++;
    }
    return n;
  }

  /**
   * A topic's effective config (parsed once per record version). A stored value that fails validation
   * (written by an older version, or by hand) is logged and the broker default serves instead: a bad
   * record must never stop a broker from serving the topic or from starting.
   */
  private topicConfig(topic: string, record: TopicRecord): TopicConfig {
    let c = this.configs.get(record);
    if (!c) {
      const overrides = parseStoredTopicConfig(record.configs, (key, problem) => {
        this.logger.warn('stored topic config is invalid; using the broker default', { topic, key, value: record.configs[key], problem });
      }, this.config);
      c = { ...this.config.topicDefaults, ...overrides };
      this.configs.set(record, c);
    }
    return c;
  }

  /** Leaves the cluster: resign as controller, deregister, close hosted logs and the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.controlledShutdown();
    this.closed = true;
    this.cache.off('change', this.onChange);
    await this.cleaner.close();
    await this.replicas?.close();
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
    const wanted = new Map<string, { topic: string; index: number; topicId: string; record: TopicRecord }>();
    for (const [topic, record] of this.cache.topics) {
      record.replicas.forEach((replicas, index) => {
        if (replicas.includes(me)) wanted.set(`${topic}/${index}`, { topic, index, topicId: record.topicId, record });
      });
    }
    for (const [key, h] of this.hosted) {
      const w = wanted.get(key);
      if (w && w.topicId === h.topicId) continue;
      this.hosted.delete(key);
      await this.replicas?.forget(key);
      h.partition.stopTimers();
      await h.partition.log.delete();
      await rm(`${h.partition.log.dir}.topic-id`, { force: true });
      this.logger.info('partition replica removed', { topic: h.partition.topic, partition: h.partition.index });
    }
    for (const [key, w] of wanted) {
      if (this.hosted.has(key) || this.closed) continue;
      const config = this.topicConfig(w.topic, w.record);
      const dir = join(this.config.dataDir, `${w.topic}-${w.index}`);
      // `<dir>.topic-id` names the topic incarnation the folder belongs to: a folder left from a topic
      // deleted (and perhaps re-created) while this broker was down is removed, never served.
      const idFile = `${dir}.topic-id`;
      const onDisk = (await readFile(idFile, 'utf8').catch(() => '')).trim();
      if (onDisk !== w.topicId) {
        await rm(dir, { recursive: true, force: true });
        await writeFile(idFile, w.topicId);
      }
      const log = await Log.open(dir, logConfigFor(config, this.config.indexIntervalBytes), {
        filePool: this.topics?.filePool,
        log: (msg) => this.logger.warn(msg, { topic: w.topic, partition: w.index }),
      });
      const partition = new Partition(w.topic, w.index, log, config);
      partition.leaderEpoch = this.cache.partition(w.topic, w.index)?.leaderEpoch ?? 0;
      // A replica starts as a follower that knows no high watermark: what its log holds beyond what the
      // ISR confirms must not become visible if it is elected leader.
      partition.replicated = true;
      partition.role = 'follower';
      this.hosted.set(key, { topicId: w.topicId, partition });
    }
    // Roles: leader or follower of each hosted replica, from the cached state.
    for (const [key, h] of this.hosted) {
      if (this.closed || !this.replicas) break;
      const { topic, index } = h.partition;
      const state = this.cache.partition(topic, index);
      const record = this.cache.topics.get(topic);
      if (record) {
        h.partition.decommissioned = decommissionedSinceMs(record, index) !== undefined;
        const config = this.topicConfig(topic, record);
        if (h.partition.config !== config) {
          h.partition.config = config;
          h.partition.log.updateConfig(logConfigFor(config, this.config.indexIntervalBytes));
        }
      }
      await this.replicas.reconcile(key, h.partition, {
        state,
        replicas: record?.replicas[index] ?? [],
        lead: this.mayLead(topic, index),
        leaderLive: state !== undefined && this.cache.brokers.has(state.leader),
      });
    }
  }

  /**
   * At join: partition folders (with their `.topic-id`) of replicas this broker does not have in the
   * cluster metadata — left from before it was removed from them, or of deleted topics — are deleted.
   */
  private async deleteStrayReplicas(): Promise<void> {
    const me = this.config.nodeId;
    const names = await readdir(this.config.dataDir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.topic-id')) continue;
      const folder = name.slice(0, -'.topic-id'.length);
      const m = /^(.+)-(\d+)$/.exec(folder);
      if (!m) continue;
      const record = this.cache.topics.get(m[1]);
      const topicId = (await readFile(join(this.config.dataDir, name), 'utf8').catch(() => '')).trim();
      if (record && record.topicId === topicId && record.replicas[Number(m[2])]?.includes(me)) continue;
      await rm(join(this.config.dataDir, folder), { recursive: true, force: true });
      await rm(join(this.config.dataDir, name), { force: true });
      this.logger.info('stale partition replica deleted', { topic: m[1], partition: Number(m[2]) });
    }
  }
}
