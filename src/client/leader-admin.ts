// Preferred leader elections for the admin client: one ElectLeaders (type 0) to the controller, retried
// after a metadata refresh when the controller moved (NOT_CONTROLLER, top-level in v1 or per partition).
// Per-partition answers are results, not errors: 0 = moved, ELECTION_NOT_NEEDED = already preferred,
// PREFERRED_LEADER_NOT_AVAILABLE = not available; anything else is reported as failed. The preferred
// leader of each partition (replicas[0]) comes from a Metadata request made afterwards.
import { ApiKey } from '../protocol/api.js';
import { ErrorCode, errorCodeOf, errorInfo } from '../protocol/error-codes.js';
import { ELECTION_TYPE_PREFERRED, type ElectLeadersRequest, type ElectLeadersResponse } from '../protocol/messages/elect-leaders.js';
import type { Cluster } from './cluster.js';
import { logDropped } from './dropped-error.js';
import type { LeaderElectionResult, TopicPartition } from './types.js';

const ELECTION_NOT_NEEDED = errorCodeOf('ELECTION_NOT_NEEDED');
const PREFERRED_LEADER_NOT_AVAILABLE = errorCodeOf('PREFERRED_LEADER_NOT_AVAILABLE');
const NOT_CONTROLLER = errorCodeOf('NOT_CONTROLLER');

/** ElectLeaders (preferred) for `partitions` (null = every partition), sorted by topic then partition. */
export async function electPreferredLeaders(cluster: Cluster, partitions: TopicPartition[] | null, timeoutMs: number): Promise<LeaderElectionResult[]> {
  const body: ElectLeadersRequest = { electionType: ELECTION_TYPE_PREFERRED, topicPartitions: partitions === null ? null : byTopic(partitions), timeoutMs };
  const res = await cluster.retry(async () => {
    const r = await cluster.requestController<ElectLeadersResponse>(ApiKey.ElectLeaders, body, { timeoutMs: timeoutMs + 5000 });
    if (r.errorCode !== ErrorCode.NONE) throw cluster.error(r.errorCode, 'elect preferred leaders');
    if (r.replicaElectionResults.some((t) => t.partitionResult.some((p) => p.errorCode === NOT_CONTROLLER))) {
      throw cluster.error(NOT_CONTROLLER, 'elect preferred leaders');
    }
    return r;
  }, {
    onRetry: async () => {
      await cluster.refreshMetadata([], false).catch((err: unknown) => logDropped(cluster.logger, 'elect leaders: metadata refresh before a retry failed', err));
    },
  });

  const topics = res.replicaElectionResults.map((t) => t.topic);
  const preferred = new Map<string, number>();
  if (topics.length > 0) {
    const md = await cluster.retry(() => cluster.refreshMetadata(topics, false));
    for (const t of md.topics) for (const p of t.partitions) preferred.set(`${t.name}/${p.partitionIndex}`, p.replicaNodes[0] ?? -1);
  }
  const results = res.replicaElectionResults.flatMap((t) => t.partitionResult.map((p): LeaderElectionResult => ({
    topic: t.topic,
    partition: p.partitionId,
    preferredLeader: preferred.get(`${t.topic}/${p.partitionId}`) ?? -1,
    result: p.errorCode === ErrorCode.NONE ? 'moved'
      : p.errorCode === ELECTION_NOT_NEEDED ? 'already-preferred'
        : p.errorCode === PREFERRED_LEADER_NOT_AVAILABLE ? 'not-available' : 'failed',
    message: p.errorCode === ErrorCode.NONE || p.errorCode === ELECTION_NOT_NEEDED ? null
      : p.errorMessage ?? `${errorInfo(p.errorCode).message} (${errorInfo(p.errorCode).name})`,
  })));
  return results.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

function byTopic(partitions: TopicPartition[]): NonNullable<ElectLeadersRequest['topicPartitions']> {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of partitions) out.set(topic, [...(out.get(topic) ?? []), partition]);
  return [...out].map(([topic, list]) => ({ topic, partitions: list }));
}
