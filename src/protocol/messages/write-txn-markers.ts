// WriteTxnMarkers (key 27), versions 0-1 (v1 is the first flexible version; Kafka 4.0 dropped v0 and
// added v2's TransactionVersion, not served). Sent by a transaction coordinator to the leaders of a
// transaction's partitions: each leader appends a COMMIT or ABORT control batch for the producer.
// Only brokers send it (ClusterAction on the cluster).
//
//   WriteTxnMarkersRequest v0-v1:
//     Markers             ARRAY (COMPACT {v1+})
//       ProducerId        INT64
//       ProducerEpoch     INT16
//       TransactionResult BOOLEAN                   false = ABORT, true = COMMIT
//       Topics            ARRAY (COMPACT {v1+})
//         Name            STRING (COMPACT {v1+})
//         PartitionIndexes ARRAY of INT32 (COMPACT {v1+})
//         TAGGED_FIELDS                             {v1+}
//       CoordinatorEpoch  INT32                     lets a partition refuse a stale coordinator's markers
//       TAGGED_FIELDS                               {v1+}
//     TAGGED_FIELDS                                 {v1+}
//
//   WriteTxnMarkersResponse v0-v1:
//     Markers             ARRAY (COMPACT {v1+})
//       ProducerId        INT64
//       Topics            ARRAY (COMPACT {v1+})
//         Name            STRING (COMPACT {v1+})
//         Partitions      ARRAY (COMPACT {v1+})
//           PartitionIndex INT32
//           ErrorCode     INT16
//           TAGGED_FIELDS                           {v1+}
//         TAGGED_FIELDS                             {v1+}
//       TAGGED_FIELDS                               {v1+}
//     TAGGED_FIELDS                                 {v1+}
import { boolean, int16, int32, int64, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const WRITE_TXN_MARKERS_FLEXIBLE_FROM = 1;
const f = flexible(WRITE_TXN_MARKERS_FLEXIBLE_FROM);

export const WriteTxnMarkersRequest = f.struct({
  markers: f.array(f.struct({
    producerId: int64,
    producerEpoch: int16,
    transactionResult: boolean,
    topics: f.array(f.struct({ name: f.string, partitionIndexes: f.array(int32) })),
    coordinatorEpoch: int32,
  })),
});
export type WriteTxnMarkersRequest = Infer<typeof WriteTxnMarkersRequest>;

export const WriteTxnMarkersResponse = f.struct({
  markers: f.array(f.struct({
    producerId: int64,
    topics: f.array(f.struct({
      name: f.string,
      partitions: f.array(f.struct({ partitionIndex: int32, errorCode: int16 })),
    })),
  })),
});
export type WriteTxnMarkersResponse = Infer<typeof WriteTxnMarkersResponse>;
