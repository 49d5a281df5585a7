// The shapes the admin endpoint serves (/v1/status, /v1/partitions, /v1/groups, and /metrics from the
// same values), and what the endpoint needs of a broker to serve them (AdminViews). The broker builds
// them (src/broker/broker-view.ts); `mq top`, the CLI and tests read them.
import type { Logger } from '../util/logger.js';
import type { BrokerMetrics } from './broker-metrics.js';
import type { ProcessSample } from './process-metrics.js';

export interface PartitionView {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  underReplicated: boolean;
  offline: boolean;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  sizeBytes: number;
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
}

export interface GroupPartitionView { topic: string; partition: number; committedOffset: number; highWatermark: number; lag: number }
export interface GroupView { groupId: string; state: string; members: number; lag: number; partitions: GroupPartitionView[] }

export interface ApiView { api: string; apiKey: number; requests: number; errors: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number }

export interface StatusView {
  nodeId: number;
  clusterId: string;
  mode: 'embedded' | 'cluster';
  host: string;
  port: number;
  admin: string | null;
  controllerId: number;
  startedAtMs: number;
  uptimeMs: number;
  topics: number;
  partitions: number;
  leaders: number;
  underReplicated: number;
  offline: number;
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
  fetchPurgatory: number;
  producePurgatory: number;
  isrShrinks: number;
  isrExpands: number;
  requestP99Ms: number;
  requests: ApiView[];
  process: ProcessSample;
  /** Cluster mode: the reassignment throttle of this broker's replica fetchers (issue 8). */
  replicationThrottle?: ReplicationThrottleView;
}

export interface ReplicationThrottleView {
  /** The bucket's rate now; null when no partition here is throttled. */
  rateBytesPerSec: number | null;
  /** The bucket's capacity (burst), one second of the rate. */
  burstBytes: number;
  /** The throttled partitions ("topic/partition") this broker is catching up on. */
  partitions: string[];
  /** Bytes received for throttled partitions since the broker started. */
  throttledBytes: number;
  /** Times a fetch left the throttled partitions out because the bucket was empty. */
  deferredFetches: number;
  /** This broker's clock when the view was taken (to compute rates from two views). */
  atMs: number;
}

/** What the admin endpoint asks of the broker it serves. */
export interface AdminViews {
  partitions(): PartitionView[];
  status(partitions?: PartitionView[]): Promise<StatusView>;
  groups(): GroupView[];
  metrics: BrokerMetrics;
  /** API names by key, for labels. */
  apiName(apiKey: number): string;
  logger: Logger;
}
