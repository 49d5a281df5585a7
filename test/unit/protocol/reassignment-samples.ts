// Sample values of AlterPartitionReassignments, ListPartitionReassignments and IncrementalAlterConfigs,
// for the round trips of every message in messages.test.ts.
import { ApiKey } from '../../../src/protocol/api.js';

export const reassignmentSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.AlterPartitionReassignments]: {
    request: () => ({
      timeoutMs: 60000,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [1, 2, 3] }, { partitionIndex: 4, replicas: null }] }, { name: 'päyments', partitions: [] }],
    }),
    response: () => ({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      responses: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }, { partitionIndex: 4, errorCode: 85, errorMessage: 'not moving' }] }],
    }),
  },
  [ApiKey.ListPartitionReassignments]: {
    request: () => ({ timeoutMs: 60000, topics: [{ name: 'orders', partitionIndexes: [0, 2147483647] }] }),
    response: () => ({
      throttleTimeMs: 3, errorCode: 0, errorMessage: null,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [1] }] }],
    }),
  },
  [ApiKey.IncrementalAlterConfigs]: {
    request: () => ({
      resources: [
        { resourceType: 4, resourceName: '', configs: [{ name: 'follower.replication.throttled.rate', configOperation: 0, value: '1000000' }] },
        { resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 1, value: null }] },
      ],
      validateOnly: false,
    }),
    response: () => ({ throttleTimeMs: 0, responses: [{ errorCode: 40, errorMessage: 'no reassignment in progress', resourceType: 4, resourceName: '' }] }),
  },
};
