// The broker's one typed Config. Precedence: defaults < config file < MQ_* environment < flags.
// The file is Kafka-style `key=value` lines (`#` comments) or a JSON object with the same keys.
// Environment: MQ_ + the key upper-cased with dots as underscores (MQ_NUM_PARTITIONS=3).
import { readFile } from 'node:fs/promises';
import type { LogFormat, LogLevel } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { TopicConfig } from './topic-config.js';

export interface HostPort { host: string; port: number }

export interface BrokerConfig {
  nodeId: number;
  dataDir: string;
  listen: HostPort;
  /** What clients are told to dial (Metadata.Brokers); defaults to `listen`. */
  advertised?: HostPort;
  autoCreateTopicsEnable: boolean;
  numPartitions: number;
  defaultReplicationFactor: number;
  socketRequestMaxBytes: number;
  /** Defaults for topics that do not override them. */
  topicDefaults: TopicConfig;
  indexIntervalBytes: number;
  /** How often the log cleaner applies retention.ms / retention.bytes. */
  retentionCheckIntervalMs: number;
  /** Most segment and index file descriptors the logs hold open at once (least recently used are closed). */
  maxOpenFiles: number;
  /** group.initial.rebalance.delay.ms: how long an empty group waits for more members before its first rebalance. */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms: the session timeouts JoinGroup accepts. */
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  /** transaction.max.timeout.ms: the longest TransactionTimeoutMs a transactional producer may ask for. */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are looked for. */
  transactionCleanupIntervalMs: number;
  /** Admin HTTP listener (/metrics, /v1/*); null or absent: none (in-process tests start many brokers). */
  adminListen?: HostPort | null;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  /** etcd client URLs (etcd.endpoints); set = cluster mode, absent = embedded mode. */
  etcdEndpoints?: string[];
  /** broker.rack: the failure domain replica placement spreads over; null or absent: none. */
  rack?: string | null;
  /** replica.lag.time.max.ms: a follower that has not caught up to the leader's end for this long leaves the ISR. */
  replicaLagTimeMaxMs: number;
  /** replica.lag.max.messages: a follower this many offsets behind leaves the ISR too; -1: not used. */
  replicaLagMaxMessages: number;
  /** replica.fetch.wait.max.ms: how long a follower's fetch waits at the leader for new data. */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.max.bytes: most bytes a follower asks for per partition per fetch. */
  replicaFetchMaxBytes: number;
  /** replica.restore.delay.ms: how long a broker may be gone before the controller re-creates its replicas elsewhere. */
  replicaRestoreDelayMs: number;
  /** unclean.leader.election.enable: elect a leader outside the ISR when no ISR member is alive (may lose data). */
  uncleanLeaderElectionEnable: boolean;
  /** broker.session.timeout.ms: the TTL of a broker's registration lease in etcd (rounded up to whole seconds). */
  brokerSessionTimeoutMs: number;
  /** auto.leader.rebalance.enable: the controller moves leadership back to preferred replicas on its own. */
  autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.check.interval.seconds: how often the controller checks the leader imbalance. */
  leaderImbalanceCheckIntervalSeconds: number;
  /** leader.imbalance.per.broker.percentage: the share of a broker's preferred partitions led elsewhere it tolerates. */
  leaderImbalancePerBrokerPercentage: number;
  /** max.connections: client connections open at once; a connection past it is closed at accept. */
  maxConnections: number;
  /** max.connections.per.ip: client connections open at once from one IP address. */
  maxConnectionsPerIp: number;
  /** connections.max.idle.ms: a connection with no traffic and no request in progress this long is closed. */
  connectionsMaxIdleMs: number;
  /** socket.request.read.timeout.ms: a request frame not whole this long after its first byte closes the connection. */
  socketRequestReadTimeoutMs: number;
  /** queued.max.request.bytes: memory for requests being received (each frame claims its declared size); past it, reading pauses. */
  queuedMaxRequestBytes: number;
  /** fetch.max.bytes: the most bytes of records one consumer Fetch response carries, whatever the request asks. */
  fetchMaxBytes: number;
  /** replica.fetch.response.max.bytes: the same for a follower's Fetch response. */
  replicaFetchResponseMaxBytes: number;
  /** max.topics: topics this broker (embedded) or cluster holds; CreateTopics past it is refused. */
  maxTopics: number;
  /** max.partitions.per.topic: the most partitions one topic may have (CreateTopics, CreatePartitions). */
  maxPartitionsPerTopic: number;
  /** max.partitions.per.request: the most partitions one CreateTopics or CreatePartitions request may create. */
  maxPartitionsPerRequest: number;
  /** Listeners, TLS, SASL, the authorizer, etcd credentials and admin-endpoint auth (plain values; src/security checks them at start). */
  security: SecurityConfig;
}

export type ClientAuthSetting = 'none' | 'requested' | 'required';
export type AdminAuthSetting = 'none' | 'basic' | 'token';

/** Kafka's security settings, as given; the broker parses and checks them together when it starts. */
export interface SecurityConfig {
  /** listeners, Kafka syntax (PLAINTEXT://127.0.0.1:9092,SASL_SSL://0.0.0.0:9093); absent: PLAINTEXT on `listen`. */
  listeners?: string;
  advertisedListeners?: string;
  /** listener.security.protocol.map (INTERNAL:SASL_PLAINTEXT,...). */
  protocolMap?: string;
  interBrokerListenerName?: string;
  /** ssl.*: this broker's certificate, its key, the CAs it trusts (client certificates, and peers it dials). */
  ssl: { certificateLocation?: string; keyLocation?: string; keyPassword?: string; caLocation?: string; clientAuth: ClientAuthSetting };
  /** sasl.enabled.mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
  saslEnabledMechanisms: string[];
  /** sasl.plain.allow.plaintext: offer PLAIN on a SASL_PLAINTEXT listener (it sends the password in the clear). */
  saslPlainAllowPlaintext: boolean;
  /** connections.max.reauth.ms: a SASL session's lifetime; the client re-authenticates before it ends. 0: unlimited. */
  connectionsMaxReauthMs: number;
  /** authorizer.enabled, super.users (User:admin;User:broker), allow.everyone.if.no.acl.found. */
  authorizerEnabled: boolean;
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
  /** How this broker authenticates to others on the inter-broker listener (inter.broker.sasl.*). */
  interBrokerSasl: { mechanism?: string; username?: string; password?: string };
  /** etcd.username / etcd.password / etcd.ssl.{ca,certificate,key}.location. */
  etcd: { username?: string; password?: string; caLocation?: string; certificateLocation?: string; keyLocation?: string };
  /** admin.auth (none, basic, token) and admin.metrics.open (serve /metrics without credentials). */
  adminAuth: AdminAuthSetting;
  adminMetricsOpen: boolean;
}

/** Where `mq broker start` serves /metrics and /v1/* unless told otherwise. */
export const DEFAULT_ADMIN_LISTEN: HostPort = { host: '127.0.0.1', port: 9644 };

export function defaultBrokerConfig(): BrokerConfig {
  return {
    nodeId: 0,
    dataDir: './mq-data',
    listen: { host: '127.0.0.1', port: 9092 },
    autoCreateTopicsEnable: true,
    numPartitions: 1,
    defaultReplicationFactor: 1,
    socketRequestMaxBytes: 100 * 1024 * 1024,
    topicDefaults: {
      'max.message.bytes': 1048588,
      'segment.bytes': 1024 * 1024 * 1024,
      'segment.ms': 7 * 24 * 3600 * 1000,
      'message.timestamp.type': 'CreateTime',
      'retention.ms': 7 * 24 * 3600 * 1000,
      'retention.bytes': -1,
      // Embedded mode has one replica and nothing else to lean on: acknowledge only what is on disk.
      'flush.policy': 'batch',
      'flush.ms': 1000,
      'min.insync.replicas': 1,
    },
    indexIntervalBytes: 4096,
    retentionCheckIntervalMs: 5 * 60 * 1000,
    maxOpenFiles: 1000,
    groupInitialRebalanceDelayMs: 3000,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 30 * 60 * 1000,
    transactionMaxTimeoutMs: 900_000,
    transactionCleanupIntervalMs: 10_000,
    replicaLagTimeMaxMs: 10000,
    replicaLagMaxMessages: -1,
    replicaFetchWaitMaxMs: 500,
    replicaFetchMaxBytes: 1024 * 1024,
    replicaRestoreDelayMs: 60000,
    uncleanLeaderElectionEnable: false,
    brokerSessionTimeoutMs: 6000,
    autoLeaderRebalanceEnable: true,
    leaderImbalanceCheckIntervalSeconds: 300,
    leaderImbalancePerBrokerPercentage: 10,
    maxConnections: 10_000,
    maxConnectionsPerIp: MAX_INT32,
    connectionsMaxIdleMs: 10 * 60 * 1000,
    socketRequestReadTimeoutMs: 60_000,
    queuedMaxRequestBytes: 100 * 1024 * 1024,
    fetchMaxBytes: 55 * 1024 * 1024,
    replicaFetchResponseMaxBytes: 10 * 1024 * 1024,
    maxTopics: 10_000,
    maxPartitionsPerTopic: 10_000,
    maxPartitionsPerRequest: 10_000,
    security: {
      ssl: { clientAuth: 'none' },
      saslEnabledMechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
      saslPlainAllowPlaintext: false,
      connectionsMaxReauthMs: 0,
      authorizerEnabled: false,
      superUsers: [],
      allowEveryoneIfNoAclFound: false,
      interBrokerSasl: {},
      etcd: {},
      adminAuth: 'none',
      adminMetricsOpen: false,
    },
  };
}

const MAX_INT32 = 2 ** 31 - 1;

/** Parses "host:port" (also "PLAINTEXT://host:port" and "[::1]:port"). */
export function parseHostPort(raw: string, what = 'address'): HostPort {
  const s = raw.replace(/^[A-Za-z][A-Za-z0-9_]*:\/\//, '');
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (!m) throw new MqError('INVALID_CONFIG', `${what} '${raw}' is not HOST:PORT`, { hint: 'For example 127.0.0.1:9092.' });
  const port = Number(m[2]);
  if (port > 65535) throw new MqError('INVALID_CONFIG', `${what} '${raw}': port ${port} is above 65535`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

type Setter = (c: BrokerConfig, v: string) => void;
const int = (key: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new MqError('INVALID_CONFIG', `${key}=${v}: must be an integer >= ${min}`);
  if (n > max) throw new MqError('INVALID_CONFIG', `${key}=${v}: must be at most ${max}`);
  return n;
};
const bool = (key: string, v: string): boolean => {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new MqError('INVALID_CONFIG', `${key}=${v}: must be true or false`);
};

const oneOf = <T extends string>(key: string, v: string, allowed: readonly T[]): T => {
  if (!(allowed as readonly string[]).includes(v)) throw new MqError('INVALID_CONFIG', `${key}=${v}: must be ${allowed.join(', ')}`);
  return v as T;
};
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');
/** The first NAME://HOST:PORT of a listener list. */
const firstEntry = (v: string): string => v.split(',').map((s) => s.trim()).find((s) => s !== '') ?? v;

/** Every key the broker understands, with how to apply it. */
const keys: Record<string, Setter> = {
  'node.id': (c, v) => { c.nodeId = int('node.id', v, 0); },
  'log.dir': (c, v) => { c.dataDir = v; },
  // One or more listeners (Kafka syntax); `listen`/`advertised` are the first one's, for what predates them.
  'listeners': (c, v) => { c.security.listeners = v; c.listen = parseHostPort(firstEntry(v), 'listeners'); },
  'advertised.listeners': (c, v) => { c.security.advertisedListeners = v; c.advertised = parseHostPort(firstEntry(v), 'advertised.listeners'); },
  'listener.security.protocol.map': (c, v) => { c.security.protocolMap = v; },
  'inter.broker.listener.name': (c, v) => { c.security.interBrokerListenerName = v; },
  'ssl.certificate.location': (c, v) => { c.security.ssl.certificateLocation = v; },
  'ssl.key.location': (c, v) => { c.security.ssl.keyLocation = v; },
  'ssl.key.password': (c, v) => { c.security.ssl.keyPassword = v; },
  'ssl.ca.location': (c, v) => { c.security.ssl.caLocation = v; },
  'ssl.client.auth': (c, v) => { c.security.ssl.clientAuth = oneOf('ssl.client.auth', v, ['none', 'requested', 'required'] as const); },
  'sasl.enabled.mechanisms': (c, v) => { c.security.saslEnabledMechanisms = list(v); },
  'sasl.plain.allow.plaintext': (c, v) => { c.security.saslPlainAllowPlaintext = bool('sasl.plain.allow.plaintext', v); },
  'connections.max.reauth.ms': (c, v) => { c.security.connectionsMaxReauthMs = int('connections.max.reauth.ms', v, 0); },
  'authorizer.enabled': (c, v) => { c.security.authorizerEnabled = bool('authorizer.enabled', v); },
  'super.users': (c, v) => { c.security.superUsers = v.split(';').map((s) => s.trim()).filter((s) => s !== ''); },
  'allow.everyone.if.no.acl.found': (c, v) => { c.security.allowEveryoneIfNoAclFound = bool('allow.everyone.if.no.acl.found', v); },
  'inter.broker.sasl.mechanism': (c, v) => { c.security.interBrokerSasl.mechanism = v; },
  'inter.broker.sasl.username': (c, v) => { c.security.interBrokerSasl.username = v; },
  'inter.broker.sasl.password': (c, v) => { c.security.interBrokerSasl.password = v; },
  'etcd.username': (c, v) => { c.security.etcd.username = v; },
  'etcd.password': (c, v) => { c.security.etcd.password = v; },
  'etcd.ssl.ca.location': (c, v) => { c.security.etcd.caLocation = v; },
  'etcd.ssl.certificate.location': (c, v) => { c.security.etcd.certificateLocation = v; },
  'etcd.ssl.key.location': (c, v) => { c.security.etcd.keyLocation = v; },
  'admin.auth': (c, v) => { c.security.adminAuth = oneOf('admin.auth', v, ['none', 'basic', 'token'] as const); },
  'admin.metrics.open': (c, v) => { c.security.adminMetricsOpen = bool('admin.metrics.open', v); },
  'auto.create.topics.enable': (c, v) => { c.autoCreateTopicsEnable = bool('auto.create.topics.enable', v); },
  'num.partitions': (c, v) => { c.numPartitions = int('num.partitions', v, 1); },
  'default.replication.factor': (c, v) => { c.defaultReplicationFactor = int('default.replication.factor', v, 1); },
  'socket.request.max.bytes': (c, v) => { c.socketRequestMaxBytes = int('socket.request.max.bytes', v, 1024, MAX_INT32); },
  'message.max.bytes': (c, v) => { c.topicDefaults['max.message.bytes'] = int('message.max.bytes', v, 64, MAX_INT32); },
  'log.segment.bytes': (c, v) => { c.topicDefaults['segment.bytes'] = int('log.segment.bytes', v, 1024, MAX_INT32); },
  'log.roll.ms': (c, v) => { c.topicDefaults['segment.ms'] = int('log.roll.ms', v, 1); },
  'log.message.timestamp.type': (c, v) => {
    if (v !== 'CreateTime' && v !== 'LogAppendTime') throw new MqError('INVALID_CONFIG', `log.message.timestamp.type=${v}: must be CreateTime or LogAppendTime`);
    c.topicDefaults['message.timestamp.type'] = v;
  },
  'log.index.interval.bytes': (c, v) => { c.indexIntervalBytes = int('log.index.interval.bytes', v, 1); },
  'admin.listeners': (c, v) => { c.adminListen = v === 'none' ? null : parseHostPort(v, 'admin.listeners'); },
  'log.level': (c, v) => {
    if (v !== 'debug' && v !== 'info' && v !== 'warn' && v !== 'error') throw new MqError('INVALID_CONFIG', `log.level=${v}: must be debug, info, warn or error`);
    c.logLevel = v;
  },
  'log.format': (c, v) => {
    if (v !== 'json' && v !== 'pretty') throw new MqError('INVALID_CONFIG', `log.format=${v}: must be json or pretty`);
    c.logFormat = v;
  },
  'log.retention.ms': (c, v) => { c.topicDefaults['retention.ms'] = v === '-1' ? -1 : int('log.retention.ms', v, 1); },
  'log.retention.bytes': (c, v) => { c.topicDefaults['retention.bytes'] = v === '-1' ? -1 : int('log.retention.bytes', v, 0); },
  'log.retention.check.interval.ms': (c, v) => { c.retentionCheckIntervalMs = int('log.retention.check.interval.ms', v, 10); },
  'log.max.open.files': (c, v) => { c.maxOpenFiles = int('log.max.open.files', v, 16); },
  'group.initial.rebalance.delay.ms': (c, v) => { c.groupInitialRebalanceDelayMs = int('group.initial.rebalance.delay.ms', v, 0); },
  'group.min.session.timeout.ms': (c, v) => { c.groupMinSessionTimeoutMs = int('group.min.session.timeout.ms', v, 1); },
  'group.max.session.timeout.ms': (c, v) => { c.groupMaxSessionTimeoutMs = int('group.max.session.timeout.ms', v, 1); },
  'transaction.max.timeout.ms': (c, v) => { c.transactionMaxTimeoutMs = int('transaction.max.timeout.ms', v, 1); },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': (c, v) => { c.transactionCleanupIntervalMs = int('transaction.abort.timed.out.transaction.cleanup.interval.ms', v, 1); },
  'log.flush.policy': (c, v) => {
    if (v !== 'batch' && v !== 'interval' && v !== 'os') throw new MqError('INVALID_CONFIG', `log.flush.policy=${v}: must be batch, interval or os`);
    c.topicDefaults['flush.policy'] = v;
  },
  'log.flush.interval.ms': (c, v) => { c.topicDefaults['flush.ms'] = int('log.flush.interval.ms', v, 1); },
  'etcd.endpoints': (c, v) => {
    const urls = v.split(',').map((u) => u.trim()).filter((u) => u !== '');
    if (urls.length === 0) throw new MqError('INVALID_CONFIG', `etcd.endpoints=${v}: give one or more etcd URLs, comma-separated`);
    c.etcdEndpoints = urls;
  },
  'broker.rack': (c, v) => { c.rack = v === '' ? null : v; },
  'min.insync.replicas': (c, v) => { c.topicDefaults['min.insync.replicas'] = int('min.insync.replicas', v, 1); },
  'replica.lag.time.max.ms': (c, v) => { c.replicaLagTimeMaxMs = int('replica.lag.time.max.ms', v, 10); },
  'replica.lag.max.messages': (c, v) => { c.replicaLagMaxMessages = v === '-1' ? -1 : int('replica.lag.max.messages', v, 1); },
  'replica.fetch.wait.max.ms': (c, v) => { c.replicaFetchWaitMaxMs = int('replica.fetch.wait.max.ms', v, 0); },
  'replica.fetch.max.bytes': (c, v) => { c.replicaFetchMaxBytes = int('replica.fetch.max.bytes', v, 1024); },
  'replica.restore.delay.ms': (c, v) => { c.replicaRestoreDelayMs = int('replica.restore.delay.ms', v, 0); },
  'unclean.leader.election.enable': (c, v) => { c.uncleanLeaderElectionEnable = bool('unclean.leader.election.enable', v); },
  'broker.session.timeout.ms': (c, v) => { c.brokerSessionTimeoutMs = int('broker.session.timeout.ms', v, 1000); },
  'auto.leader.rebalance.enable': (c, v) => { c.autoLeaderRebalanceEnable = bool('auto.leader.rebalance.enable', v); },
  'leader.imbalance.check.interval.seconds': (c, v) => { c.leaderImbalanceCheckIntervalSeconds = int('leader.imbalance.check.interval.seconds', v, 1); },
  'leader.imbalance.per.broker.percentage': (c, v) => {
    c.leaderImbalancePerBrokerPercentage = int('leader.imbalance.per.broker.percentage', v, 0);
    if (c.leaderImbalancePerBrokerPercentage > 100) throw new MqError('INVALID_CONFIG', `leader.imbalance.per.broker.percentage=${v}: must be at most 100`);
  },
  'max.connections': (c, v) => { c.maxConnections = int('max.connections', v, 1, MAX_INT32); },
  'max.connections.per.ip': (c, v) => { c.maxConnectionsPerIp = int('max.connections.per.ip', v, 1, MAX_INT32); },
  'connections.max.idle.ms': (c, v) => { c.connectionsMaxIdleMs = int('connections.max.idle.ms', v, 100, MAX_INT32); },
  'socket.request.read.timeout.ms': (c, v) => { c.socketRequestReadTimeoutMs = int('socket.request.read.timeout.ms', v, 100, MAX_INT32); },
  'queued.max.request.bytes': (c, v) => { c.queuedMaxRequestBytes = int('queued.max.request.bytes', v, 1024, Number.MAX_SAFE_INTEGER); },
  'fetch.max.bytes': (c, v) => { c.fetchMaxBytes = int('fetch.max.bytes', v, 1024, MAX_INT32); },
  'replica.fetch.response.max.bytes': (c, v) => { c.replicaFetchResponseMaxBytes = int('replica.fetch.response.max.bytes', v, 1024, MAX_INT32); },
  'max.topics': (c, v) => { c.maxTopics = int('max.topics', v, 1, MAX_INT32); },
  'max.partitions.per.topic': (c, v) => { c.maxPartitionsPerTopic = int('max.partitions.per.topic', v, 1, MAX_INT32); },
  'max.partitions.per.request': (c, v) => { c.maxPartitionsPerRequest = int('max.partitions.per.request', v, 1, MAX_INT32); },
};

/**
 * Checks between settings, once all sources are applied: a message the broker accepts must fit in a
 * request it accepts, and one request must fit in the memory set aside for partly received requests
 * (else it could never be read whole).
 */
function checkCombination(c: BrokerConfig, given: Set<string>): void {
  // Unless set, the pool grows with the largest request, so raising socket.request.max.bytes alone works.
  if (!given.has('queued.max.request.bytes')) c.queuedMaxRequestBytes = Math.max(c.queuedMaxRequestBytes, c.socketRequestMaxBytes);
  const maxMessageBytes = c.topicDefaults['max.message.bytes'];
  if (maxMessageBytes > c.socketRequestMaxBytes) {
    throw new MqError('INVALID_CONFIG', `message.max.bytes=${maxMessageBytes} is larger than socket.request.max.bytes=${c.socketRequestMaxBytes}: no request could carry such a message`);
  }
  if (c.queuedMaxRequestBytes < c.socketRequestMaxBytes) {
    throw new MqError('INVALID_CONFIG', `queued.max.request.bytes=${c.queuedMaxRequestBytes} is smaller than socket.request.max.bytes=${c.socketRequestMaxBytes}: the largest request could never be read`);
  }
}

export const BROKER_CONFIG_KEYS = Object.keys(keys);

function apply(c: BrokerConfig, entries: [string, string][], source: string, given = new Set<string>()): void {
  for (const [k, v] of entries) {
    given.add(k);
    const set = keys[k];
    if (!set) {
      throw new MqError('INVALID_CONFIG', `unknown setting '${k}' in ${source}`, { hint: `Known settings: ${BROKER_CONFIG_KEYS.join(', ')}.` });
    }
    set(c, v);
  }
}

function parseFile(text: string, path: string): [string, string][] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let obj: Record<string, unknown>;
    try { obj = JSON.parse(trimmed); } catch (err) {
      throw new MqError('INVALID_CONFIG', `config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    return Object.entries(obj).map(([k, v]) => [k, String(v)]);
  }
  const out: [string, string][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    const eq = l.indexOf('=');
    if (eq <= 0) throw new MqError('INVALID_CONFIG', `config file ${path} line ${i + 1}: expected key=value, got '${l}'`);
    out.push([l.slice(0, eq).trim(), l.slice(eq + 1).trim()]);
  });
  return out;
}

const ENV_KEYS = BROKER_CONFIG_KEYS.map((name) => ({ name, env: 'MQ_' + name.toUpperCase().replace(/\./g, '_') }));

function envEntries(env: NodeJS.ProcessEnv): [string, string][] {
  const out: [string, string][] = [];
  for (const key of ENV_KEYS) {
    const v = env[key.env];
    if (v !== undefined && v !== '') out.push([key.name, v]);
  }
  return out;
}

export interface ConfigSources {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: { data?: string; listen?: string; advertise?: string; nodeId?: string; adminListen?: string; logLevel?: string; logFormat?: string; etcd?: string; rack?: string };
}

/** Builds the broker config from defaults, file, environment and flags; every value validated. */
export async function loadBrokerConfig(src: ConfigSources = {}): Promise<BrokerConfig> {
  const c = defaultBrokerConfig();
  c.adminListen = { ...DEFAULT_ADMIN_LISTEN };
  const given = new Set<string>();
  if (src.file) {
    let text: string;
    try { text = await readFile(src.file, 'utf8'); } catch (err) {
      throw new MqError('INVALID_CONFIG', `cannot read config file ${src.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    apply(c, parseFile(text, src.file), src.file, given);
  }
  apply(c, envEntries(src.env ?? {}), 'the environment', given);
  const f = src.flags ?? {};
  const flagEntries: [string, string][] = [];
  if (f.data !== undefined) flagEntries.push(['log.dir', f.data]);
  if (f.listen !== undefined) flagEntries.push(['listeners', f.listen]);
  if (f.advertise !== undefined) flagEntries.push(['advertised.listeners', f.advertise]);
  if (f.nodeId !== undefined) flagEntries.push(['node.id', f.nodeId]);
  if (f.adminListen !== undefined) flagEntries.push(['admin.listeners', f.adminListen]);
  if (f.logLevel !== undefined) flagEntries.push(['log.level', f.logLevel]);
  if (f.logFormat !== undefined) flagEntries.push(['log.format', f.logFormat]);
  if (f.etcd !== undefined) flagEntries.push(['etcd.endpoints', f.etcd]);
  if (f.rack !== undefined) flagEntries.push(['broker.rack', f.rack]);
  apply(c, flagEntries, 'flags', given);
  checkCombination(c, given);
  return c;
}
