// AlterPartitionReassignments (45), ListPartitionReassignments (46) and IncrementalAlterConfigs (44):
// registration, round trips, and golden bytes. The flexible ones are checked against kafkajs 2.2.4's own
// encoder and decoder (its v0 request bodies start with the header's tagged fields, as ours do), plus
// bytes written out by hand from Kafka's JSON schemas.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiKey, apiSpec } from '../../../src/protocol/api.js';
import { errorCodeOf } from '../../../src/protocol/error-codes.js';
import { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../../../src/protocol/messages/alter-partition-reassignments.js';
import { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../../../src/protocol/messages/list-partition-reassignments.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../../src/protocol/messages/incremental-alter-configs.js';
import { flexible } from '../../../src/protocol/flexible.js';
import { int32 } from '../../../src/protocol/codec.js';
import { Reader } from '../../../src/protocol/reader.js';
import { roundTrip, wireBytes } from '../../helpers/wire-check.js';

const require = createRequire(import.meta.url);
const kjs = (path: string) => require(`kafkajs/src/protocol/requests/${path}`);
// kafkajs writes and reads the flexible header's tagged fields (one 0 byte, none) as part of a message
// body; mq's server and connection handle them in the header (ApiSpec.flexibleFrom).
const HEADER_TAGS = Buffer.from([0]);
const bodyOf = (kafkajsBytes: Buffer): Buffer => {
  assert.equal(kafkajsBytes[0], 0, 'kafkajs writes an empty header tag section first');
  return kafkajsBytes.subarray(1);
};
const forKafkajs = (body: Buffer): Buffer => Buffer.concat([HEADER_TAGS, body]);

describe('reassignment and incremental config schemas', () => {
  test('registered as keys 44-46: IncrementalAlterConfigs v0-1 (flexible from v1), the reassignment APIs v0', () => {
    for (const [key, name, req, res, max] of [
      [44, 'IncrementalAlterConfigs', IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1],
      [45, 'AlterPartitionReassignments', AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, 0],
      [46, 'ListPartitionReassignments', ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, 0],
    ] as const) {
      const spec = apiSpec(key)!;
      assert.deepEqual([spec.name, spec.minVersion, spec.maxVersion], [name, 0, max]);
      assert.equal(spec.request, req);
      assert.equal(spec.response, res);
    }
    assert.equal(ApiKey.AlterPartitionReassignments, 45);
  });

  test('round trips, cancel (null replicas) and null topic lists included', () => {
    roundTrip(AlterPartitionReassignmentsRequest, {
      timeoutMs: 5000, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, replicas: [1, 2, 3] }, { partitionIndex: 1, replicas: null }] }],
    }, 0);
    roundTrip(AlterPartitionReassignmentsResponse, {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      responses: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 85, errorMessage: 'not moving' }] }],
    }, 0);
    roundTrip(ListPartitionReassignmentsRequest, { timeoutMs: 1, topics: null }, 0);
    roundTrip(ListPartitionReassignmentsRequest, { timeoutMs: 1, topics: [{ name: 'é', partitionIndexes: [0, 7] }] }, 0);
    roundTrip(ListPartitionReassignmentsResponse, {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 2, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [1] }] }],
    }, 0);
    roundTrip(IncrementalAlterConfigsRequest, {
      resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'follower.replication.throttled.rate', configOperation: 0, value: '1000' }] }],
      validateOnly: false,
    }, 0);
    roundTrip(IncrementalAlterConfigsResponse, { throttleTimeMs: 0, responses: [{ errorCode: 40, errorMessage: 'x', resourceType: 4, resourceName: '1' }] }, 0);
  });

  test('AlterPartitionReassignments request: the bytes kafkajs writes, and by hand', async () => {
    const topics = [{ topic: 'ab', partitionAssignment: [{ partition: 3, replicas: [1, 2] }] }];
    const theirs = bodyOf((await kjs('alterPartitionReassignments/v0/request.js')({ topics, timeout: 7000 }).encode()).buffer);
    const value = { timeoutMs: 7000, topics: [{ name: 'ab', partitions: [{ partitionIndex: 3, replicas: [1, 2] }] }] };
    assert.deepEqual(AlterPartitionReassignmentsRequest.toBuffer(value, 0), theirs);
    assert.deepEqual(AlterPartitionReassignmentsRequest.fromBuffer(theirs, 0), value);
    // TimeoutMs, Topics (1+1), Name (2+1) "ab", Partitions (1+1), index 3, Replicas (2+1) 1 2, tags x3
    const byHand = Buffer.concat([wireBytes([4, 7000]), Buffer.from([2, 3]), Buffer.from('ab'), Buffer.from([2]),
      wireBytes([4, 3]), Buffer.from([3]), wireBytes([4, 1], [4, 2]), Buffer.from([0, 0, 0])]);
    assert.deepEqual(theirs, byHand);
    // Cancel: Replicas is a null COMPACT_ARRAY (0).
    const cancel = AlterPartitionReassignmentsRequest.toBuffer({ timeoutMs: 1, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, replicas: null }] }] }, 0);
    assert.deepEqual(cancel, Buffer.concat([wireBytes([4, 1]), Buffer.from([2, 2]), Buffer.from('a'), Buffer.from([2]), wireBytes([4, 0]), Buffer.from([0, 0, 0, 0])]));
  });

  test('AlterPartitionReassignments response: kafkajs decodes ours, errors per partition', async () => {
    const body = AlterPartitionReassignmentsResponse.toBuffer({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      responses: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }, { partitionIndex: 1, errorCode: 85, errorMessage: 'not moving' }] }],
    }, 0);
    const response = kjs('alterPartitionReassignments/v0/response.js');
    const decoded = await response.decode(forKafkajs(body));
    assert.deepEqual(decoded.responses, [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 85 }] }]);
    await assert.rejects(response.parse(decoded), /Errors altering partition reassignments/);
  });

  test('ListPartitionReassignments: kafkajs writes our request bytes (null topics too) and reads our answer', async () => {
    const request = kjs('listPartitionReassignments/v0/request.js');
    const all = bodyOf((await request({ topics: null, timeout: 5000 }).encode()).buffer);
    assert.deepEqual(ListPartitionReassignmentsRequest.fromBuffer(all, 0), { timeoutMs: 5000, topics: null });
    assert.deepEqual(all, Buffer.concat([wireBytes([4, 5000]), Buffer.from([0, 0])]));
    const some = bodyOf((await request({ topics: [{ topic: 't', partitions: [0, 2] }], timeout: 5 }).encode()).buffer);
    assert.deepEqual(ListPartitionReassignmentsRequest.toBuffer({ timeoutMs: 5, topics: [{ name: 't', partitionIndexes: [0, 2] }] }, 0), some);
    const body = ListPartitionReassignmentsResponse.toBuffer({
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 2, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [1] }] }],
    }, 0);
    const decoded = await kjs('listPartitionReassignments/v0/response.js').decode(forKafkajs(body));
    assert.deepEqual(decoded.topics, [{ name: 't', partitions: [{ partition: 2, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [1] }] }]);
  });

  test('IncrementalAlterConfigs v0 golden bytes (classic encoding)', () => {
    const buf = IncrementalAlterConfigsRequest.toBuffer({
      resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'r', configOperation: 1, value: null }] }], validateOnly: true,
    }, 0);
    assert.deepEqual(buf, wireBytes([4, 1], [1, 4], '1', [4, 1], 'r', [1, 1], null, [1, 1]));
  });

  test('IncrementalAlterConfigs v1 golden bytes (compact encoding, tagged fields after each struct)', () => {
    const buf = IncrementalAlterConfigsRequest.toBuffer({
      resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'r', configOperation: 1, value: null }] }], validateOnly: true,
    }, 1);
    // resources [1] | type 4 | name "1" | configs [1] | name "r" | op 1 | value null | tags | tags | validateOnly | tags
    assert.deepEqual([...buf], [0x02, 4, 0x02, 0x31, 0x02, 0x02, 0x72, 1, 0x00, 0x00, 0x00, 1, 0x00]);
    assert.deepEqual(IncrementalAlterConfigsRequest.fromBuffer(buf, 1).resources[0].configs[0], { name: 'r', configOperation: 1, value: null });
  });

  test('compact codecs refuse a count the bytes cannot hold', () => {
    assert.throws(() => flexible(0).nullableArray(int32).decode(new Reader(Buffer.from([0x7f, 0, 0, 0, 0])), 0), /cannot fit/);
  });

  test('REASSIGNMENT_IN_PROGRESS (60) and NO_REASSIGNMENT_IN_PROGRESS (85) are in the error table', () => {
    assert.equal(errorCodeOf('REASSIGNMENT_IN_PROGRESS'), 60);
    assert.equal(errorCodeOf('NO_REASSIGNMENT_IN_PROGRESS'), 85);
  });
});
