// Builds one RecordBatch v2 (magic 2) incrementally: each record is encoded once, straight into a
// growing buffer that already holds space for the 61-byte header, so a full batch of 16 KiB costs one
// allocation. build() fills in the header, optionally gzips everything after it, and writes the CRC.
//
//   Record := Length VARINT (bytes after itself), Attributes INT8 (0), TimestampDelta VARLONG,
//             OffsetDelta VARINT, KeyLength VARINT (-1 = null), Key, ValueLength VARINT (-1 = null), Value,
//             HeadersCount VARINT, { HeaderKeyLength VARINT, HeaderKey UTF-8, HeaderValueLength VARINT
//             (-1 = null), HeaderValue }
//
// Header layout and the CRC range are in batch-header.ts. Key and value buffers of 4 KiB or more are
// referenced, not copied, until build(): do not modify them before the batch is built.
import { gzipSync } from 'node:zlib';
import { MqError } from '../util/mq-error.js';
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_BASE_SEQUENCE, OFF_BASE_TIMESTAMP,
  OFF_BATCH_LENGTH, OFF_CRC, OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH, OFF_MAGIC, OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, writeCrc,
} from './batch-header.js';
import { Writer } from './writer.js';

export interface RecordBatchBuilderOptions {
  /** Soft limit on the uncompressed batch size; the first record is always accepted. Default 16384. */
  maxBytes?: number;
  compression?: 'none' | 'gzip';
  /** -1 (not idempotent) by default, as librdkafka writes. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

export interface BatchRecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: { key: string; value: Buffer | null }[];
  /** CreateTime in ms. */
  timestamp: number;
}

const DEFAULT_MAX_BYTES = 16384;
/** Larger batches start smaller and grow by doubling, so idle partitions do not pin big buffers. */
const MAX_INITIAL_BYTES = 65536;
const MAGIC = 2;
const ATTR_GZIP = 1;
/** Producers write 0 here (kafkajs, librdkafka); the broker overwrites it with its leader epoch. */
const PRODUCER_LEADER_EPOCH = 0;
const EMPTY_HEADER = Buffer.alloc(BATCH_HEADER_BYTES);

/** Bytes of the ZigZag VARINT encoding of a 32-bit integer. */
function varintBytes(v: number): number {
  const z = ((v << 1) ^ (v >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

/** Bytes of the ZigZag VARLONG encoding of a safe integer. */
function varlongBytes(v: number): number {
  if ((v | 0) === v) return varintBytes(v);
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) { z = Math.floor(z / 0x80); n++; }
  return n;
}

/** Bytes of a VARINT length followed by the blob (or just -1 for null). */
function blobBytes(b: Buffer | null): number {
  return b === null ? 1 : varintBytes(b.length) + b.length;
}

export class RecordBatchBuilder {
  private readonly w: Writer;
  private readonly maxBytes: number;
  private readonly compression: 'none' | 'gzip';
  private readonly producerId: bigint;
  private readonly producerEpoch: number;
  private readonly baseSequence: number;
  private records = 0;
  private baseTimestamp = -1;
  private maxTimestamp = -1;
  private built: Buffer | null = null;

  constructor(opts: RecordBatchBuilderOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.compression = opts.compression ?? 'none';
    this.producerId = opts.producerId ?? -1n;
    this.producerEpoch = opts.producerEpoch ?? -1;
    this.baseSequence = opts.baseSequence ?? -1;
    this.w = new Writer(Math.max(256, Math.min(this.maxBytes, MAX_INITIAL_BYTES)));
    this.w.raw(EMPTY_HEADER);
  }

  /** Records appended so far. */
  get count(): number {
    return this.records;
  }

  /** Uncompressed size so far, header included. */
  get sizeInBytes(): number {
    return this.w.length;
  }

  /** Adds a record if it fits under maxBytes (the first record always fits). Returns false when full. */
  tryAppend(r: BatchRecordInput): boolean {
    if (this.built !== null) throw new MqError('INVALID_STATE', 'record batch already built');
    const { key, value, headers, timestamp } = r;
    if (!Number.isSafeInteger(timestamp)) {
      throw new MqError('INVALID_TIMESTAMP', `record timestamp ${timestamp} is not an integer number of ms`);
    }
    const first = this.records === 0;
    const timestampDelta = timestamp - (first ? timestamp : this.baseTimestamp);
    const offsetDelta = this.records;

    // Size first: Length prefixes the record, and the size decides whether it fits.
    let bodyBytes = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta) + blobBytes(key) + blobBytes(value);
    const headerCount = headers === undefined ? 0 : headers.length;
    bodyBytes += varintBytes(headerCount);
    let headerKeys: Buffer[] | undefined;
    if (headerCount > 0) {
      headerKeys = new Array<Buffer>(headerCount);
      for (let i = 0; i < headerCount; i++) {
        const h = headers![i];
        const k = Buffer.from(h.key, 'utf8');
        headerKeys[i] = k;
        bodyBytes += blobBytes(k) + blobBytes(h.value);
      }
    }
    const recordBytes = varintBytes(bodyBytes) + bodyBytes;
    if (!first && this.w.length + recordBytes > this.maxBytes) return false;

    const w = this.w;
    w.varint(bodyBytes).int8(0);
    if ((timestampDelta | 0) === timestampDelta) w.varint(timestampDelta); // same bytes as VARLONG in int32 range
    else w.varlong(timestampDelta);
    w.varint(offsetDelta);
    if (key === null) w.varint(-1); else w.varint(key.length).raw(key);
    if (value === null) w.varint(-1); else w.varint(value.length).raw(value);
    w.varint(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const k = headerKeys![i];
      const v = headers![i].value;
      w.varint(k.length).raw(k);
      if (v === null) w.varint(-1); else w.varint(v.length).raw(v);
    }

    if (first) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
    }
    this.records++;
    return true;
  }

  /**
   * Finishes the batch: header (BaseOffset 0, PartitionLeaderEpoch 0, magic 2, CreateTime), the records
   * section gzipped when asked, and the CRC-32C. Returns the same buffer when called again.
   */
  build(): Buffer {
    if (this.built !== null) return this.built;
    if (this.records === 0) throw new MqError('INVALID_RECORD', 'cannot build an empty record batch');
    let batch = this.w.toBuffer();
    let attributes = 0;
    if (this.compression === 'gzip') {
      const compressed = gzipSync(batch.subarray(BATCH_HEADER_BYTES));
      const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
      compressed.copy(out, BATCH_HEADER_BYTES);
      batch = out;
      attributes |= ATTR_GZIP;
    }
    batch.writeBigInt64BE(0n, OFF_BASE_OFFSET);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
    batch.writeInt32BE(PRODUCER_LEADER_EPOCH, OFF_LEADER_EPOCH);
    batch.writeInt8(MAGIC, OFF_MAGIC);
    batch.writeUInt32BE(0, OFF_CRC);
    batch.writeInt16BE(attributes, OFF_ATTRIBUTES);
    batch.writeInt32BE(this.records - 1, OFF_LAST_OFFSET_DELTA);
    batch.writeBigInt64BE(BigInt(this.baseTimestamp), OFF_BASE_TIMESTAMP);
    batch.writeBigInt64BE(BigInt(this.maxTimestamp), OFF_MAX_TIMESTAMP);
    batch.writeBigInt64BE(this.producerId, OFF_PRODUCER_ID);
    batch.writeInt16BE(this.producerEpoch, OFF_PRODUCER_EPOCH);
    batch.writeInt32BE(this.baseSequence, OFF_BASE_SEQUENCE);
    batch.writeInt32BE(this.records, OFF_RECORDS_COUNT);
    writeCrc(batch);
    this.built = batch;
    return batch;
  }
}
