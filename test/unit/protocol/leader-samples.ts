// Sample values of ElectLeaders at each version, for the round trips in messages.test.ts and
// elect-leaders.test.ts. Fields a version lacks carry the value decode gives them.
import { ApiKey } from '../../../src/protocol/api.js';

export const leaderSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.ElectLeaders]: {
    request: () => ({
      electionType: 0,
      topicPartitions: [{ topic: 'orders', partitions: [0, 5, 2147483647] }, { topic: 'päyments', partitions: [] }],
      timeoutMs: 60000,
    }),
    response: (v) => ({
      throttleTimeMs: 7,
      errorCode: v >= 1 ? 41 : 0,
      replicaElectionResults: [
        {
          topic: 'orders',
          partitionResult: [
            { partitionId: 0, errorCode: 0, errorMessage: null },
            { partitionId: 5, errorCode: 84, errorMessage: 'preferred replica 2 already leads' },
            { partitionId: 6, errorCode: 80, errorMessage: 'preferred replica 3 not in the ISR' },
          ],
        },
        { topic: 'päyments', partitionResult: [] },
      ],
    }),
  },
};
