// EndTxn (key 26), versions 0-3 (v1 is v0 on the wire; v2 lets the coordinator answer PRODUCER_FENCED
// instead of INVALID_PRODUCER_EPOCH; v3 is the first flexible version). Commits or aborts the producer's
// ongoing transaction. Kafka's v4+ (TRANSACTION_ABORTABLE, KIP-890 epoch bumps) are not served.
//
//   EndTxnRequest v0-v3:
//     TransactionalId     STRING (COMPACT {v3+})
//     ProducerId          INT64
//     ProducerEpoch       INT16
//     Committed           BOOLEAN                   true = commit, false = abort
//     TAGGED_FIELDS                                 {v3+}
//
//   EndTxnResponse v0-v3:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     TAGGED_FIELDS                                 {v3+}
import { boolean, int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const END_TXN_FLEXIBLE_FROM = 3;
const f = flexible(END_TXN_FLEXIBLE_FROM);

export const EndTxnRequest = f.struct({
  transactionalId: f.string,
  producerId: int64,
  producerEpoch: int16,
  committed: boolean,
});
export type EndTxnRequest = Infer<typeof EndTxnRequest>;

export const EndTxnResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
});
export type EndTxnResponse = Infer<typeof EndTxnResponse>;
