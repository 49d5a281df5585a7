// A valid RecordBatch v2 of an exact size for storage and replication tests. By default its records section
// is filler bytes (the fill byte right after the header tells batches apart): enough for Log tests, which
// never decode records, but refused by a broker's record validation on Produce. With `decodable`, it
// holds real records instead (null keys, values of the fill byte, padded to exactly `sizeBytes`) when that
// many fit in that size (7 bytes per record at least). No import-time side effects.
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_BASE_SEQUENCE, OFF_BASE_TIMESTAMP, OFF_BATCH_LENGTH, OFF_LAST_OFFSET_DELTA,
  OFF_MAGIC, OFF_MAX_TIMESTAMP, OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, writeCrc,
} from '../../src/protocol/batch-header.js';
import { varintBytes, writeVarint } from '../../src/protocol/record-batch-builder.js';

export interface FillerBatchSpec {
  records?: number;
  /** Total batch size in bytes (header included); default 100. */
  sizeBytes?: number;
  maxTimestampMs?: number;
  /** Byte the records section is filled with, to tell batches apart. */
  fill?: number;
  /** Real records (that a broker accepts on Produce) instead of filler bytes. */
  decodable?: boolean;
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
  if (spec.decodable) writeRecords(buf, records);
  writeCrc(buf);
  return buf;
}

/** Bytes after the Length of a record with offset delta `i`, a key of `keyBytes` (-1: null) and a value of `valueBytes`. */
function recordBody(i: number, keyBytes: number, valueBytes: number): number {
  return 2 + varintBytes(i) + (keyBytes < 0 ? 1 : varintBytes(keyBytes) + keyBytes) + varintBytes(valueBytes) + valueBytes + 1;
}

function recordBytes(i: number, keyBytes: number, valueBytes: number): number {
  const body = recordBody(i, keyBytes, valueBytes);
  return varintBytes(body) + body;
}

/** Writes `count` records over the filler (it stays as key and value bytes) when they fit exactly. */
function writeRecords(buf: Buffer, count: number): void {
  let room = buf.length - BATCH_HEADER_BYTES;
  for (let i = 0; i < count - 1; i++) room -= recordBytes(i, -1, 0);
  const last = count - 1;
  let fit: [number, number] | null = null;
  for (let value = Math.max(0, room); value >= 0 && fit === null; value--) {
    for (const key of [-1, 1, 2]) if (recordBytes(last, key, value) === room) { fit = [key, value]; break; }
  }
  if (fit === null) return;
  let at = BATCH_HEADER_BYTES;
  const write = (i: number, key: number, value: number): void => {
    at = writeVarint(buf, at, recordBody(i, key, value));
    buf[at++] = 0; // attributes
    buf[at++] = 0; // timestamp delta 0
    at = writeVarint(buf, at, i);
    at = writeVarint(buf, at, key);
    if (key > 0) at += key; // the fill byte stays as the key
    at = writeVarint(buf, at, value);
    at += value; // the fill byte stays as the value
    buf[at++] = 0; // no headers
  };
  for (let i = 0; i < last; i++) write(i, -1, 0);
  write(last, fit[0], fit[1]);
}
