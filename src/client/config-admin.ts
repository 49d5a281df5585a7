// Topic configs and record deletion for the admin client: DescribeConfigs / AlterConfigs go to the
// controller (a broker's own settings: to that broker); DeleteRecords goes to each partition's leader. `mq topics alter --config` changes only the
// keys given, so alterTopicConfig first reads the topic's current overrides (AlterConfigs replaces the
// whole set) and sends them back merged.
import { ApiKey } from '../protocol/api.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/messages/alter-configs.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../protocol/messages/delete-records.js';
import {
  CONFIG_SOURCE_DYNAMIC_TOPIC, CONFIG_SOURCE_STATIC_BROKER, RESOURCE_TYPE_BROKER, RESOURCE_TYPE_TOPIC,
  type DescribeConfigsRequest, type DescribeConfigsResponse,
} from '../protocol/messages/describe-configs.js';
import { DECOMMISSIONED_CONFIG } from '../config/decommissioned-config.js';
import { errorFromCode } from '../protocol/error-codes.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import { topicError } from './topic-error.js';
import type { DeleteRecordsResult, RecordsBefore, TopicConfigEntry } from './types.js';

/** The topic's effective config, sorted by name, each value with where it comes from. */
export async function describeTopicConfig(cluster: Cluster, topic: string, timeoutMs: number): Promise<TopicConfigEntry[]> {
  const body: DescribeConfigsRequest = {
    resources: [{ resourceType: RESOURCE_TYPE_TOPIC, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false,
  };
  return cluster.retry(async () => {
    const res = await cluster.requestController<DescribeConfigsResponse>(ApiKey.DescribeConfigs, body, { timeoutMs });
    const r = res.results.find((x) => x.resourceName === topic);
    if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not describe the configs of topic '${topic}'`);
    if (r.errorCode !== 0) throw topicError(r.errorCode, topic, r.errorMessage);
    return r.configs.map((c): TopicConfigEntry => ({
      name: c.name,
      value: c.value,
      source: c.configSource === CONFIG_SOURCE_DYNAMIC_TOPIC || (c.configSource === -1 && !c.isDefault) ? 'topic'
        : c.configSource === CONFIG_SOURCE_STATIC_BROKER ? 'broker' : 'default',
    })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
}

/** Broker `nodeId`'s static settings, asked of that broker itself (a broker describes only itself). */
export async function describeBrokerConfig(cluster: Cluster, nodeId: number, keys: string[] | null, timeoutMs: number): Promise<Record<string, string | null>> {
  const body: DescribeConfigsRequest = {
    resources: [{ resourceType: RESOURCE_TYPE_BROKER, resourceName: String(nodeId), configurationKeys: keys }],
    includeSynonyms: false,
  };
  const res = await cluster.request<DescribeConfigsResponse>(nodeId, ApiKey.DescribeConfigs, body, { timeoutMs });
  const r = res.results.find((x) => x.resourceName === String(nodeId));
  if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `broker ${nodeId} did not describe its configs`);
  if (r.errorCode !== 0) throw errorFromCode(r.errorCode, r.errorMessage ?? `broker ${nodeId}'s configs`);
  return Object.fromEntries(r.configs.map((c) => [c.name, c.value]));
}

/** Sets the given keys (a null value removes the override) and keeps the topic's other overrides. */
export async function alterTopicConfig(cluster: Cluster, topic: string, changes: Record<string, string | null>, timeoutMs: number): Promise<void> {
  const current = await describeTopicConfig(cluster, topic, timeoutMs);
  const merged: Record<string, string | null> = {};
  for (const e of current) if (e.source === 'topic') merged[e.name] = e.value;
  Object.assign(merged, changes);
  await sendAlterConfigs(cluster, topic, Object.entries(merged).flatMap(([name, value]) => (value === null ? [] : [{ name, value }])), timeoutMs);
}

/** One AlterConfigs for `topic` carrying exactly `configs` (to the controller, retried while retriable). */
export async function sendAlterConfigs(cluster: Cluster, topic: string, configs: { name: string; value: string }[], timeoutMs: number): Promise<void> {
  const body: AlterConfigsRequest = { resources: [{ resourceType: RESOURCE_TYPE_TOPIC, resourceName: topic, configs }], validateOnly: false };
  await cluster.retry(async () => {
    const res = await cluster.requestController<AlterConfigsResponse>(ApiKey.AlterConfigs, body, { timeoutMs });
    const r = res.responses.find((x) => x.resourceName === topic);
    if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer AlterConfigs for topic '${topic}'`);
    if (r.errorCode !== 0) throw topicError(r.errorCode, topic, r.errorMessage);
  });
}

/**
 * Makes `partitions` the topic's decommissioned set (ids left out are recommissioned unless deleted). The
 * set travels as the pseudo-config `decommissioned.partitions` (src/cluster/partition-decommission.ts) in
 * an AlterConfigs carrying only that key, which leaves the topic's config overrides untouched.
 */
export async function setDecommissionedPartitions(cluster: Cluster, topic: string, partitions: number[], timeoutMs: number): Promise<void> {
  await sendAlterConfigs(cluster, topic, [{ name: DECOMMISSIONED_CONFIG, value: partitions.join(',') }], timeoutMs);
}

/**
 * Deletes every partition's records before an offset, or before the first record with a timestamp at
 * or after a time (all of them when there is none). Returns each partition's new log start offset.
 */
export async function deleteRecordsBefore(cluster: Cluster, topic: string, before: RecordsBefore, timeoutMs: number): Promise<DeleteRecordsResult[]> {
  const meta = await cluster.retry(() => cluster.refreshMetadata([topic], false));
  const t = meta.topics.find((x) => x.name === topic);
  if (!t || t.errorCode === 3) throw topicError(3, topic);
  const partitions = t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
  const offsets = new Map<number, number>();
  if ('offset' in before) {
    for (const p of partitions) offsets.set(p, before.offset);
  } else {
    const q = (timestamp: number) => partitions.map((partition) => ({ topic, partition, timestamp }));
    const [byTime, latest] = await Promise.all([listOffsets(cluster, q(before.timestampMs)), listOffsets(cluster, q(LATEST_TIMESTAMP))]);
    for (const p of partitions) {
      const found = byTime.get(partitionKey(topic, p))?.offset ?? -1;
      offsets.set(p, found >= 0 ? found : latest.get(partitionKey(topic, p))!.offset);
    }
  }
  const results = new Map<number, DeleteRecordsResult>();
  await cluster.retry(async () => {
    const byLeader = new Map<number, number[]>();
    for (const p of partitions) {
      if (results.has(p)) continue;
      const leader = cluster.leaderFor(topic, p);
      if (leader < 0) throw new MqError('LEADER_NOT_AVAILABLE', `${topic}-${p} has no leader`, { retriable: true });
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const body: DeleteRecordsRequest = {
        topics: [{ name: topic, partitions: list.map((p) => ({ partitionIndex: p, offset: BigInt(offsets.get(p)!) })) }],
        timeoutMs,
      };
      const res = await cluster.request<DeleteRecordsResponse>(leader, ApiKey.DeleteRecords, body, { timeoutMs: timeoutMs + 5000 });
      for (const rt of res.topics) {
        for (const rp of rt.partitions) {
          if (rp.errorCode !== 0) throw cluster.error(rp.errorCode, `delete records of ${topic}-${rp.partitionIndex} before offset ${offsets.get(rp.partitionIndex)}`);
          results.set(rp.partitionIndex, { partition: rp.partitionIndex, logStartOffset: Number(rp.lowWatermark) });
        }
      }
    }));
  }, { onRetry: async () => { await cluster.refreshMetadata([topic], false); } });
  return partitions.map((p) => results.get(p)!);
}
