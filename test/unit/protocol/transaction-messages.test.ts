// Transaction wire schemas (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, WriteTxnMarkers, TxnOffsetCommit,
// DescribeTransactions, ListTransactions): registry ranges, round trips at every version, golden request
// bytes from kafkajs 2.2.4's encoders (v0-v1, the versions it implements), our responses through its
// decoders, and hand-written bytes for the flexible versions kafkajs does not speak.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kjsBody, kjsResponse } from '../../helpers/kafkajs-oracle.js';
import { roundTrip, wireBytes } from '../../helpers/wire-check.js';
import { ApiKey, advertisedApiVersions, apiSpec, isFlexible } from '../../../src/protocol/api.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../../src/protocol/messages/add-partitions-to-txn.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../../src/protocol/messages/add-offsets-to-txn.js';
import { EndTxnRequest, EndTxnResponse } from '../../../src/protocol/messages/end-txn.js';
import { WriteTxnMarkersRequest } from '../../../src/protocol/messages/write-txn-markers.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../../src/protocol/messages/txn-offset-commit.js';
import { DescribeTransactionsResponse } from '../../../src/protocol/messages/describe-transactions.js';
import { ListTransactionsRequest, ListTransactionsResponse } from '../../../src/protocol/messages/list-transactions.js';
import { transactionSamples } from './transaction-samples.js';

const txnApis = [
  ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.EndTxn, ApiKey.WriteTxnMarkers, ApiKey.TxnOffsetCommit,
  ApiKey.DescribeTransactions, ApiKey.ListTransactions,
];

function versionsOf(key: number): number[] {
  const spec = apiSpec(key)!;
  const out: number[] = [];
  for (let v = spec.minVersion; v <= spec.maxVersion; v++) out.push(v);
  return out;
}

describe('transaction messages: registry and round trips', () => {
  test('registered with Kafka keys, ranges and first flexible versions', () => {
    const ranges = Object.fromEntries(txnApis.map((k) => [k, [apiSpec(k)!.name, apiSpec(k)!.minVersion, apiSpec(k)!.maxVersion, apiSpec(k)!.flexibleFrom]]));
    assert.deepEqual(ranges, {
      24: ['AddPartitionsToTxn', 0, 3, 3], 25: ['AddOffsetsToTxn', 0, 3, 3], 26: ['EndTxn', 0, 3, 3], 27: ['WriteTxnMarkers', 0, 1, 1],
      28: ['TxnOffsetCommit', 0, 3, 3], 65: ['DescribeTransactions', 0, 0, 0], 66: ['ListTransactions', 0, 0, 0],
    });
    assert.equal(isFlexible(apiSpec(ApiKey.EndTxn)!, 2), false);
    assert.equal(isFlexible(apiSpec(ApiKey.EndTxn)!, 3), true);
  });

  test('not advertised by a broker without their handlers (the transaction wiring comes later)', () => {
    const served = new Set([ApiKey.Produce, ApiKey.Fetch, ApiKey.ApiVersions, ApiKey.InitProducerId]);
    const keys = advertisedApiVersions(served).map((a) => a.apiKey);
    for (const k of txnApis) assert.equal(keys.includes(k), false, `key ${k}`);
  });

  for (const key of txnApis) {
    const spec = apiSpec(key)!;
    test(`${spec.name} v${spec.minVersion}-v${spec.maxVersion}`, () => {
      for (const v of versionsOf(key)) {
        roundTrip(spec.request, transactionSamples[key].request(v), v);
        roundTrip(spec.response, transactionSamples[key].response(v), v);
      }
    });
  }

  test('TxnOffsetCommit: v2 adds CommittedLeaderEpoch, and below v3 the member fields decode to their defaults', () => {
    const value = transactionSamples[ApiKey.TxnOffsetCommit].request(3);
    assert.equal(TxnOffsetCommitRequest.toBuffer(value, 2).length - TxnOffsetCommitRequest.toBuffer(value, 1).length, 2 * 4);
    const v2 = TxnOffsetCommitRequest.fromBuffer(TxnOffsetCommitRequest.toBuffer(value, 2), 2);
    assert.deepEqual([v2.generationId, v2.memberId, v2.groupInstanceId], [-1, '', null]);
    assert.equal(v2.topics[0].partitions[0].committedLeaderEpoch, 4);
    assert.equal(TxnOffsetCommitRequest.fromBuffer(TxnOffsetCommitRequest.toBuffer(value, 1), 1).topics[0].partitions[0].committedLeaderEpoch, -1);
  });
});

describe('transaction messages: golden request bytes against kafkajs 2.2.4 encoders', () => {
  for (const v of [0, 1]) {
    test(`AddPartitionsToTxn v${v}`, async () => {
      const ours = AddPartitionsToTxnRequest.toBuffer({ transactionalId: 'tx-1', producerId: 77n, producerEpoch: 2, topics: [{ name: 'orders', partitions: [0, 3] }] }, v);
      const theirs = await kjsBody('addPartitionsToTxn', v, { transactionalId: 'tx-1', producerId: 77, producerEpoch: 2, topics: [{ topic: 'orders', partitions: [0, 3] }] });
      assert.deepEqual(ours, theirs);
    });
    test(`AddOffsetsToTxn v${v}`, async () => {
      const ours = AddOffsetsToTxnRequest.toBuffer({ transactionalId: 'tx-1', producerId: 77n, producerEpoch: 2, groupId: 'billing' }, v);
      assert.deepEqual(ours, await kjsBody('addOffsetsToTxn', v, { transactionalId: 'tx-1', producerId: 77, producerEpoch: 2, groupId: 'billing' }));
    });
    test(`EndTxn v${v}`, async () => {
      const ours = EndTxnRequest.toBuffer({ transactionalId: 'tx-1', producerId: 77n, producerEpoch: 2, committed: false }, v);
      assert.deepEqual(ours, await kjsBody('endTxn', v, { transactionalId: 'tx-1', producerId: 77, producerEpoch: 2, transactionResult: false }));
    });
    test(`TxnOffsetCommit v${v}`, async () => {
      const ours = TxnOffsetCommitRequest.toBuffer({
        transactionalId: 'tx-1', groupId: 'billing', producerId: 77n, producerEpoch: 2, generationId: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 99n, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
      }, v);
      const theirs = await kjsBody('txnOffsetCommit', v, {
        transactionalId: 'tx-1', groupId: 'billing', producerId: 77, producerEpoch: 2,
        topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: 99, metadata: 'm' }] }],
      });
      assert.deepEqual(ours, theirs);
    });
  }
});

describe('transaction messages: our responses as kafkajs 2.2.4 decodes them', () => {
  test('AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit v0-v1', async () => {
    for (const v of [0, 1]) {
      const apt = await kjsResponse('addPartitionsToTxn', v).decode(AddPartitionsToTxnResponse.toBuffer({
        throttleTimeMs: 0, resultsByTopic: [{ name: 'orders', resultsByPartition: [{ partitionIndex: 3, partitionErrorCode: 51 }] }],
      }, v));
      assert.deepEqual(apt.errors, [{ topic: 'orders', partitionErrors: [{ partition: 3, errorCode: 51 }] }]);
      const aot = await kjsResponse('addOffsetsToTxn', v).decode(AddOffsetsToTxnResponse.toBuffer({ throttleTimeMs: 0, errorCode: 49 }, v));
      assert.equal(aot.errorCode, 49);
      const end = await kjsResponse('endTxn', v).decode(EndTxnResponse.toBuffer({ throttleTimeMs: 0, errorCode: 48 }, v));
      assert.equal(end.errorCode, 48);
      const toc = await kjsResponse('txnOffsetCommit', v).decode(TxnOffsetCommitResponse.toBuffer({
        throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0 }] }],
      }, v));
      assert.deepEqual(toc.topics, [{ topic: 'orders', partitions: [{ partition: 1, errorCode: 0 }] }]);
    }
  });
});

describe('transaction messages: flexible versions byte by byte', () => {
  test('EndTxn v3: compact string, then one empty tagged-field section', () => {
    const ours = EndTxnRequest.toBuffer({ transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true }, 3);
    assert.deepEqual(ours, Buffer.concat([Buffer.from([3]), Buffer.from('tx'), wireBytes([8, 1n], [2, 0], [1, 1]), Buffer.from([0])]));
    assert.deepEqual(EndTxnResponse.toBuffer({ throttleTimeMs: 0, errorCode: 51 }, 3), wireBytes([4, 0], [2, 51], [1, 0]));
  });

  test('WriteTxnMarkers v1: markers with compact arrays and tagged fields at every level', () => {
    const ours = WriteTxnMarkersRequest.toBuffer({
      markers: [{ producerId: 9n, producerEpoch: 1, transactionResult: false, topics: [{ name: 't', partitionIndexes: [4] }], coordinatorEpoch: 2 }],
    }, 1);
    const expected = Buffer.concat([
      Buffer.from([2]), wireBytes([8, 9n], [2, 1], [1, 0]),
      Buffer.from([2, 2]), Buffer.from('t'), Buffer.from([2]), wireBytes([4, 4]), Buffer.from([0]),
      wireBytes([4, 2]), Buffer.from([0]),
      Buffer.from([0]),
    ]);
    assert.deepEqual(ours, expected);
    // v0: classic INT32 counts, INT16 string length, no tagged fields.
    const v0 = WriteTxnMarkersRequest.toBuffer({
      markers: [{ producerId: 9n, producerEpoch: 1, transactionResult: true, topics: [{ name: 't', partitionIndexes: [4] }], coordinatorEpoch: 2 }],
    }, 0);
    assert.deepEqual(v0, wireBytes([4, 1], [8, 9n], [2, 1], [1, 1], [4, 1], 't', [4, 1], [4, 4], [4, 2]));
  });

  test('ListTransactions v0: filters and UnknownStateFilters', () => {
    const req = ListTransactionsRequest.toBuffer({ stateFilters: ['Ongoing'], producerIdFilters: [] }, 0);
    assert.deepEqual(req, Buffer.concat([Buffer.from([2, 8]), Buffer.from('Ongoing'), Buffer.from([1, 0])]));
    const res = ListTransactionsResponse.toBuffer({
      throttleTimeMs: 0, errorCode: 0, unknownStateFilters: ['X'], transactionStates: [{ transactionalId: 'a', producerId: 5n, transactionState: 'Empty' }],
    }, 0);
    assert.deepEqual(res, Buffer.concat([
      wireBytes([4, 0], [2, 0]), Buffer.from([2, 2]), Buffer.from('X'),
      Buffer.from([2, 2]), Buffer.from('a'), wireBytes([8, 5n]), Buffer.from([6]), Buffer.from('Empty'), Buffer.from([0]),
      Buffer.from([0]),
    ]));
  });

  test('DescribeTransactions v0: ProducerEpoch is an INT32 on this wire', () => {
    const one = {
      errorCode: 0, transactionalId: 'a', transactionState: 'Empty', transactionTimeoutMs: 1000,
      transactionStartTimeMs: -1n, producerId: 5n, producerEpoch: 40000, topicPartitions: [],
    };
    const buf = DescribeTransactionsResponse.toBuffer({ throttleTimeMs: 0, transactionStates: [one] }, 0);
    assert.equal(DescribeTransactionsResponse.fromBuffer(buf, 0).transactionStates[0].producerEpoch, 40000);
  });
});
