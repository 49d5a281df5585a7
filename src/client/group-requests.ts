// Requests to a group's coordinator, shared by the group consumer and group admin: FindCoordinator,
// OffsetFetch and OffsetCommit. The coordinator is found with FindCoordinator (key type 0 = group) at any
// broker; its NodeId is then looked up in the metadata (refreshed when unknown), as kafkajs does.
// COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS are retriable: the caller
// looks the coordinator up again and retries.
import { ApiKey } from '../protocol/api.js';
import type { FindCoordinatorResponse } from '../protocol/messages/find-coordinator.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/offset-commit.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/offset-fetch.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { partitionKey } from './list-offsets.js';
import type { TopicPartition, TopicPartitionOffset } from './types.js';

/** Codes after which the coordinator must be looked up again. */
export const COORDINATOR_MOVED = new Set([14, 15, 16]);

/** The node id of the group's coordinator (present in the cluster's broker list). */
export async function findCoordinator(cluster: Cluster, groupId: string): Promise<number> {
  return cluster.retry(async () => {
    const res = await cluster.requestAny<FindCoordinatorResponse>(ApiKey.FindCoordinator, { key: groupId, keyType: 0 });
    if (res.errorCode !== 0) throw cluster.error(res.errorCode, `find the coordinator of group '${groupId}'`);
    if (!cluster.brokers.has(res.nodeId)) await cluster.refreshMetadata([]);
    if (!cluster.brokers.has(res.nodeId)) {
      throw new MqError('COORDINATOR_NOT_AVAILABLE', `coordinator ${res.nodeId} of group '${groupId}' is not in the metadata`, { retriable: true });
    }
    return res.nodeId;
  }, { retries: 10 });
}

/** Groups topic partitions by topic, in first-seen order. */
export function byTopic<T extends TopicPartition>(list: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const tp of list) {
    const l = out.get(tp.topic) ?? [];
    l.push(tp);
    out.set(tp.topic, l);
  }
  return out;
}

/**
 * Committed offsets (next offset to consume; -1 when none) keyed by partitionKey; `partitions` null asks
 * for everything the group committed.
 */
export async function fetchCommittedOffsets(
  cluster: Cluster, coordinatorId: number, groupId: string, partitions: TopicPartition[] | null,
): Promise<Map<string, number>> {
  const body: OffsetFetchRequest = {
    groupId,
    topics: partitions === null ? null : [...byTopic(partitions)].map(([name, l]) => ({ name, partitionIndexes: l.map((p) => p.partition) })),
  };
  const res = await cluster.request<OffsetFetchResponse>(coordinatorId, ApiKey.OffsetFetch, body, { purpose: 'group' });
  if (res.errorCode !== 0) throw cluster.error(res.errorCode, `fetch the offsets of group '${groupId}'`);
  const out = new Map<string, number>();
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw cluster.error(p.errorCode, `fetch the offset of group '${groupId}' for ${t.name}-${p.partitionIndex}`);
      out.set(partitionKey(t.name, p.partitionIndex), Number(p.committedOffset));
    }
  }
  return out;
}

/** OffsetCommit; the first partition error is thrown as an MqError. */
export async function commitOffsets(
  cluster: Cluster, coordinatorId: number, groupId: string, generationId: number, memberId: string, offsets: TopicPartitionOffset[],
): Promise<void> {
  if (offsets.length === 0) return;
  const body: OffsetCommitRequest = {
    groupId, generationId, memberId, retentionTimeMs: -1n,
    topics: [...byTopic(offsets)].map(([name, l]) => ({
      name, partitions: l.map((o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: null })),
    })),
  };
  const res = await cluster.request<OffsetCommitResponse>(coordinatorId, ApiKey.OffsetCommit, body, { purpose: 'group' });
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw cluster.error(p.errorCode, `commit the offset of group '${groupId}' for ${t.name}-${p.partitionIndex}`);
    }
  }
}
