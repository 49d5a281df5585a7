// The 61-byte RecordBatch v2 header, read and patched in place without decoding records.
//
//   off  field                 type     notes
//   0    BaseOffset            INT64    rewritten by the broker (outside the CRC)
//   8    BatchLength           INT32    bytes after this field (total batch size - 12)
//   12   PartitionLeaderEpoch  INT32    rewritten by the broker (outside the CRC)
//   16   Magic                 INT8     2
//   17   CRC                   UINT32   CRC-32C of bytes [21, end)
//   21   Attributes            INT16    bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control
//   23   LastOffsetDelta       INT32
//   27   BaseTimestamp         INT64
//   35   MaxTimestamp          INT64
//   43   ProducerId            INT64
//   51   ProducerEpoch         INT16
//   53   BaseSequence          INT32
//   57   RecordsCount          INT32
//   61   Records ...
import { crc32c } from '@node-rs/crc32';

export const BATCH_HEADER_BYTES = 61;
/** BaseOffset + BatchLength: the bytes before the part BatchLength counts. */
export const LOG_OVERHEAD = 12;
export const OFF_BASE_OFFSET = 0;
export const OFF_BATCH_LENGTH = 8;
export const OFF_LEADER_EPOCH = 12;
export const OFF_MAGIC = 16;
export const OFF_CRC = 17;
export const OFF_ATTRIBUTES = 21;
export const OFF_LAST_OFFSET_DELTA = 23;
export const OFF_BASE_TIMESTAMP = 27;
export const OFF_MAX_TIMESTAMP = 35;
export const OFF_PRODUCER_ID = 43;
export const OFF_PRODUCER_EPOCH = 51;
export const OFF_BASE_SEQUENCE = 53;
export const OFF_RECORDS_COUNT = 57;
export const CRC_START = 21;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

/** Total size of the batch starting at `at` (BatchLength + 12), or -1 when fewer than 12 bytes remain. */
export function batchSizeAt(buf: Buffer, at = 0): number {
  if (buf.length - at < LOG_OVERHEAD) return -1;
  return buf.readInt32BE(at + OFF_BATCH_LENGTH) + LOG_OVERHEAD;
}

export function baseOffsetAt(buf: Buffer, at = 0): number {
  return Number(buf.readBigInt64BE(at + OFF_BASE_OFFSET));
}

export function lastOffsetDeltaAt(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA);
}

export function maxTimestampAt(buf: Buffer, at = 0): number {
  return Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP));
}

/** Rewrites BaseOffset and PartitionLeaderEpoch in place; both are outside the CRC. */
export function assignOffset(buf: Buffer, baseOffset: number, leaderEpoch: number, at = 0): void {
  buf.writeBigInt64BE(BigInt(baseOffset), at + OFF_BASE_OFFSET);
  buf.writeInt32BE(leaderEpoch, at + OFF_LEADER_EPOCH);
}

/** CRC-32C of the batch at [at, at + size) as stored vs computed. */
export function crcMatches(buf: Buffer, at: number, size: number): boolean {
  const stored = buf.readUInt32BE(at + OFF_CRC);
  return crc32c(buf.subarray(at + CRC_START, at + size)) >>> 0 === stored;
}

/** Computes and writes the CRC of a batch whose other fields are final. */
export function writeCrc(buf: Buffer, at = 0, size = buf.length - at): void {
  buf.writeUInt32BE(crc32c(buf.subarray(at + CRC_START, at + size)) >>> 0, at + OFF_CRC);
}

export type BatchProblem = { code: 'CORRUPT_MESSAGE' | 'INVALID_RECORD'; message: string };

/**
 * Checks one complete batch occupying exactly buf[at, at+size): magic, length, counts and CRC.
 * Returns null when the batch is sound. Never reads past `at + size`.
 */
export function validateBatch(buf: Buffer, at: number, size: number): BatchProblem | null {
  if (size < BATCH_HEADER_BYTES) return { code: 'CORRUPT_MESSAGE', message: `batch of ${size} bytes is shorter than the 61-byte header` };
  if (batchSizeAt(buf, at) !== size) return { code: 'CORRUPT_MESSAGE', message: 'BatchLength does not match the bytes sent' };
  const magic = buf.readInt8(at + OFF_MAGIC);
  if (magic === 0 || magic === 1) return { code: 'INVALID_RECORD', message: `message format v${magic} is not supported; use RecordBatch v2` };
  if (magic !== 2) return { code: 'CORRUPT_MESSAGE', message: `unknown magic byte ${magic}` };
  const count = buf.readInt32BE(at + OFF_RECORDS_COUNT);
  const lastDelta = buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA);
  if (count <= 0 || count !== lastDelta + 1) return { code: 'INVALID_RECORD', message: `RecordsCount ${count} does not match LastOffsetDelta ${lastDelta}` };
  if (!crcMatches(buf, at, size)) return { code: 'CORRUPT_MESSAGE', message: 'CRC-32C mismatch' };
  return null;
}
