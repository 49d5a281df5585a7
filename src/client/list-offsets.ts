// ListOffsets for many partitions at once: one request per partition leader, retried (after a metadata
// refresh) while partitions answer with retriable errors such as NOT_LEADER_OR_FOLLOWER.
//
// Query timestamps: -2 = earliest (log start offset), -1 = latest (high watermark), T >= 0 = the first
// offset whose record timestamp is >= T (offset -1 when there is none).
import { ApiKey } from '../protocol/api.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/list-offsets.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** -2 earliest, -1 latest, else a timestamp in ms. */
  timestamp: number;
}

export interface OffsetAnswer {
  offset: number;
  timestamp: number;
}

/** "topic\0partition", the key of the answer map. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/**
 * Resolves every query; the answer map is keyed by partitionKey(). Each partition may appear once.
 * Throws the partition's MqError when it is not retriable or the retries run out.
 */
export async function listOffsets(
  cluster: Cluster, queries: OffsetQuery[], opts: { isolationLevel?: number; retries?: number } = {},
): Promise<Map<string, OffsetAnswer>> {
  const answers = new Map<string, OffsetAnswer>();
  let pending = queries;
  await cluster.retry(async () => {
    const byLeader = new Map<number, OffsetQuery[]>();
    const leaderless: OffsetQuery[] = [];
    for (const q of pending) {
      const leader = cluster.leaderFor(q.topic, q.partition);
      if (leader < 0) { leaderless.push(q); continue; }
      const list = byLeader.get(leader) ?? [];
      list.push(q);
      byLeader.set(leader, list);
    }
    const retry: OffsetQuery[] = [...leaderless];
    let lastError: MqError | null = leaderless.length > 0
      ? new MqError('LEADER_NOT_AVAILABLE', `${leaderless[0].topic}-${leaderless[0].partition} has no leader`, { retriable: true })
      : null;
    await Promise.all([...byLeader].map(async ([leader, list]) => {
      const res = await cluster.request<ListOffsetsResponse>(leader, ApiKey.ListOffsets, toRequest(list, opts.isolationLevel ?? 0));
      const got = new Map<string, ListOffsetsResponse['topics'][number]['partitions'][number]>();
      for (const t of res.topics) for (const p of t.partitions) got.set(partitionKey(t.name, p.partitionIndex), p);
      for (const q of list) {
        const p = got.get(partitionKey(q.topic, q.partition));
        if (!p) {
          throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer ListOffsets for ${q.topic}-${q.partition}`);
        }
        if (p.errorCode !== 0) {
          const err = cluster.error(p.errorCode, `list offsets of ${q.topic}-${q.partition}`);
          if (!err.retriable) throw err;
          lastError = err;
          retry.push(q);
          continue;
        }
        answers.set(partitionKey(q.topic, q.partition), { offset: Number(p.offset), timestamp: Number(p.timestamp) });
      }
    }));
    pending = retry;
    if (retry.length > 0) throw lastError!;
  }, {
    retries: opts.retries ?? 8,
    onRetry: async () => { await cluster.refreshMetadata([...new Set(pending.map((q) => q.topic))], false); },
  });
  return answers;
}

function toRequest(list: OffsetQuery[], isolationLevel: number): ListOffsetsRequest {
  const topics = new Map<string, ListOffsetsRequest['topics'][number]>();
  for (const q of list) {
    let t = topics.get(q.topic);
    if (!t) {
      t = { name: q.topic, partitions: [] };
      topics.set(q.topic, t);
    }
    t.partitions.push({ partitionIndex: q.partition, timestamp: BigInt(q.timestamp) });
  }
  return { replicaId: -1, isolationLevel, topics: [...topics.values()] };
}
