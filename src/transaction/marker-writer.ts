// What the transaction coordinator needs from the partitions to finish a transaction: a COMMIT or ABORT
// control batch (PROTOCOL.md §3.5) appended for the producer on each of its partitions. Implemented by the
// broker (WriteTxnMarkers to each partition's leader, or a local append); the coordinator only retries.
import type { TxnTopicPartition } from './transaction-record.js';

export interface TxnMarkers {
  producerId: bigint;
  producerEpoch: number;
  /** true = COMMIT, false = ABORT. */
  commit: boolean;
  /** Written into each marker; lets a partition refuse a stale coordinator's markers. */
  coordinatorEpoch: number;
  partitions: readonly TxnTopicPartition[];
}

export interface MarkerResult extends TxnTopicPartition { errorCode: number }

/**
 * Writes markers; answers one result per partition asked about. The coordinator reads the codes as:
 *   0                                     written (writing the same marker again is harmless);
 *   UNKNOWN_TOPIC_OR_PARTITION (3)        the topic or partition is gone (deleted): nothing to mark.
 *                                         Answer it only then, not for a partition whose leader is unknown;
 *   TRANSACTION_COORDINATOR_FENCED (52)   a newer coordinator took over: this one stops;
 *   INVALID_PRODUCER_EPOCH (47)           the partition already saw a newer epoch of the producer: nothing to mark;
 *   anything else, a missing result or a rejection: retried with backoff.
 */
export interface MarkerWriter {
  writeMarkers(markers: TxnMarkers): Promise<MarkerResult[]>;
}
