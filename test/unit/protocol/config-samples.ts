// Sample values of DescribeConfigs, AlterConfigs and DeleteRecords at each version, for the round trips
// in messages.test.ts and config-messages.test.ts. Fields a version lacks carry the value decode gives them.
import { ApiKey } from '../../../src/protocol/api.js';

export const configSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.DescribeConfigs]: {
    request: (v) => ({
      resources: [
        { resourceType: 2, resourceName: 'orders', configurationKeys: null },
        { resourceType: 2, resourceName: 'audit', configurationKeys: ['retention.ms', 'flush.policy'] },
      ],
      includeSynonyms: v >= 1,
    }),
    response: (v) => ({
      throttleTimeMs: 3,
      results: [
        {
          errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders',
          configs: [
            { name: 'retention.ms', value: '2000', readOnly: false, isDefault: v === 0 ? false : false, configSource: v >= 1 ? 1 : -1, isSensitive: false, synonyms: [] },
            {
              name: 'flush.policy', value: 'batch', readOnly: false, isDefault: v === 0, configSource: v >= 1 ? 5 : -1, isSensitive: false,
              synonyms: v >= 1 ? [{ name: 'log.flush.policy', value: 'batch', source: 5 }] : [],
            },
          ],
        },
        { errorCode: 3, errorMessage: "topic 'gone' does not exist", resourceType: 2, resourceName: 'gone', configs: [] },
      ],
    }),
  },
  [ApiKey.AlterConfigs]: {
    request: () => ({
      resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '3600000' }, { name: 'flush.policy', value: null }] }],
      validateOnly: true,
    }),
    response: () => ({
      throttleTimeMs: 0,
      responses: [
        { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' },
        { errorCode: 40, errorMessage: 'topic config flush.policy=sometimes: must be batch, interval or os', resourceType: 2, resourceName: 'audit' },
      ],
    }),
  },
  [ApiKey.DeleteRecords]: {
    request: () => ({
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 42n }, { partitionIndex: 1, offset: -1n }] }],
      timeoutMs: 5000,
    }),
    response: () => ({
      throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, lowWatermark: 42n, errorCode: 0 }, { partitionIndex: 1, lowWatermark: -1n, errorCode: 1 }] }],
    }),
  },
};
