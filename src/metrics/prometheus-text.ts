// Renders the broker's metrics in the Prometheus text exposition format (version 0.0.4):
//   # HELP name text
//   # TYPE name counter|gauge|histogram
//   name{label="value",...} number
// Histograms as name_bucket{le="..."} (cumulative, ending with le="+Inf"), name_sum and name_count.
import type { LatencyHistogram } from './latency-histogram.js';
import type { GroupView, PartitionView, StatusView } from './views.js';
import type { BrokerMetrics } from './broker-metrics.js';

type Labels = Record<string, string | number>;

class TextWriter {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels | null, value: number): this {
    this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  histogram(name: string, labels: Labels, h: LatencyHistogram): this {
    for (const b of h.cumulativeBuckets()) this.sample(`${name}_bucket`, { ...labels, le: formatValue(b.leSeconds) }, b.count);
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, h.count);
    this.sample(`${name}_sum`, labels, h.sumSeconds);
    this.sample(`${name}_count`, labels, h.count);
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatLabels(labels: Labels | null): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+(e|$)/, '$1');
}

export function renderPrometheus(input: {
  status: StatusView;
  partitions: PartitionView[];
  groups: GroupView[];
  metrics: BrokerMetrics;
  apiName(apiKey: number): string;
}): string {
  const { status: s, partitions, groups, metrics } = input;
  const w = new TextWriter();
  w.family('mq_broker_info', 'gauge', 'Constant 1, labelled with the broker identity.')
    .sample('mq_broker_info', { node_id: s.nodeId, cluster_id: s.clusterId, mode: s.mode }, 1);
  w.family('mq_uptime_seconds', 'gauge', 'Seconds since the broker started.').sample('mq_uptime_seconds', null, s.uptimeMs / 1000);

  const perPartition = (name: string, type: 'counter' | 'gauge', help: string, pick: (p: PartitionView) => number): void => {
    w.family(name, type, help);
    for (const p of partitions) w.sample(name, { topic: p.topic, partition: p.partition }, pick(p));
  };
  perPartition('mq_partition_bytes_in_total', 'counter', 'Record batch bytes appended by producers.', (p) => p.bytesIn);
  perPartition('mq_partition_records_in_total', 'counter', 'Records appended (from batch headers).', (p) => p.recordsIn);
  perPartition('mq_partition_bytes_out_total', 'counter', 'Record batch bytes sent to fetchers.', (p) => p.bytesOut);
  perPartition('mq_partition_records_out_total', 'counter', 'Records sent to fetchers (from batch headers).', (p) => p.recordsOut);
  perPartition('mq_partition_log_start_offset', 'gauge', 'First offset still in the log.', (p) => p.logStartOffset);
  perPartition('mq_partition_log_end_offset', 'gauge', 'Offset the next record will get.', (p) => p.logEndOffset);
  perPartition('mq_partition_high_watermark', 'gauge', 'Offset up to which consumers may read.', (p) => p.highWatermark);
  perPartition('mq_partition_log_size_bytes', 'gauge', 'Bytes of all segments of the log.', (p) => p.sizeBytes);
  perPartition('mq_partition_isr_size', 'gauge', 'Replicas in the in-sync replica set.', (p) => p.isr.length);
  perPartition('mq_partition_replicas', 'gauge', 'Replicas assigned to the partition.', (p) => p.replicas.length);

  w.family('mq_under_replicated_partitions', 'gauge', 'Partitions whose ISR is smaller than their replica list.').sample('mq_under_replicated_partitions', null, s.underReplicated);
  w.family('mq_offline_partitions', 'gauge', 'Partitions with no in-sync replica.').sample('mq_offline_partitions', null, s.offline);
  w.family('mq_leader_partitions', 'gauge', 'Partitions this broker leads.').sample('mq_leader_partitions', null, s.leaders);
  w.family('mq_isr_shrinks_total', 'counter', 'Times a replica left the ISR of a partition led here.').sample('mq_isr_shrinks_total', null, s.isrShrinks);
  w.family('mq_isr_expands_total', 'counter', 'Times a replica joined the ISR of a partition led here.').sample('mq_isr_expands_total', null, s.isrExpands);
  w.family('mq_fetch_purgatory_size', 'gauge', 'Fetch requests waiting for data (long poll).').sample('mq_fetch_purgatory_size', null, s.fetchPurgatory);
  w.family('mq_produce_purgatory_size', 'gauge', 'Produce requests waiting for acks=all.').sample('mq_produce_purgatory_size', null, s.producePurgatory);

  const apis = metrics.apis.map((a, key) => ({ a, key })).filter((x) => x.a !== undefined);
  w.family('mq_requests_total', 'counter', 'Requests handled, per API.');
  for (const { a, key } of apis) w.sample('mq_requests_total', { api: input.apiName(key) }, a!.requests);
  w.family('mq_request_errors_total', 'counter', 'Requests that failed or answered with an error code, per API.');
  for (const { a, key } of apis) w.sample('mq_request_errors_total', { api: input.apiName(key) }, a!.errors);
  w.family('mq_request_latency_seconds', 'histogram', 'Time from a complete request frame to its response, per API.');
  for (const { a, key } of apis) w.histogram('mq_request_latency_seconds', { api: input.apiName(key) }, a!.latency);
  w.family('mq_replica_fetch_bytes_out_total', 'counter', 'Bytes sent to followers replicating from this broker.').sample('mq_replica_fetch_bytes_out_total', null, metrics.replicaFetchBytesOut);
  w.family('mq_replica_fetch_bytes_in_total', 'counter', 'Bytes this broker copied from leaders as a follower.').sample('mq_replica_fetch_bytes_in_total', null, metrics.replicaFetchBytesIn);
  w.family('mq_refused_connections_total', 'counter', 'Connections closed for sending malformed or unsupported requests.').sample('mq_refused_connections_total', null, metrics.refusedConnections);
  w.family('mq_quota_throttle_seconds_total', 'counter', 'Time clients were throttled for going over a client quota, per quota type (produce, fetch, request).');
  for (const [type, ms] of Object.entries(metrics.quotaThrottleMs)) w.sample('mq_quota_throttle_seconds_total', { type }, ms / 1000);
  const usage = metrics.quotaUsage?.() ?? [];
  w.family('mq_quota_usage', 'gauge', 'Measured rate of each client quota in use: bytes/s (producer_byte_rate, consumer_byte_rate) or handling ms/s (request_percentage), per user and client-id ("" when the quota names none).');
  for (const u of usage) w.sample('mq_quota_usage', { quota: u.key, user: u.user, client_id: u.clientId }, u.rate);

  w.family('mq_group_members', 'gauge', 'Members of a consumer group.');
  for (const g of groups) w.sample('mq_group_members', { group: g.groupId }, g.members);
  w.family('mq_group_committed_offset', 'gauge', 'Committed offset of a group per partition.');
  for (const g of groups) for (const p of g.partitions) w.sample('mq_group_committed_offset', { group: g.groupId, topic: p.topic, partition: p.partition }, p.committedOffset);
  w.family('mq_group_lag', 'gauge', 'High watermark minus committed offset, per group and partition.');
  for (const g of groups) for (const p of g.partitions) w.sample('mq_group_lag', { group: g.groupId, topic: p.topic, partition: p.partition }, p.lag);
  w.family('mq_group_lag_total', 'gauge', 'Lag of a group summed over its partitions.');
  for (const g of groups) w.sample('mq_group_lag_total', { group: g.groupId }, g.lag);

  const pr = s.process;
  w.family('process_cpu_seconds_total', 'counter', 'User and system CPU time of the broker process.').sample('process_cpu_seconds_total', null, pr.cpuSecondsTotal);
  w.family('process_resident_memory_bytes', 'gauge', 'Resident set size.').sample('process_resident_memory_bytes', null, pr.rssBytes);
  w.family('mq_heap_used_bytes', 'gauge', 'V8 heap in use.').sample('mq_heap_used_bytes', null, pr.heapUsedBytes);
  if (pr.openFiles !== null) w.family('process_open_fds', 'gauge', 'Open file descriptors.').sample('process_open_fds', null, pr.openFiles);
  w.family('mq_event_loop_delay_seconds', 'gauge', 'Event-loop delay since the previous sample, by quantile.')
    .sample('mq_event_loop_delay_seconds', { quantile: '0.5' }, pr.eventLoopDelayP50Ms / 1000)
    .sample('mq_event_loop_delay_seconds', { quantile: '0.99' }, pr.eventLoopDelayP99Ms / 1000)
    .sample('mq_event_loop_delay_seconds', { quantile: '1' }, pr.eventLoopDelayMaxMs / 1000);
  if (pr.diskFreeBytes !== null) w.family('mq_data_dir_free_bytes', 'gauge', 'Free bytes on the data directory\'s file system.').sample('mq_data_dir_free_bytes', null, pr.diskFreeBytes);
  if (pr.diskTotalBytes !== null) w.family('mq_data_dir_size_bytes', 'gauge', 'Size of the data directory\'s file system.').sample('mq_data_dir_size_bytes', null, pr.diskTotalBytes);
  return w.toString();
}
