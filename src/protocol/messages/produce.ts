// Produce (key 0), versions 3-7 (v3 is the first to carry RecordBatch v2; v4-v7 share its request layout).
//
//   ProduceRequest v3-v7:
//     TransactionalId     NULLABLE_STRING        null unless transactional producer
//     Acks                INT16                  0 = no response, 1 = leader only, -1 = all ISR
//     TimeoutMs           INT32
//     TopicData           ARRAY
//       Name              STRING
//       PartitionData     ARRAY
//         Index           INT32
//         Records         RECORDS                exactly one magic-2 RecordBatch
//
//   ProduceResponse v3-v7:
//     Responses           ARRAY
//       Name              STRING
//       PartitionResponses ARRAY
//         Index           INT32
//         ErrorCode       INT16
//         BaseOffset      INT64                  -1 on error
//         LogAppendTimeMs INT64                  -1 unless the topic uses LogAppendTime
//         LogStartOffset  INT64     {v5+}
//     ThrottleTimeMs      INT32                  (last field)
//
// Records decode to a view of the request buffer; encoding takes a Buffer or Buffer[] without copying.
import { array, int16, int32, int64, nullableString, records, since, string, struct, type Infer } from '../codec.js';

export const ProduceRequest = struct({
  transactionalId: nullableString,
  acks: int16,
  timeoutMs: int32,
  topicData: array(struct({
    name: string,
    partitionData: array(struct({
      index: int32,
      records,
    })),
  })),
});
export type ProduceRequest = Infer<typeof ProduceRequest>;

export const ProduceResponse = struct({
  responses: array(struct({
    name: string,
    partitionResponses: array(struct({
      index: int32,
      errorCode: int16,
      baseOffset: int64,
      logAppendTimeMs: int64,
      logStartOffset: since(5, int64, -1n),
    })),
  })),
  throttleTimeMs: int32,
});
export type ProduceResponse = Infer<typeof ProduceResponse>;
