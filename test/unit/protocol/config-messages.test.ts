// DescribeConfigs, AlterConfigs and DeleteRecords: golden request bytes from kafkajs 2.2.4's encoders at
// every version both sides support.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kjsBody } from '../../helpers/kafkajs-oracle.js';
import { AlterConfigsRequest } from '../../../src/protocol/messages/alter-configs.js';
import { DeleteRecordsRequest } from '../../../src/protocol/messages/delete-records.js';
import { DescribeConfigsRequest } from '../../../src/protocol/messages/describe-configs.js';


test('DescribeConfigs v0-v2 requests match kafkajs byte for byte', async () => {
  for (const v of [0, 1, 2]) {
    const ours = DescribeConfigsRequest.toBuffer({
      resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] }, { resourceType: 2, resourceName: 'a', configurationKeys: null }],
      includeSynonyms: v >= 1,
    }, v);
    const theirs = await kjsBody('describeConfigs', v, {
      resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }, { type: 2, name: 'a', configNames: [] }], // kafkajs writes [] as null
      includeSynonyms: v >= 1,
    });
    assert.deepEqual(ours, theirs, `v${v}`);
  }
});

test('AlterConfigs v0-v1 requests match kafkajs byte for byte', async () => {
  for (const v of [0, 1]) {
    const ours = AlterConfigsRequest.toBuffer({
      resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '2000' }, { name: 'flush.policy', value: 'os' }] }],
      validateOnly: false,
    }, v);
    const theirs = await kjsBody('alterConfigs', v, {
      resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '2000' }, { name: 'flush.policy', value: 'os' }] }],
      validateOnly: false,
    });
    assert.deepEqual(ours, theirs, `v${v}`);
  }
});

test('DeleteRecords v0-v1 requests match kafkajs byte for byte', async () => {
  for (const v of [0, 1]) {
    const ours = DeleteRecordsRequest.toBuffer({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, offset: 42n }] }], timeoutMs: 7000 }, v);
    const theirs = await kjsBody('deleteRecords', v, { topics: [{ topic: 'orders', partitions: [{ partition: 2, offset: '42' }] }], timeout: 7000 });
    assert.deepEqual(ours, theirs, `v${v}`);
  }
});
