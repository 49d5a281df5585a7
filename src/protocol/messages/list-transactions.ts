// ListTransactions (key 66), version 0 (flexible from v0, KIP-664): the transactional ids a coordinator
// owns, filtered by state and producer id. Admin clients ask every broker and concatenate. Kafka's v1
// (DurationFilter) is not served.
//
//   ListTransactionsRequest v0:
//     StateFilters        COMPACT_ARRAY of COMPACT_STRING   empty = every state
//     ProducerIdFilters   COMPACT_ARRAY of INT64            empty = every producer id
//     TAGGED_FIELDS
//
//   ListTransactionsResponse v0:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     UnknownStateFilters COMPACT_ARRAY of COMPACT_STRING   the request's state filters that name no state
//     TransactionStates   COMPACT_ARRAY
//       TransactionalId   COMPACT_STRING
//       ProducerId        INT64
//       TransactionState  COMPACT_STRING
//       TAGGED_FIELDS
//     TAGGED_FIELDS
import { int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

const f = flexible(0);

export const ListTransactionsRequest = f.struct({
  stateFilters: f.array(f.string),
  producerIdFilters: f.array(int64),
});
export type ListTransactionsRequest = Infer<typeof ListTransactionsRequest>;

export const ListTransactionsResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
  unknownStateFilters: f.array(f.string),
  transactionStates: f.array(f.struct({ transactionalId: f.string, producerId: int64, transactionState: f.string })),
});
export type ListTransactionsResponse = Infer<typeof ListTransactionsResponse>;
