// What the producer's parts share: the resolved producer settings, the record batch as it moves from
// open (being filled) to ready (encoded, queued) to in flight, the per-partition queue that keeps a
// partition's batches in order, and the record checks and errors of the produce path.
import type { RecordBatchBuilder } from '../protocol/record-batch-builder.js';
import { MqError } from '../util/mq-error.js';
import type { IdempotenceMode } from './producer-idempotence.js';
import type { RawTarget } from './producer-raw.js';
import type { DeliveryReport, ProducerRecord } from './types.js';

/** How long records wait for an unknown or leaderless topic's metadata before they are rejected. */
export const METADATA_WAIT_MS = 5000;
/** A batch not acknowledged this long after it was opened fails (Kafka's delivery.timeout.ms). */
export const DELIVERY_TIMEOUT_MS = 120_000;
/** Soft cap on the records bytes in one ProduceRequest (Kafka's max.request.size). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Per-record bookkeeping counted against bufferMemory on top of key, value and headers. */
const RECORD_OVERHEAD_BYTES = 32;

/** The producer options with their defaults applied. */
export interface ProducerSettings {
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  retries: number;
  retryBackoffMs: number;
  compression: 'none' | 'gzip';
  maxInFlight: number;
  timeoutMs: number;
  produceRequestTimeoutMs: number;
  /** Batches of one partition in flight at once: 1 unless retries are off (nothing can be reordered then). */
  perPartitionInFlight: number;
  /** Producer id, epoch and sequences stamped into every batch (producer-idempotence.ts). */
  idempotence: IdempotenceMode;
  /** Kafka's transactional.id (producer-transactions.ts), or null; and the transaction timeout sent with it. */
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface Batch {
  topic: string;
  partition: number;
  builder: RecordBatchBuilder | null;
  /** The encoded batch, once closed. */
  bytes: Buffer | null;
  /** Per record: who to tell, the caller's tag and the CreateTime. */
  reports: DeliveryReport[];
  tags: number[];
  timestamps: number[];
  createdAt: number;
  /** Sends so far. */
  attempts: number;
  retryAt: number;
  /** Bytes counted against bufferMemory. */
  accounted: number;
  lastError: MqError | null;
  /** Per record: whether the caller named the partition; null while none did. */
  explicit: boolean[] | null;
  /**
   * A batch of raw records (producer-raw.ts) has their target here and no per-record entries above:
   * `rawRecords` records with `rawBytes` bytes of keys and values, all reported to raw.report at once.
   */
  raw: RawTarget | null;
  rawRecords: number;
  rawBytes: number;
  /** The producer id generation the batch was stamped under (producer-idempotence.ts; 0: not stamped), and its BaseSequence. */
  stampGeneration: number;
  baseSequence: number;
}

/** Records in `b`. */
export function batchRecords(b: Batch): number {
  return b.reports.length + b.rawRecords;
}

export interface PartitionQueue {
  topic: string;
  partition: number;
  open: Batch | null;
  ready: Batch[];
  inFlight: number;
}

/** Why a record cannot be sent, or null. */
export function invalidRecord(record: ProducerRecord): MqError | null {
  if (typeof record.topic !== 'string' || record.topic.length === 0) return new MqError('INVALID_TOPIC_EXCEPTION', 'a record needs a topic');
  if (record.timestamp !== undefined && !Number.isSafeInteger(record.timestamp)) {
    return new MqError('INVALID_TIMESTAMP', `record timestamp ${String(record.timestamp)} is not an integer number of ms`);
  }
  if (record.value !== null && !Buffer.isBuffer(record.value)) return new MqError('INVALID_RECORD', 'a record value must be a Buffer or null');
  return null;
}

/** The bytes a record counts against bufferMemory. */
export function recordBytes(r: ProducerRecord): number {
  let n = RECORD_OVERHEAD_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const h of r.headers) n += h.key.length + (h.value?.length ?? 0) + 4;
  return n;
}

/** The error of a record sent to a decommissioned partition by name. */
export function decommissionedError(topic: string, partition: number): MqError {
  return new MqError('PARTITION_DECOMMISSIONED', `partition ${topic}-${partition} is decommissioned: it takes no new records`, {
    hint: `Produce without a partition (keys are re-routed to the topic's active partitions), or take it back into use with \`mq topics recommission-partition ${topic} ${partition}\` (until it is deleted).`,
  });
}
