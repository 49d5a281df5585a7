// Sample values of the transaction APIs (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, WriteTxnMarkers,
// TxnOffsetCommit, DescribeTransactions, ListTransactions), for the round trips of every message in
// messages.test.ts and transaction-messages.test.ts.
import { ApiKey } from '../../../src/protocol/api.js';

export const transactionSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.AddPartitionsToTxn]: {
    request: () => ({ transactionalId: 'orders-tx', producerId: 4001n, producerEpoch: 3, topics: [{ name: 'orders', partitions: [0, 2] }, { name: 'audit', partitions: [5] }] }),
    response: () => ({
      throttleTimeMs: 0,
      resultsByTopic: [{ name: 'orders', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }, { partitionIndex: 2, partitionErrorCode: 51 }] }],
    }),
  },
  [ApiKey.AddOffsetsToTxn]: {
    request: () => ({ transactionalId: 'orders-tx', producerId: 4001n, producerEpoch: 3, groupId: 'billing' }),
    response: (v) => ({ throttleTimeMs: 5, errorCode: v >= 2 ? 90 : 47 }),
  },
  [ApiKey.EndTxn]: {
    request: () => ({ transactionalId: 'orders-tx', producerId: 4001n, producerEpoch: 3, committed: true }),
    response: () => ({ throttleTimeMs: 0, errorCode: 48 }),
  },
  [ApiKey.WriteTxnMarkers]: {
    request: () => ({
      markers: [
        { producerId: 4001n, producerEpoch: 3, transactionResult: true, topics: [{ name: 'orders', partitionIndexes: [0, 2] }], coordinatorEpoch: 7 },
        { producerId: 4002n, producerEpoch: 0, transactionResult: false, topics: [], coordinatorEpoch: 7 },
      ],
    }),
    response: () => ({
      markers: [{ producerId: 4001n, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 6 }] }] }],
    }),
  },
  [ApiKey.TxnOffsetCommit]: {
    request: (v) => ({
      transactionalId: 'orders-tx', groupId: 'billing', producerId: 4001n, producerEpoch: 3,
      generationId: v >= 3 ? 12 : -1, memberId: v >= 3 ? 'consumer-1-7f3a' : '', groupInstanceId: v >= 3 ? 'static-1' : null,
      topics: [{ name: 'orders', partitions: [
        { partitionIndex: 0, committedOffset: 1234n, committedLeaderEpoch: v >= 2 ? 4 : -1, committedMetadata: null },
        { partitionIndex: 2, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: 'checkpoint' },
      ] }],
    }),
    response: () => ({ throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 16 }] }] }),
  },
  [ApiKey.DescribeTransactions]: {
    request: () => ({ transactionalIds: ['orders-tx', 'unknown-tx'] }),
    response: () => ({
      throttleTimeMs: 0,
      transactionStates: [
        {
          errorCode: 0, transactionalId: 'orders-tx', transactionState: 'Ongoing', transactionTimeoutMs: 60000,
          transactionStartTimeMs: 1_765_000_000_000n, producerId: 4001n, producerEpoch: 3,
          topicPartitions: [{ name: 'orders', partitionIndexes: [0, 2] }],
        },
        {
          errorCode: 105, transactionalId: 'unknown-tx', transactionState: '', transactionTimeoutMs: 0,
          transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topicPartitions: [],
        },
      ],
    }),
  },
  [ApiKey.ListTransactions]: {
    request: () => ({ stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [4001n] }),
    response: () => ({
      throttleTimeMs: 0, errorCode: 0, unknownStateFilters: ['Bogus'],
      transactionStates: [{ transactionalId: 'orders-tx', producerId: 4001n, transactionState: 'Ongoing' }],
    }),
  },
};
