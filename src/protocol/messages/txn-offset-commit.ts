// TxnOffsetCommit (key 28), versions 0-3 (v1 is v0 on the wire; v2 adds CommittedLeaderEpoch; v3 is the
// first flexible version and adds the member's GenerationId, MemberId and GroupInstanceId so the group
// coordinator can fence a zombie consumer, KIP-447). Sent to the GROUP coordinator: the offsets stay
// pending until the transaction's markers commit or drop them.
//
//   TxnOffsetCommitRequest v0-v3:
//     TransactionalId     STRING (COMPACT {v3+})
//     GroupId             STRING (COMPACT {v3+})
//     ProducerId          INT64
//     ProducerEpoch       INT16
//     GenerationId        INT32                     {v3+}  default -1
//     MemberId            COMPACT_STRING            {v3+}  default ""
//     GroupInstanceId     COMPACT_NULLABLE_STRING   {v3+}  default null
//     Topics              ARRAY (COMPACT {v3+})
//       Name              STRING (COMPACT {v3+})
//       Partitions        ARRAY (COMPACT {v3+})
//         PartitionIndex  INT32
//         CommittedOffset INT64
//         CommittedLeaderEpoch INT32                {v2+}  default -1
//         CommittedMetadata NULLABLE_STRING (COMPACT {v3+})
//         TAGGED_FIELDS                             {v3+}
//       TAGGED_FIELDS                               {v3+}
//     TAGGED_FIELDS                                 {v3+}
//
//   TxnOffsetCommitResponse v0-v3:
//     ThrottleTimeMs      INT32
//     Topics              ARRAY (COMPACT {v3+})
//       Name              STRING (COMPACT {v3+})
//       Partitions        ARRAY (COMPACT {v3+})
//         PartitionIndex  INT32
//         ErrorCode       INT16
//         TAGGED_FIELDS                             {v3+}
//       TAGGED_FIELDS                               {v3+}
//     TAGGED_FIELDS                                 {v3+}
import { int16, int32, int64, since, type Infer } from '../codec.js';
import { flexible } from '../flexible.js';

/** The first flexible version (request header v2, response header v1 from here on). */
export const TXN_OFFSET_COMMIT_FLEXIBLE_FROM = 3;
const f = flexible(TXN_OFFSET_COMMIT_FLEXIBLE_FROM);

export const TxnOffsetCommitRequest = f.struct({
  transactionalId: f.string,
  groupId: f.string,
  producerId: int64,
  producerEpoch: int16,
  generationId: since(3, int32, -1),
  memberId: since(3, f.string, ''),
  groupInstanceId: since(3, f.nullableString, null),
  topics: f.array(f.struct({
    name: f.string,
    partitions: f.array(f.struct({
      partitionIndex: int32,
      committedOffset: int64,
      committedLeaderEpoch: since(2, int32, -1),
      committedMetadata: f.nullableString,
    })),
  })),
});
export type TxnOffsetCommitRequest = Infer<typeof TxnOffsetCommitRequest>;

export const TxnOffsetCommitResponse = f.struct({
  throttleTimeMs: int32,
  topics: f.array(f.struct({
    name: f.string,
    partitions: f.array(f.struct({ partitionIndex: int32, errorCode: int16 })),
  })),
});
export type TxnOffsetCommitResponse = Infer<typeof TxnOffsetCommitResponse>;
