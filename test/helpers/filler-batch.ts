// A valid RecordBatch v2 whose records section is filler bytes: enough for storage tests, which never
// decode records. No import-time side effects.
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_BASE_SEQUENCE, OFF_BASE_TIMESTAMP, OFF_BATCH_LENGTH, OFF_LAST_OFFSET_DELTA,
  OFF_MAGIC, OFF_MAX_TIMESTAMP, OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, writeCrc,
} from '../../src/protocol/batch-header.js';

export interface FillerBatchSpec {
  records?: number;
  /** Total batch size in bytes (header included); default 100. */
  sizeBytes?: number;
  maxTimestampMs?: number;
  /** Byte the records section is filled with, to tell batches apart. */
  fill?: number;
}

/** A valid batch as a producer sends it (BaseOffset 0, RecordsCount = LastOffsetDelta + 1, CRC set). */
export function fillerBatch(spec: FillerBatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const buf = Buffer.alloc(Math.max(spec.sizeBytes ?? 100, BATCH_HEADER_BYTES));
  const maxTs = spec.maxTimestampMs ?? 1_700_000_000_000;
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  buf.writeInt8(2, OFF_MAGIC);
  buf.writeInt32BE(records - 1, OFF_LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(maxTs), OFF_BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(maxTs), OFF_MAX_TIMESTAMP);
  buf.writeBigInt64BE(-1n, OFF_PRODUCER_ID);
  buf.writeInt16BE(-1, OFF_PRODUCER_EPOCH);
  buf.writeInt32BE(-1, OFF_BASE_SEQUENCE);
  buf.writeInt32BE(records, OFF_RECORDS_COUNT);
  buf.fill(spec.fill ?? 0x61, BATCH_HEADER_BYTES);
  writeCrc(buf);
  return buf;
}
