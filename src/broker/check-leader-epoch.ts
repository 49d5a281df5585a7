// The CurrentLeaderEpoch check of Fetch and OffsetForLeaderEpoch (KIP-320): a request naming an older
// epoch than this leader's comes from a fenced (stale) view, a newer one from a view this broker has not
// caught up with yet; both are retriable for the sender.
import { ErrorCode } from '../protocol/error-codes.js';
import type { Partition } from '../replication/partition.js';

/** The partition, or FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH; -1 (unknown to the sender) is not checked. */
export function checkLeaderEpoch(p: Partition, currentLeaderEpoch: number): Partition | number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === p.leaderEpoch) return p;
  return currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}
