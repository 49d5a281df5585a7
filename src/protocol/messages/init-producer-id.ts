// InitProducerId (key 22), versions 0-1 (v1 is v0 on the wire; v2+ are flexible and v3+ carry the
// producer's current id and epoch for KIP-360 epoch bumps, not served yet).
//
//   InitProducerIdRequest v0-v1:
//     TransactionalId       NULLABLE_STRING      null for an idempotent (non-transactional) producer
//     TransactionTimeoutMs  INT32                -1 (librdkafka) or ignored without a transactional id
//
//   InitProducerIdResponse v0-v1:
//     ThrottleTimeMs        INT32
//     ErrorCode             INT16
//     ProducerId            INT64                -1 on error
//     ProducerEpoch         INT16                -1 on error
import { int16, int32, int64, nullableString, struct, type Infer } from '../codec.js';

export const InitProducerIdRequest = struct({
  transactionalId: nullableString,
  transactionTimeoutMs: int32,
});
export type InitProducerIdRequest = Infer<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = struct({
  throttleTimeMs: int32,
  errorCode: int16,
  producerId: int64,
  producerEpoch: int16,
});
export type InitProducerIdResponse = Infer<typeof InitProducerIdResponse>;
