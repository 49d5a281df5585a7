// AddOffsetsToTxn (key 25), versions 0-3 (v1 is v0 on the wire; v2 lets the coordinator answer
// PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH; v3 is the first flexible version). A transactional
// producer adds a consumer group before it sends that group's offsets (TxnOffsetCommit), so the offsets
// are committed or dropped with the transaction.
//
//   AddOffsetsToTxnRequest v0-v3:
//     TransactionalId     STRING (COMPACT {v3+})
//     ProducerId          INT64
//     ProducerEpoch       INT16
//     GroupId             STRING (COMPACT {v3+})
//     TAGGED_FIELDS                                 {v3+}
//
//   AddOffsetsToTxnResponse v0-v3:
//     ThrottleTimeMs      INT32
//     ErrorCode           INT16
//     TAGGED_FIELDS                                 {v3+}
import { int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const ADD_OFFSETS_TO_TXN_FLEXIBLE_FROM = 3;
const f = flexible(ADD_OFFSETS_TO_TXN_FLEXIBLE_FROM);

export const AddOffsetsToTxnRequest = f.struct({
  transactionalId: f.string,
  producerId: int64,
  producerEpoch: int16,
  groupId: f.string,
});
export type AddOffsetsToTxnRequest = Infer<typeof AddOffsetsToTxnRequest>;

export const AddOffsetsToTxnResponse = f.struct({
  throttleTimeMs: int32,
  errorCode: int16,
});
export type AddOffsetsToTxnResponse = Infer<typeof AddOffsetsToTxnResponse>;
