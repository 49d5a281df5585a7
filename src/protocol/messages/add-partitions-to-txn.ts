// AddPartitionsToTxn (key 24), versions 0-3 (v1 is v0 on the wire; v2 lets the coordinator answer
// PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH; v3 is the first flexible version). A transactional
// producer names each partition before its first write to it in a transaction. Kafka's v4+ (brokers
// batching several transactions, VerifyOnly) are not served: Kafka calls the v0-3 fields
// "V3AndBelowTransactionalId" and so on; mq keeps the plain names.
//
//   AddPartitionsToTxnRequest v0-v3:
//     TransactionalId     STRING (COMPACT {v3+})
//     ProducerId          INT64
//     ProducerEpoch       INT16
//     Topics              ARRAY (COMPACT {v3+})
//       Name              STRING (COMPACT {v3+})
//       Partitions        ARRAY of INT32 (COMPACT {v3+})
//       TAGGED_FIELDS                               {v3+}
//     TAGGED_FIELDS                                 {v3+}
//
//   AddPartitionsToTxnResponse v0-v3:
//     ThrottleTimeMs      INT32
//     ResultsByTopic      ARRAY (COMPACT {v3+})     Kafka: ResultsByTopicV3AndBelow
//       Name              STRING (COMPACT {v3+})
//       ResultsByPartition ARRAY (COMPACT {v3+})
//         PartitionIndex  INT32
//         PartitionErrorCode INT16
//         TAGGED_FIELDS                             {v3+}
//       TAGGED_FIELDS                               {v3+}
//     TAGGED_FIELDS                                 {v3+}
import { int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const ADD_PARTITIONS_TO_TXN_FLEXIBLE_FROM = 3;
const f = flexible(ADD_PARTITIONS_TO_TXN_FLEXIBLE_FROM);

export const AddPartitionsToTxnRequest = f.struct({
  transactionalId: f.string,
  producerId: int64,
  producerEpoch: int16,
  topics: f.array(f.struct({ name: f.string, partitions: f.array(int32) })),
});
export type AddPartitionsToTxnRequest = Infer<typeof AddPartitionsToTxnRequest>;

export const AddPartitionsToTxnResponse = f.struct({
  throttleTimeMs: int32,
  resultsByTopic: f.array(f.struct({
    name: f.string,
    resultsByPartition: f.array(f.struct({ partitionIndex: int32, partitionErrorCode: int16 })),
  })),
});
export type AddPartitionsToTxnResponse = Infer<typeof AddPartitionsToTxnResponse>;
