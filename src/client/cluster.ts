// The client's view of the cluster: bootstrap, API version negotiation, the metadata cache and one
// pooled Connection per broker (plus a second one for fetches, so a parked long poll never delays a
// produce or a metadata request behind it on the same socket).
//
// Bootstrap tries each "host:port" in turn, asks the first that answers for ApiVersions (v2) and keeps
// min(our max, broker max) per API: all brokers advertise the same list, as kafkajs also assumes.
// Metadata answers replace the broker list and update the topics they name. Wire error codes become
// MqErrors only through errorFromCode (protocol/error-codes.ts); retries look only at `retriable`.
//
// Partition decommission (src/cluster/partition-decommission.ts): a topic's partition ids are
// 0..partitionCount-1, but deleted partitions are missing from Metadata (a gap) and decommissioned ones
// take no records; `unavailable`/`active` say which, from Metadata plus the decommissioned set that
// refreshDecommissioned() reads (DescribeConfigs `decommissioned.partitions`; producers call it).
import { ApiKey, apiSpec } from '../protocol/api.js';
import { errorFromCode } from '../protocol/error-codes.js';
import type { ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import type { MetadataRequest, MetadataResponse } from '../protocol/messages/metadata.js';
import { backoffMs } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import { sleep } from '../util/promise.js';
import type { ApiSchemas } from './api-schemas.js';
import { Connection } from './connection.js';
import type { ClientSecurity } from './security-options.js';
import type { BrokerInfo, ClientOptions } from './types.js';
import {
  RESOURCE_TYPE_TOPIC, type DescribeConfigsRequest, type DescribeConfigsResponse,
} from '../protocol/messages/describe-configs.js';
import { DECOMMISSIONED_CONFIG, parseDecommissioned } from '../config/decommissioned-config.js';

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicMetadata {
  name: string;
  /** Sorted by partition index; deleted partitions are missing (so index != partition id then). */
  partitions: PartitionMetadata[];
  /** How many partition ids the topic has: highest id + 1 (deleted ones included). */
  partitionCount: number;
  /** Ids that take no records: deleted (missing above) or decommissioned. Empty almost always. */
  unavailable: ReadonlySet<number>;
  /** The ids that take records, ascending (all 0..partitionCount-1 when `unavailable` is empty). */
  active: readonly number[];
}

export interface ClusterOptions extends ClientOptions {
  /** Codecs per API key; tests inject their own. */
  schemas?: ApiSchemas;
}

export interface RetryOptions {
  /** Attempts after the first; default 5. */
  retries?: number;
  /** First backoff; doubles up to maxBackoffMs. Default 100. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Stop retrying once this much time has passed since the first attempt. */
  maxElapsedMs?: number;
  signal?: AbortSignal;
  /** Runs before each retry, e.g. to refresh metadata. */
  onRetry?: (err: MqError, attempt: number) => Promise<void> | void;
}

/** 'group': coordinator traffic of a group consumer (a parked JoinGroup never delays metadata). */
export type ConnectionPurpose = 'default' | 'fetch' | 'group';

const DEFAULT_PORT = 9092;
const NONE_UNAVAILABLE: ReadonlySet<number> = new Set();
/** Versions below these are never used by the client even if the registry decodes them (Metadata v0 cannot ask for "no topics"). */
const CLIENT_MIN_VERSION: Partial<Record<number, number>> = { [ApiKey.Metadata]: 1 };

/** metadata.max.age.ms of the options, validated; Kafka's 5 minutes by default. */
export function metadataMaxAgeMs(opts: ClientOptions): number {
  const ms = opts.metadataMaxAgeMs ?? 300_000;
  if (!Number.isInteger(ms) || ms < 1) throw new MqError('INVALID_CONFIG', `metadata max age must be a positive number of milliseconds, not ${String(ms)}`);
  return ms;
}

/** Splits "host:port", "[v6]:port" or a bare "host" (port 9092). */
export function parseBootstrap(entry: string): { host: string; port: number } {
  const s = entry.trim().replace(/^[A-Za-z]+:\/\//, '');
  const m = /^(\[[^\]]+\]|[^:\s]+)(?::(\d+))?$/.exec(s);
  const port = m?.[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (!m || port > 65535) {
    throw new MqError('INVALID_CONFIG', `bootstrap address '${entry}' is not HOST:PORT`, { hint: 'For example -b 127.0.0.1:9092.' });
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export class Cluster {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** The client's debug log (ClientOptions.logger): every error the client drops is written here. */
  readonly logger: Logger;
  private readonly bootstrap: { host: string; port: number }[];
  private readonly schemas?: ApiSchemas;
  private readonly security?: ClientSecurity;
  /** Negotiated version per API key. */
  private versions = new Map<number, number>();
  private brokerMap = new Map<number, BrokerInfo>();
  private topicMap = new Map<string, TopicMetadata>();
  /** Decommissioned (not deleted) partition ids per topic, from the last refreshDecommissioned(). */
  private decommissioned = new Map<string, ReadonlySet<number>>();
  private seed: Connection | null = null;
  private readonly pool = new Map<string, Connection>();
  private connecting: Promise<void> | null = null;
  private closed = false;
  clusterId: string | null = null;
  controllerId = -1;

  constructor(opts: ClusterOptions) {
    if (!opts.bootstrap || opts.bootstrap.length === 0) {
      throw new MqError('INVALID_CONFIG', 'no bootstrap broker given', { hint: 'Pass -b/--bootstrap HOST:PORT.' });
    }
    this.bootstrap = opts.bootstrap.map(parseBootstrap);
    this.clientId = opts.clientId ?? 'mq';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.schemas = opts.schemas;
    this.security = opts.security;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Brokers from the latest metadata answer, by node id. */
  get brokers(): ReadonlyMap<number, BrokerInfo> {
    return this.brokerMap;
  }

  /** Connects to a bootstrap broker and negotiates versions (once; later calls are no-ops). */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new MqError('CLIENT_CLOSED', 'the client is closed'));
    if (this.versions.size > 0) return Promise.resolve();
    this.connecting ??= this.bootstrapOnce().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  /** The version to use for `apiKey`: min(our max, the broker's max); UNSUPPORTED_VERSION when the ranges do not meet. */
  versionFor(apiKey: number): number {
    const v = this.versions.get(apiKey);
    if (v === undefined) {
      const name = apiSpec(apiKey)?.name ?? `API ${apiKey}`;
      throw new MqError('UNSUPPORTED_VERSION', `the broker does not support a version of ${name} that mq speaks`);
    }
    return v;
  }

  /** The cached metadata of `topic`, if it had partitions at the last refresh. */
  topic(name: string): TopicMetadata | undefined {
    return this.topicMap.get(name);
  }

  /** The topics whose metadata is cached. */
  cachedTopics(): string[] {
    return [...this.topicMap.keys()];
  }

  /** Leader node id of a partition from the cache; -1 when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number {
    const list = this.topicMap.get(topic)?.partitions;
    if (!list) return -1;
    const p = list[partition];
    if (p?.partition === partition) return p.leader;
    return list.find((x) => x.partition === partition)?.leader ?? -1; // a gap before it (deleted partition)
  }

  /** Whether `partition` of `topic` was decommissioned at the last refreshDecommissioned(). */
  isDecommissioned(topic: string, partition: number): boolean {
    return this.decommissioned.get(topic)?.has(partition) ?? false;
  }

  /** Records that the broker refused a produce to `partition` as decommissioned (before any refresh shows it). */
  noteDecommissioned(topic: string, partition: number): void {
    const set = new Set(this.decommissioned.get(topic) ?? []);
    set.add(partition);
    this.decommissioned.set(topic, set);
    const t = this.topicMap.get(topic);
    if (t) this.topicMap.set(topic, this.topicLayout(topic, t.partitions));
  }

  /**
   * Reads the decommissioned partitions of `topics` (DescribeConfigs `decommissioned.partitions` from any
   * broker) into the cached metadata. Brokers that do not know it (not mq) leave every partition active.
   */
  async refreshDecommissioned(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.connect();
    if (!this.versions.has(ApiKey.DescribeConfigs)) return;
    const body: DescribeConfigsRequest = {
      resources: topics.map((name) => ({ resourceType: RESOURCE_TYPE_TOPIC, resourceName: name, configurationKeys: [DECOMMISSIONED_CONFIG] })),
      includeSynonyms: false,
    };
    const res = await this.requestAny<DescribeConfigsResponse>(ApiKey.DescribeConfigs, body);
    for (const r of res.results) {
      if (r.errorCode !== 0) continue;
      const entry = r.configs.find((c) => c.name === DECOMMISSIONED_CONFIG);
      if (!entry) continue; // not an mq broker: keep what produce refusals taught us
      const ids = parseDecommissioned(entry.value).filter((d) => !d.deleted).map((d) => d.partition);
      if (ids.length === 0) this.decommissioned.delete(r.resourceName);
      else this.decommissioned.set(r.resourceName, new Set(ids));
      const t = this.topicMap.get(r.resourceName);
      if (t) this.topicMap.set(t.name, this.topicLayout(t.name, t.partitions));
    }
  }

  /**
   * Asks for metadata of `topics` (null = all topics, [] = brokers only) and updates the cache. Topic
   * errors are left in the answer for the caller to judge; topics answered with an error are dropped
   * from the cache.
   */
  async refreshMetadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    await this.connect();
    const body: MetadataRequest = { topics: topics === null ? null : topics.map((name) => ({ name })), allowAutoTopicCreation };
    const res = await this.requestAny<MetadataResponse>(ApiKey.Metadata, body);
    this.applyMetadata(res);
    return res;
  }

  /** Sends a request to broker `nodeId` with the negotiated version. */
  async request<Res>(nodeId: number, apiKey: number, body: unknown, opts: { timeoutMs?: number; purpose?: ConnectionPurpose } = {}): Promise<Res> {
    const conn = await this.connectionFor(nodeId, opts.purpose ?? 'default');
    return conn.request<Res>(apiKey, this.versionFor(apiKey), body, { timeoutMs: opts.timeoutMs });
  }

  /** Sends a request to any live broker (the bootstrap connection while it is open). */
  async requestAny<Res>(apiKey: number, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
    const conn = await this.anyConnection();
    return conn.request<Res>(apiKey, this.versionFor(apiKey), body, opts);
  }

  /** Sends a request to the controller (admin requests), refreshing metadata first if it is unknown. */
  async requestController<Res>(apiKey: number, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
    await this.connect();
    if (this.controllerId < 0 || !this.brokerMap.has(this.controllerId)) await this.refreshMetadata([]);
    if (this.controllerId < 0) return this.requestAny<Res>(apiKey, body, opts);
    return this.request<Res>(this.controllerId, apiKey, body, opts);
  }

  /** The pooled connection to `nodeId` for `purpose`; a closed one is replaced. */
  async connectionFor(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<Connection> {
    if (this.closed) throw new MqError('CLIENT_CLOSED', 'the client is closed');
    await this.connect();
    const key = `${nodeId}/${purpose}`;
    const pooled = this.pool.get(key);
    if (pooled && !pooled.closed) return pooled;
    let broker = this.brokerMap.get(nodeId);
    if (!broker) {
      await this.refreshMetadata([]);
      broker = this.brokerMap.get(nodeId);
    }
    if (!broker) {
      throw new MqError('LEADER_NOT_AVAILABLE', `broker ${nodeId} is not in the cluster metadata`, { retriable: true });
    }
    // The bootstrap connection already reaches this broker: reuse it rather than dial again.
    const seed = this.seed;
    const conn = purpose === 'default' && seed && !seed.closed && seed.host === broker.host && seed.port === broker.port
      ? seed
      : this.newConnection(broker.host, broker.port);
    this.pool.set(key, conn);
    return conn;
  }

  /**
   * Runs `fn` until it succeeds, retrying MqErrors marked retriable with exponential backoff.
   * The last error is rethrown when the retries or the time budget run out.
   */
  async retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
    const retries = opts.retries ?? 5;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        // Never having reached any bootstrap broker is reported at once: a person is usually waiting.
        const neverConnected = this.versions.size === 0 && err instanceof MqError && err.code === 'NETWORK_EXCEPTION';
        const retriable = err instanceof MqError && err.retriable && !this.closed && !neverConnected;
        if (!retriable || attempt >= retries) throw err;
        const delay = backoffMs(attempt, { initialMs: opts.initialBackoffMs ?? 100, maxMs: opts.maxBackoffMs ?? 1000 });
        if (opts.maxElapsedMs !== undefined && Date.now() - started + delay > opts.maxElapsedMs) throw err;
        await sleep(delay, opts.signal);
        await opts.onRetry?.(err, attempt + 1);
      }
    }
  }

  /** Turns a non-zero wire error code into an MqError (the one place codes become errors). */
  error(code: number, context?: string): MqError {
    return errorFromCode(code, context);
  }

  async close(): Promise<void> {
    this.closed = true;
    const conns = new Set(this.pool.values());
    if (this.seed) conns.add(this.seed);
    this.pool.clear();
    this.seed = null;
    await Promise.all([...conns].map((c) => c.close()));
  }

  private newConnection(host: string, port: number): Connection {
    return new Connection({
      host, port, clientId: this.clientId, requestTimeoutMs: this.requestTimeoutMs,
      connectTimeoutMs: this.connectTimeoutMs, schemas: this.schemas, security: this.security,
    });
  }

  /** A live connection to some broker: the seed, a pooled one, or a fresh bootstrap. */
  private async anyConnection(): Promise<Connection> {
    if (this.closed) throw new MqError('CLIENT_CLOSED', 'the client is closed');
    await this.connect();
    if (this.seed && !this.seed.closed) return this.seed;
    for (const [key, conn] of this.pool) {
      if (key.endsWith('/default') && !conn.closed) return conn;
    }
    // Everything we knew is gone: dial a known broker, else the bootstrap list again.
    const candidates = [...this.brokerMap.values(), ...this.bootstrap];
    let lastError: unknown;
    for (const { host, port } of candidates) {
      const conn = this.newConnection(host, port);
      try {
        await conn.ready();
        this.seed = conn;
        return conn;
      } catch (err) {
        lastError = err;
        await conn.close();
      }
    }
    throw lastError ?? new MqError('NETWORK_EXCEPTION', 'no broker reachable', { retriable: true });
  }

  private async bootstrapOnce(): Promise<void> {
    const failures: MqError[] = [];
    for (const { host, port } of this.bootstrap) {
      const conn = this.newConnection(host, port);
      try {
        await this.negotiate(conn);
        this.seed = conn;
        return;
      } catch (err) {
        await conn.close();
        if (!(err instanceof MqError) || !err.retriable) throw err;
        failures.push(err);
      }
    }
    if (failures.length === 1) throw failures[0];
    throw new MqError(failures[0].code, `cannot connect to any bootstrap broker: ${failures.map((e) => e.message).join('; ')}`, {
      retriable: true, hint: failures[0].hint, cause: failures[failures.length - 1],
    });
  }

  /** ApiVersions v2 (falling back to v0 on UNSUPPORTED_VERSION), then our version per API. */
  private async negotiate(conn: Connection): Promise<void> {
    let res = await conn.request<ApiVersionsResponse>(ApiKey.ApiVersions, 2, {}, { timeoutMs: this.connectTimeoutMs });
    if (res.errorCode === 35) {
      res = await conn.request<ApiVersionsResponse>(ApiKey.ApiVersions, 0, {}, { timeoutMs: this.connectTimeoutMs });
    }
    if (res.errorCode !== 0) throw errorFromCode(res.errorCode, `ApiVersions from ${conn.address}`);
    const versions = new Map<number, number>();
    for (const { apiKey, minVersion, maxVersion } of res.apiKeys) {
      const ours = apiSpec(apiKey);
      if (!ours) continue;
      const ourMin = Math.max(ours.minVersion, CLIENT_MIN_VERSION[apiKey] ?? 0);
      const v = Math.min(ours.maxVersion, maxVersion);
      if (v >= ourMin && v >= minVersion) versions.set(apiKey, v);
    }
    this.versions = versions;
  }

  /** A topic's metadata with its id count, unavailable and active partitions. */
  private topicLayout(name: string, partitions: PartitionMetadata[]): TopicMetadata {
    const partitionCount = partitions.length === 0 ? 0 : partitions[partitions.length - 1].partition + 1;
    const decommissioned = this.decommissioned.get(name);
    if (partitionCount === partitions.length && !decommissioned) {
      return { name, partitions, partitionCount, unavailable: NONE_UNAVAILABLE, active: partitions.map((p) => p.partition) };
    }
    const present = new Set(partitions.map((p) => p.partition));
    const unavailable = new Set<number>();
    for (let p = 0; p < partitionCount; p++) if (!present.has(p) || decommissioned?.has(p)) unavailable.add(p);
    // Never route nowhere: if everything known is unavailable (a stale set), treat all present as active.
    const active = partitions.map((p) => p.partition).filter((p) => !unavailable.has(p));
    if (active.length === 0) return { name, partitions, partitionCount, unavailable: NONE_UNAVAILABLE, active: [...present] };
    return { name, partitions, partitionCount, unavailable, active };
  }

  private applyMetadata(res: MetadataResponse): void {
    const brokers = new Map<number, BrokerInfo>();
    for (const b of res.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    this.brokerMap = brokers;
    this.clusterId = res.clusterId;
    this.controllerId = res.controllerId;
    for (const t of res.topics) {
      if (t.errorCode !== 0 || t.partitions.length === 0) {
        this.topicMap.delete(t.name);
        continue;
      }
      const partitions = t.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode }))
        .sort((a, b) => a.partition - b.partition);
      this.topicMap.set(t.name, this.topicLayout(t.name, partitions));
    }
    // Connections to brokers that left the cluster or moved are dropped.
    for (const [key, conn] of this.pool) {
      const b = brokers.get(Number(key.split('/')[0]));
      if (!b || b.host !== conn.host || b.port !== conn.port) {
        this.pool.delete(key);
        void conn.close();
      }
    }
  }
}
