// Decodes RecordBatch v2 (magic 2) bytes, as found in a Fetch response's RECORDS field: zero or more
// batches back to back, the last one possibly cut short by the broker's size limit.
//
//   Batch  := 61-byte header (layout in batch-header.ts), then RecordsCount records; when the
//             attributes name a codec, everything after the header is one compressed blob of records.
//   Record := Length VARINT, Attributes INT8, TimestampDelta VARLONG, OffsetDelta VARINT,
//             KeyLength VARINT (-1 = null), Key, ValueLength VARINT (-1 = null), Value,
//             HeadersCount VARINT, { HeaderKeyLength VARINT, HeaderKey UTF-8,
//             HeaderValueLength VARINT (-1 = null), HeaderValue }
//
// Keys, values and header values are views into `buf` (or into the inflated blob): no copies, but they
// keep that memory alive while referenced. The consumer's path (records at or above a fetch offset,
// without an object per batch, or without any object per record) is fetched-records.ts.
import { gunzipSync } from 'node:zlib';
import { lz4Decompress } from './lz4.js';
import { snappyDecompress } from './snappy.js';
import { MAX_DECOMPRESSED_BYTES } from './record-validator.js';
import { MqError } from '../util/mq-error.js';
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, LOG_OVERHEAD,
  OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_BASE_SEQUENCE, OFF_BASE_TIMESTAMP, OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH,
  OFF_MAGIC, OFF_MAX_TIMESTAMP, OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, OFF_RECORDS_COUNT,
  batchSizeAt, crcMatches,
} from './batch-header.js';
import { Reader } from './reader.js';

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface DecodedBatch {
  baseOffset: number;
  lastOffsetDelta: number;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: number;
  timestampType: 0 | 1;
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  records: DecodedRecord[];
}

export interface DecodeOptions {
  /** Verify each batch's CRC-32C (Kafka's consumer `check.crcs`, on by default). Default true. */
  checkCrcs?: boolean;
  /** Most bytes a compressed batch may inflate to; more is CORRUPT_MESSAGE. Default MAX_DECOMPRESSED_BYTES. */
  maxDecompressedBytes?: number;
}

export const MAGIC_V2 = 2;
const COMPRESSION_NONE = 0;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** The codecs mq's consumer reads, by attributes bits 0-2 (zstd, 4, is not in Node 20's zlib). */
const DECOMPRESSORS: Partial<Record<number, (compressed: Buffer, maxBytes: number) => Buffer>> = {
  1: (b, maxBytes) => gunzipSync(b, { maxOutputLength: maxBytes }),
  2: snappyDecompress,
  3: lz4Decompress,
};

/**
 * Decodes every complete batch in `buf` (a Fetch RECORDS blob); stops silently at a partial trailing batch;
 * skips batches whose magic is not 2; decompresses gzip, snappy and lz4; zstd throws
 * MqError('UNSUPPORTED_COMPRESSION_TYPE'). With LogAppendTime every record's timestamp is the batch's
 * MaxTimestamp. A corrupt batch (bad CRC, lengths that do not add up) throws MqError('CORRUPT_MESSAGE').
 */
export function decodeRecordBatches(buf: Buffer, opts: DecodeOptions = {}): DecodedBatch[] {
  const checkCrcs = opts.checkCrcs ?? true;
  const maxBytes = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const out: DecodedBatch[] = [];
  let at = 0;
  while (buf.length - at >= LOG_OVERHEAD) {
    const size = batchSizeAt(buf, at);
    if (at + size > buf.length) break; // partial trailing batch: the next fetch starts there
    if (size <= OFF_MAGIC) {
      throw new MqError('CORRUPT_MESSAGE', `record batch at byte ${at} claims an impossible length of ${size} bytes`);
    }
    if (buf.readInt8(at + OFF_MAGIC) === MAGIC_V2) out.push(decodeBatch(buf, at, size, checkCrcs, maxBytes));
    at += size;
  }
  return out;
}

/** The batch's BaseOffset, after checking it is long enough for its header and (optionally) its CRC. */
export function checkedBaseOffset(buf: Buffer, at: number, size: number, checkCrcs: boolean): number {
  const baseOffset = Number(buf.readBigInt64BE(at + OFF_BASE_OFFSET));
  if (size < BATCH_HEADER_BYTES) {
    throw new MqError('CORRUPT_MESSAGE', `record batch at offset ${baseOffset} is ${size} bytes, shorter than its header`);
  }
  if (checkCrcs && !crcMatches(buf, at, size)) {
    throw new MqError('CORRUPT_MESSAGE', `record batch at offset ${baseOffset} failed its CRC-32C check`);
  }
  return baseOffset;
}

function decodeBatch(buf: Buffer, at: number, size: number, checkCrcs: boolean, maxBytes: number): DecodedBatch {
  const baseOffset = checkedBaseOffset(buf, at, size, checkCrcs);
  const attributes = buf.readInt16BE(at + OFF_ATTRIBUTES);
  const compression = attributes & ATTR_COMPRESSION_MASK;
  const timestampType: 0 | 1 = (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? 1 : 0;
  const baseTimestamp = Number(buf.readBigInt64BE(at + OFF_BASE_TIMESTAMP));
  const maxTimestamp = Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP));
  const recordsCount = buf.readInt32BE(at + OFF_RECORDS_COUNT);

  const r = batchRecordsReader(buf, at, size, baseOffset, compression, maxBytes);

  let records: DecodedRecord[];
  try {
    records = decodeRecords(r, recordsCount, baseOffset, baseTimestamp, timestampType === 1 ? maxTimestamp : null);
  } catch (err) {
    throw new MqError('CORRUPT_MESSAGE', `record batch at offset ${baseOffset} has malformed records (${(err as Error).message})`, { cause: err });
  }

  return {
    baseOffset,
    lastOffsetDelta: buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA),
    partitionLeaderEpoch: buf.readInt32BE(at + OFF_LEADER_EPOCH),
    attributes,
    compression,
    timestampType,
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    baseTimestamp,
    maxTimestamp,
    producerId: buf.readBigInt64BE(at + OFF_PRODUCER_ID),
    producerEpoch: buf.readInt16BE(at + OFF_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + OFF_BASE_SEQUENCE),
    recordsCount,
    records,
  };
}

/** A Reader over the batch's records: the bytes after the header, or the decompressed blob (at most `maxBytes`). */
export function batchRecordsReader(buf: Buffer, at: number, size: number, baseOffset: number, compression: number, maxBytes: number): Reader {
  const body = at + BATCH_HEADER_BYTES;
  const end = at + size;
  if (compression === COMPRESSION_NONE) return new Reader(buf, body, end);
  const decompress = DECOMPRESSORS[compression];
  if (decompress) {
    try {
      return new Reader(decompress(buf.subarray(body, end), maxBytes));
    } catch (err) {
      // snappy.ts and lz4.ts say what is wrong; zlib's own messages are about its stream, not the batch.
      const why = err instanceof MqError ? err.message
        : (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `gzip data inflates to more than ${maxBytes} bytes`
          : `${CODEC_NAMES[compression]} data is invalid`;
      throw new MqError('CORRUPT_MESSAGE', `record batch at offset ${baseOffset}: ${why}`, { cause: err });
    }
  }
  const name = CODEC_NAMES[compression] ?? `codec ${compression}`;
  throw new MqError(
    'UNSUPPORTED_COMPRESSION_TYPE',
    `record batch at offset ${baseOffset} is compressed with ${name}, which mq cannot decompress (it reads none, gzip, snappy and lz4)`,
    { hint: 'produce with compression none, gzip, snappy or lz4' },
  );
}

/** A non-null `logAppendTime` replaces every record's timestamp (LogAppendTime batches). */
function decodeRecords(
  r: Reader, count: number, baseOffset: number, baseTimestamp: number, logAppendTime: number | null,
): DecodedRecord[] {
  if (count < 0) throw new Error(`negative RecordsCount ${count}`);
  const records: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const end = r.pos + length;
    if (length < 0 || end > r.end) throw new Error(`record length ${length} runs past the batch`);
    r.int8(); // record attributes: unused
    const timestampDelta = readVarlong(r);
    const offsetDelta = r.varint();
    const key = readBlob(r);
    const value = readBlob(r);
    const headerCount = r.varint();
    if (headerCount < 0) throw new Error(`negative header count ${headerCount}`);
    const headers: { key: string; value: Buffer | null }[] = [];
    for (let h = 0; h < headerCount; h++) {
      const keyBytes = r.varint();
      const at = r.pos;
      r.raw(keyBytes);
      headers.push({ key: r.buf.toString('utf8', at, at + keyBytes), value: readBlob(r) });
    }
    if (r.pos > end) throw new Error('record fields run past its Length');
    r.pos = end;
    records.push({
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return records;
}

function readBlob(r: Reader): Buffer | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

/** VARLONG; encodings of up to 4 bytes (28 bits) take the 32-bit path and avoid BigInt. */
export function readVarlong(r: Reader): number {
  const b = r.buf;
  const p = r.pos;
  for (let i = 0; i < 4 && p + i < r.end; i++) {
    if ((b[p + i] & 0x80) === 0) return r.varint();
  }
  return r.varlong();
}
