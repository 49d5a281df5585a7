// OffsetForLeaderEpoch: where each asked leader epoch ends in this leader's log (the largest epoch <= the
// asked one and the first offset after it), so a follower that starts following can truncate what the
// leader does not have. Only leaders answer; CurrentLeaderEpoch is checked as Fetch checks it.
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/messages/offset-for-leader-epoch.js';
import { checkLeaderEpoch } from '../check-leader-epoch.js';
import { errorCodeFor } from '../error-code-of.js';
import type { Partition } from '../../replication/partition.js';
import type { Handler } from '../request-context.js';

export const handleOffsetForLeaderEpoch: Handler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = async (req, ctx) => {
  const b = ctx.broker;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const none = (errorCode: number): { errorCode: number; partition: number; leaderEpoch: number; endOffset: bigint } => ({
          errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n,
        });
        let found: Partition | number = req.replicaId >= 0
          ? b.authority.followerPartition(t.topic, p.partition, req.replicaId, ctx.peer)
          : b.authority.leaderPartition(t.topic, p.partition);
        if (typeof found !== 'number') found = checkLeaderEpoch(found, p.currentLeaderEpoch);
        if (typeof found === 'number') return none(found);
        try {
          const { leaderEpoch, endOffset } = found.log.endOffsetForEpoch(p.leaderEpoch);
          return { errorCode: 0, partition: p.partition, leaderEpoch, endOffset: BigInt(endOffset) };
        } catch (err) {
          return none(errorCodeFor(err, b.logger, { op: 'offset-for-leader-epoch', topic: t.topic, partition: p.partition }));
        }
      }),
    })),
  };
};
