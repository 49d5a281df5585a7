// Record validation on produce (the broker's counterpart of Kafka's LogValidator): the one place where
// the broker reads inside a batch. The CRC only proves the bytes arrived as the producer wrote them, not
// that they are records; a batch whose RecordsCount claims 2^31-1 records, or whose body is garbage,
// would be stored and then fail every consumer for ever (and move the log end offset by its claim).
//
// What is checked, per record (layout in record-batch.ts):
//   - RecordsCount records are present, no more (no bytes left after the last one), none missing;
//   - Length is a VARINT of at most 5 bytes, at least the smallest possible record, and ends inside the
//     batch; the record's fields end exactly at Length;
//   - OffsetDelta is the record's index (0, 1, 2, ...), so LastOffsetDelta + 1 = RecordsCount (checked
//     in batch-header.ts) says where the next batch starts;
//   - KeyLength and ValueLength are -1 (null) or fit in the record; HeadersCount is not negative and
//     no more than the record's remaining bytes can hold (2 bytes per header at least); header keys are
//     never null; header values are -1 or fit.
// Uncompressed batches are walked in place with a cursor: no allocation per record, nothing decoded.
// Compressed batches (gzip, snappy, lz4) are decompressed with an output limit, then walked the same way.
//
// The output limit is max.message.bytes x DECOMPRESSION_RATIO (64): Kafka-style producers fill batches
// up to batch.size *before* compression (librdkafka) or estimate the compressed size (Java), so a real
// batch is at most max.message.bytes compressed at the codec's ratio; text and JSON compress 5-20x with
// gzip, so 64x leaves room for very repetitive data while a 1 MiB bomb can cost at most 64 MiB (the
// default max.message.bytes gives 67,109,632 bytes). MAX_DECOMPRESSED_BYTES caps topics with a large
// max.message.bytes, so a batch never needs more than 256 MiB of memory to check.
//
// zstd (codec 4) cannot be decompressed by Node 20's zlib, so its records are not walked; only its
// RecordsCount is bounded by what the inflated-size limit can hold (7 bytes per record at least), so a
// zstd batch cannot move the log end offset by 2^31 either.
import { gunzipSync } from 'node:zlib';
import {
  ATTR_COMPRESSION_MASK, BATCH_HEADER_BYTES, OFF_ATTRIBUTES, OFF_RECORDS_COUNT, type BatchProblem,
} from './batch-header.js';
import { lz4Decompress } from './lz4.js';
import { snappyDecompress } from './snappy.js';

/** How many times max.message.bytes a compressed batch may inflate to. */
export const DECOMPRESSION_RATIO = 64;
/** The ceiling on a compressed batch's inflated size, whatever max.message.bytes says. */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;
/** Attributes, TimestampDelta, OffsetDelta, KeyLength, ValueLength, HeadersCount: one byte each at least. */
const MIN_RECORD_BODY_BYTES = 6;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The inflated-size limit for a topic whose max.message.bytes is `maxMessageBytes`. */
export function decompressedLimit(maxMessageBytes: number): number {
  return Math.min(maxMessageBytes * DECOMPRESSION_RATIO, MAX_DECOMPRESSED_BYTES);
}

/** A record that fails the walk; caught in validateRecords and turned into a BatchProblem. */
class RecordsInvalid extends Error {}

// The walk's cursor. The walk is synchronous, so one module-level cursor serves every call and the
// varint readers return plain numbers (no result objects).
let pos = 0;
/** The index of the record being walked, for messages. */
let current = 0;

function fail(message: string): never {
  throw new RecordsInvalid(message);
}

/** Fails naming the record being walked. */
function failRecord(message: string): never {
  throw new RecordsInvalid(`record ${current}: ${message}`);
}

/** An unsigned VARINT of at most 5 bytes ending before `end`. */
function uvarint(buf: Buffer, end: number, what: string): number {
  // The 1- and 2-byte encodings (most lengths and deltas) inline.
  const p = pos;
  if (p + 1 < end) {
    const b0 = buf[p];
    if (b0 < 0x80) { pos = p + 1; return b0; }
    const b1 = buf[p + 1];
    if (b1 < 0x80) { pos = p + 2; return (b0 & 0x7f) | (b1 << 7); }
  }
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) failRecord(`${what} runs past the end of its record`);
    const b = buf[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result >>> 0;
  }
  return failRecord(`${what} is a varint longer than 5 bytes`);
}

function varint(buf: Buffer, end: number, what: string): number {
  const z = uvarint(buf, end, what);
  return (z >>> 1) ^ -(z & 1);
}

/** Steps over a VARLONG of at most 10 bytes ending before `end`. */
function skipVarlong(buf: Buffer, end: number, what: string): void {
  if (pos < end && buf[pos] < 0x80) { pos++; return; }
  for (let i = 0; i < 10; i++) {
    if (pos >= end) failRecord(`${what} runs past the end of its record`);
    if ((buf[pos++] & 0x80) === 0) return;
  }
  failRecord(`${what} is a varlong longer than 10 bytes`);
}

/** Steps over a length-prefixed field: -1 (null, when allowed) or 0..the bytes left in the record. */
function skipBytes(buf: Buffer, end: number, what: string, nullable: boolean): void {
  const n = varint(buf, end, what);
  if (n === -1 && nullable) return;
  if (n < 0) failRecord(`${what} ${n} is negative`);
  if (n > end - pos) failRecord(`${what} ${n} runs past the end of its record (${end - pos} bytes left)`);
  pos += n;
}

/** Walks `count` records in buf[start, end); throws RecordsInvalid naming the first problem. */
function walkRecords(buf: Buffer, start: number, end: number, count: number): void {
  pos = start;
  for (let i = 0; i < count; i++) {
    current = i;
    if (pos >= end) fail(`the batch claims ${count} records but holds ${i}`);
    const length = varint(buf, end, 'Length');
    if (length < MIN_RECORD_BODY_BYTES) failRecord(`Length ${length} is shorter than any record`);
    if (length > end - pos) failRecord(`Length ${length} runs past the end of the batch (${end - pos} bytes left)`);
    const recordEnd = pos + length;
    pos++; // Attributes (INT8, unused)
    skipVarlong(buf, recordEnd, 'TimestampDelta');
    const offsetDelta = varint(buf, recordEnd, 'OffsetDelta');
    if (offsetDelta !== i) failRecord(`OffsetDelta ${offsetDelta}, expected ${i}`);
    skipBytes(buf, recordEnd, 'KeyLength', true);
    skipBytes(buf, recordEnd, 'ValueLength', true);
    const headers = varint(buf, recordEnd, 'HeadersCount');
    if (headers < 0 || headers > (recordEnd - pos) / 2) failRecord(`HeadersCount ${headers} cannot fit in ${recordEnd - pos} bytes`);
    for (let h = 0; h < headers; h++) {
      skipBytes(buf, recordEnd, 'HeaderKeyLength', false);
      skipBytes(buf, recordEnd, 'HeaderValueLength', true);
    }
    if (pos !== recordEnd) failRecord(`${recordEnd - pos} bytes left between its fields and its Length`);
  }
  if (pos !== end) fail(`${end - pos} bytes follow the last of the batch's ${count} records`);
}

/** The records of a compressed batch, inflated to at most `maxBytes`; throws RecordsInvalid when it cannot be. */
function decompress(codec: number, body: Buffer, maxBytes: number): Buffer {
  try {
    if (codec === 1) return gunzipSync(body, { maxOutputLength: maxBytes });
    if (codec === 2) return snappyDecompress(body, maxBytes);
    return lz4Decompress(body, maxBytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail(`gzip data inflates to more than ${maxBytes} bytes`);
    }
    return fail(err instanceof Error && /^(snappy|lz4) /.test(err.message) ? err.message : `${CODEC_NAMES[codec]} data is invalid`);
  }
}

/**
 * Checks the records of one complete batch buf[0, size) whose header validateBatch already accepted.
 * `maxDecompressedBytes` bounds a compressed batch's inflated records (see decompressedLimit).
 * Null when the records are sound; otherwise INVALID_RECORD (records that do not add up, as Kafka's
 * InvalidRecordException) or CORRUPT_MESSAGE (compressed data that cannot be inflated within the limit).
 */
export function validateRecords(buf: Buffer, size: number, maxDecompressedBytes: number): BatchProblem | null {
  const codec = buf.readInt16BE(OFF_ATTRIBUTES) & ATTR_COMPRESSION_MASK;
  const count = buf.readInt32BE(OFF_RECORDS_COUNT);
  if (codec === 4) {
    const most = Math.floor(maxDecompressedBytes / (MIN_RECORD_BODY_BYTES + 1));
    return count <= most ? null : { code: 'INVALID_RECORD', message: `zstd records: the batch claims ${count} records, more than ${most} can fit in its size limit` };
  }
  let records: Buffer;
  try {
    records = codec === 0 ? buf : decompress(codec, buf.subarray(BATCH_HEADER_BYTES, size), maxDecompressedBytes);
  } catch (err) {
    return { code: 'CORRUPT_MESSAGE', message: `compressed records: ${(err as Error).message}` };
  }
  try {
    if (codec === 0) walkRecords(records, BATCH_HEADER_BYTES, size, count);
    else walkRecords(records, 0, records.length, count);
    return null;
  } catch (err) {
    if (!(err instanceof RecordsInvalid)) throw err;
    return { code: 'INVALID_RECORD', message: `${codec === 0 ? '' : `${CODEC_NAMES[codec]} `}records: ${err.message}` };
  }
}
