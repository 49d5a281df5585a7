// Table rows and JSON shapes for `mq topics list` and `mq topics describe`.
import type { ClusterMetadata, TopicDescription } from '../client/types.js';
import { stateText, type PartitionState } from './partition-decommission.js';

export interface TopicSummary { name: string; partitions: number; replicas: number }

/**
 * One summary per topic, sorted by name; partitions counts those that exist (a decommissioned partition
 * counts until it is deleted); replicas is the replication factor of the first one.
 */
export function topicSummaries(md: ClusterMetadata): TopicSummary[] {
  return md.topics
    .map((t) => ({ name: t.name, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const TOPIC_LIST_HEADERS = ['NAME', 'PARTITIONS', 'REPLICAS'];

export function topicListRows(topics: TopicSummary[]): string[][] {
  return topics.map((t) => [t.name, String(t.partitions), String(t.replicas)]);
}

export const TOPIC_DESCRIBE_HEADERS = ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START', 'HIGH-WATERMARK'];

/**
 * Rows by partition number; replicas and ISR as comma-separated broker ids. With `states`, a STATE
 * column (active / decommissioned since ..., deleted after ... / deleted) and rows for deleted ids.
 */
export function topicDescribeRows(d: TopicDescription, states?: PartitionState[]): string[][] {
  const rows = [...d.partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => [
      String(p.partition),
      p.leader < 0 ? 'none' : String(p.leader),
      p.replicas.join(','),
      p.isr.join(','),
      String(p.logStartOffset),
      String(p.highWatermark),
    ]);
  if (!states) return rows;
  const byId = new Map(rows.map((r) => [Number(r[0]), r]));
  return states.map((s) => [...(byId.get(s.partition) ?? [String(s.partition), 'none', '-', '-', '-', '-']), stateText(s)]);
}
