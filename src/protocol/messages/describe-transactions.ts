// DescribeTransactions (key 65), version 0 (flexible from v0, KIP-664): the coordinator's state of each
// named transactional id. Each coordinator answers only for the ids it owns (NOT_COORDINATOR for the
// others, TRANSACTIONAL_ID_NOT_FOUND for unknown ones); admin clients ask each id's coordinator.
//
//   DescribeTransactionsRequest v0:
//     TransactionalIds    COMPACT_ARRAY of COMPACT_STRING   empty = no results
//     TAGGED_FIELDS
//
//   DescribeTransactionsResponse v0:
//     ThrottleTimeMs      INT32
//     TransactionStates   COMPACT_ARRAY
//       ErrorCode         INT16
//       TransactionalId   COMPACT_STRING
//       TransactionState  COMPACT_STRING    Empty | Ongoing | PrepareCommit | PrepareAbort | CompleteCommit | CompleteAbort | Dead
//       TransactionTimeoutMs INT32
//       TransactionStartTimeMs INT64        -1 when no transaction is under way
//       ProducerId        INT64
//       ProducerEpoch     INT32             (an INT32 here, unlike everywhere else)
//       TopicPartitions   COMPACT_ARRAY     the transaction's partitions (while Prepare*: those without markers yet)
//         Name            COMPACT_STRING
//         PartitionIndexes COMPACT_ARRAY of INT32
//         TAGGED_FIELDS
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(0);

export const DescribeTransactionsRequest = f.struct({
  transactionalIds: f.array(f.string),
});
export type DescribeTransactionsRequest = Infer<typeof DescribeTransactionsRequest>;

export const DescribeTransactionsResponse = f.struct({
  throttleTimeMs: int32,
  transactionStates: f.array(f.struct({
    errorCode: int16,
    transactionalId: f.string,
    transactionState: f.string,
    transactionTimeoutMs: int32,
    transactionStartTimeMs: int64,
    producerId: int64,
    producerEpoch: int32,
    topicPartitions: f.array(f.struct({ name: f.string, partitionIndexes: f.array(int32) })),
  })),
});
export type DescribeTransactionsResponse = Infer<typeof DescribeTransactionsResponse>;
