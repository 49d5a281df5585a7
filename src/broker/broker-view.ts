// What the admin endpoint reports (the view types are in src/metrics/views.ts), computed on request
// from the broker's state and counters:
// /v1/status (one broker), /v1/partitions (every partition replica here) and /v1/groups (committed
// offsets and lag of the groups this broker coordinates). The same values feed /metrics.
//
// Replication: the views list the replicas this broker hosts with the leader and ISR its topic authority
// names (embedded: this broker, alone); under-replicated counts only partitions led here (as Kafka's
// per-broker gauge does) and offline those without a leader.
import type { BrokerState } from './request-context.js';
import type { HostPort } from '../config/config.js';
import type { OffsetFetchRequest } from '../protocol/messages/offset-fetch.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { ProcessMetrics } from '../metrics/process-metrics.js';
import type { AdminViews, ApiView, GroupPartitionView, GroupView, PartitionView, ReplicationThrottleView, StatusView } from '../metrics/views.js';

export interface ObservedBroker {
  state: BrokerState;
  metrics: BrokerMetrics;
  process: ProcessMetrics;
  /** Where the admin endpoint listens ("host:port"), once it does. */
  admin: HostPort | null;
  /** API names by key, for labels. */
  apiName(apiKey: number): string;
}

export function partitionViews(b: ObservedBroker): PartitionView[] {
  const { nodeId, authority } = b.state;
  return authority.hostedReplicas().map(({ partition: p, replicas, leader, isr }) => {
    const c = b.metrics.topicCounters(p.topic)?.[p.index];
    return {
      topic: p.topic, partition: p.index, leader, leaderEpoch: p.leaderEpoch, replicas, isr,
      underReplicated: leader === nodeId && isr.length < replicas.length, offline: leader < 0,
      logStartOffset: p.logStartOffset, logEndOffset: p.logEndOffset, highWatermark: p.highWatermark,
      sizeBytes: p.log.sizeBytes,
      bytesIn: c?.bytesIn ?? 0, bytesOut: c?.bytesOut ?? 0, recordsIn: c?.recordsIn ?? 0, recordsOut: c?.recordsOut ?? 0,
    };
  });
}

/**
 * The groups this broker coordinates (GroupCoordinator's ListGroups, DescribeGroups and OffsetFetch
 * answers), with lag = high watermark - committed offset per partition (0 when the offset is ahead).
 */
export function groupViews(b: ObservedBroker): GroupView[] {
  const coordinator = (b.state as Partial<Pick<BrokerState, 'groups'>>).groups;
  if (!coordinator) return [];
  const ids = coordinator.listGroups().groups.map((g) => g.groupId).sort();
  const described = coordinator.describeGroups(ids).groups;
  return described.filter((d) => d.errorCode === 0).map((d) => {
    const fetched = coordinator.fetchOffsets({ groupId: d.groupId, topics: null } as OffsetFetchRequest);
    const partitions: GroupPartitionView[] = [];
    for (const t of fetched.topics) {
      for (const p of t.partitions) {
        if (p.committedOffset < 0n) continue;
        const committedOffset = Number(p.committedOffset);
        // The replica hosted here, if any (a follower's high watermark trails its leader's a little; mq top
        // recomputes lag from the leaders' figures).
        const replica = b.state.authority.hostedPartition(t.name, p.partitionIndex);
        const hwm = replica?.highWatermark ?? committedOffset;
        partitions.push({ topic: t.name, partition: p.partitionIndex, committedOffset, highWatermark: hwm, lag: Math.max(0, hwm - committedOffset) });
      }
    }
    return { groupId: d.groupId, state: d.groupState, members: d.members.length, lag: partitions.reduce((s, p) => s + p.lag, 0), partitions };
  });
}

export function apiViews(b: ObservedBroker): ApiView[] {
  const out: ApiView[] = [];
  b.metrics.apis.forEach((a, apiKey) => {
    if (!a) return;
    out.push({
      api: b.apiName(apiKey), apiKey, requests: a.requests, errors: a.errors,
      p50Ms: a.latency.quantileSeconds(0.5) * 1000, p99Ms: a.latency.quantileSeconds(0.99) * 1000,
      p999Ms: a.latency.quantileSeconds(0.999) * 1000, maxMs: a.latency.maxSeconds * 1000,
    });
  });
  return out;
}

export async function statusView(b: ObservedBroker, partitions = partitionViews(b)): Promise<StatusView> {
  const totals = b.metrics.totals();
  const requests = apiViews(b);
  const s = b.state;
  return {
    nodeId: s.nodeId, clusterId: s.clusterId, mode: s.authority.mode, host: s.advertised.host, port: s.advertised.port,
    admin: b.admin ? `${b.admin.host}:${b.admin.port}` : null, controllerId: s.authority.controllerId(),
    startedAtMs: b.metrics.startedAtMs, uptimeMs: Date.now() - b.metrics.startedAtMs,
    topics: new Set(partitions.map((p) => p.topic)).size, partitions: partitions.length,
    leaders: partitions.filter((p) => p.leader === s.nodeId).length,
    underReplicated: partitions.filter((p) => p.underReplicated).length,
    offline: partitions.filter((p) => p.offline).length,
    ...totals,
    fetchPurgatory: b.metrics.fetchPurgatory, producePurgatory: b.metrics.producePurgatory,
    isrShrinks: b.metrics.isrShrinks, isrExpands: b.metrics.isrExpands,
    // Fetch and JoinGroup latency is mostly a wait the client asked for (long poll, rebalance), not a response time.
    requestP99Ms: Math.max(0, ...requests.filter((r) => r.api !== 'Fetch' && r.api !== 'JoinGroup').map((r) => r.p99Ms)),
    requests,
    process: await b.process.sample(),
    ...throttleField(s.authority.replicationThrottle()),
  };
}

/** The admin endpoint's source: the views above over one observed broker. */
export function adminViews(b: ObservedBroker): AdminViews {
  return {
    partitions: () => partitionViews(b),
    status: (partitions) => statusView(b, partitions),
    groups: () => groupViews(b),
    metrics: b.metrics,
    apiName: b.apiName,
    logger: b.state.logger,
  };
}

/** The status view's replicationThrottle, present only where replicas are fetched (cluster mode). */
function throttleField(view: ReplicationThrottleView | null): { replicationThrottle?: ReplicationThrottleView } {
  return view ? { replicationThrottle: view } : {};
}
