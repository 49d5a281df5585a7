// Sample values of OffsetForLeaderEpoch at each version, for the round trips in messages.test.ts and
// offset-for-leader-epoch.test.ts. Fields a version lacks carry the value decode gives them.
import { ApiKey } from '../../../src/protocol/api.js';

export const replicationSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.OffsetForLeaderEpoch]: {
    request: (v) => ({
      replicaId: v >= 3 ? 2 : -2,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, currentLeaderEpoch: v >= 2 ? 7 : -1, leaderEpoch: 6 },
            { partition: 5, currentLeaderEpoch: -1, leaderEpoch: 0 },
          ],
        },
        { topic: 'päyments', partitions: [{ partition: 1, currentLeaderEpoch: v >= 2 ? 2147483647 : -1, leaderEpoch: 3 }] },
      ],
    }),
    response: (v) => ({
      throttleTimeMs: v >= 2 ? 12 : 0,
      topics: [
        {
          topic: 'orders',
          partitions: [
            { errorCode: 0, partition: 0, leaderEpoch: v >= 1 ? 5 : -1, endOffset: 2n ** 40n + 3n },
            { errorCode: 74, partition: 5, leaderEpoch: -1, endOffset: -1n },
          ],
        },
        { topic: 'päyments', partitions: [{ errorCode: 75, partition: 1, leaderEpoch: -1, endOffset: -1n }] },
      ],
    }),
  },
};
