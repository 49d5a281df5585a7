// Produce (key 0), versions 0-7. v3 is the first to carry RecordBatch v2 and the versions mq's and
// every modern client send; v0-v2 are served because librdkafka 2.0.2 (Debian's kcat) compresses with gzip
// or snappy only when the broker's Produce range includes v0 (it checks Produce 0..0 for those codecs and
// otherwise logs "Broker does not support compression type gzip" and sends the batch uncompressed). Like Kafka, a v0-v2 request
// is validated by its batch, not its version: a legacy (magic 0/1) message set is INVALID_RECORD.
//
//   ProduceRequest v0-v7:
//     TransactionalId     NULLABLE_STRING  {v3+} null unless transactional producer
//     Acks                INT16                  0 = no response, 1 = leader only, -1 = all ISR
//     TimeoutMs           INT32
//     TopicData           ARRAY
//       Name              STRING
//       PartitionData     ARRAY
//         Index           INT32
//         Records         RECORDS                exactly one magic-2 RecordBatch
//
//   ProduceResponse v0-v7:
//     Responses           ARRAY
//       Name              STRING
//       PartitionResponses ARRAY
//         Index           INT32
//         ErrorCode       INT16
//         BaseOffset      INT64                  -1 on error
//         LogAppendTimeMs INT64     {v2+}        -1 unless the topic uses LogAppendTime
//         LogStartOffset  INT64     {v5+}
//     ThrottleTimeMs      INT32     {v1+}        (last field)
//
// Records decode to a view of the request buffer; encoding takes a Buffer or Buffer[] without copying.
import { array, int16, int32, int64, nullableString, records, since, string, struct, type Infer } from '../codec.js';

export const ProduceRequest = struct({
  transactionalId: since(3, nullableString, null),
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
      logAppendTimeMs: since(2, int64, -1n),
      logStartOffset: since(5, int64, -1n),
    })),
  })),
  throttleTimeMs: since(1, int32, 0),
});
export type ProduceResponse = Infer<typeof ProduceResponse>;
