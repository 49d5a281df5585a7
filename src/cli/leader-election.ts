// `mq rebalance leaders`: elects the preferred replica (replicas[0]) of every partition, or of the
// partitions of some topics, and turns the answers into the table TOPIC PARTITION RESULT, a JSON
// document and a one-line summary.
import type { Admin, LeaderElectionResult } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

export interface LeaderElectionSummary { partitions: number; moved: number; alreadyPreferred: number; notAvailable: number; failed: number }

export interface LeaderElectionReport { results: LeaderElectionResult[]; summary: LeaderElectionSummary }

/** "a,b , c" → ["a", "b", "c"]; an empty list is a usage error. */
export function parseTopicList(raw: string): string[] {
  const topics = [...new Set(raw.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
  if (topics.length === 0) throw new MqError('INVALID_ARGUMENT', `'${raw}' names no topic`, { hint: 'Pass --topics NAME[,NAME...].' });
  return topics;
}

/** Elects preferred leaders for every partition (`topics` undefined) or every partition of `topics`. */
export async function leaderElection(admin: Admin, topics?: string[]): Promise<LeaderElectionReport> {
  let scope: { topic: string; partition: number }[] | null = null;
  if (topics) {
    const md = await admin.metadata(topics);
    scope = [];
    for (const name of topics) {
      const t = md.topics.find((x) => x.name === name);
      if (!t || t.partitions.length === 0) {
        throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`, { hint: 'List topics with `mq topics list`.' });
      }
      scope.push(...t.partitions.map((p) => ({ topic: name, partition: p.partition })));
    }
  }
  const results = await admin.electLeaders(scope);
  return { results, summary: summarize(results) };
}

export function summarize(results: LeaderElectionResult[]): LeaderElectionSummary {
  const count = (r: LeaderElectionResult['result']): number => results.filter((x) => x.result === r).length;
  return { partitions: results.length, moved: count('moved'), alreadyPreferred: count('already-preferred'), notAvailable: count('not-available'), failed: count('failed') };
}

export const LEADER_ELECTION_HEADERS = ['TOPIC', 'PARTITION', 'RESULT'];

export function leaderElectionRows(results: LeaderElectionResult[]): string[][] {
  return results.map((r) => [r.topic, String(r.partition), resultText(r)]);
}

function resultText(r: LeaderElectionResult): string {
  switch (r.result) {
    case 'moved': return `moved to ${r.preferredLeader}`;
    case 'already-preferred': return 'already preferred';
    case 'not-available': return r.message ?? `preferred replica ${r.preferredLeader} not available`;
    case 'failed': return `failed: ${r.message ?? 'unknown error'}`;
  }
}

/** "6 partitions: 2 moved, 4 already preferred, 0 not available, 0 failed" */
export function leaderElectionSummaryLine(s: LeaderElectionSummary): string {
  return `${s.partitions} partition${s.partitions === 1 ? '' : 's'}: ${s.moved} moved, ${s.alreadyPreferred} already preferred, ${s.notAvailable} not available, ${s.failed} failed`;
}

/** The error that makes the command exit 1 when some election failed (not for "not available"). */
export function leaderElectionFailure(report: LeaderElectionReport): MqError | null {
  const failed = report.results.filter((r) => r.result === 'failed');
  if (failed.length === 0) return null;
  const first = failed[0];
  return new MqError('ELECTION_FAILED', `${failed.length} of ${report.summary.partitions} elections failed (first: ${first.topic}-${first.partition}: ${first.message ?? 'unknown error'})`, {
    hint: 'Run `mq rebalance leaders` again; see `mq brokers list` for who is controller.',
  });
}
