// Builds one RecordBatch v2 (magic 2) incrementally: each record is encoded once, straight into one
// buffer that already holds space for the 61-byte header. The encoder allocates nothing per record:
// varints are written byte by byte, keys and values are copied in, and the buffer can be handed in by
// the caller (a producer recycles the buffers of acknowledged batches), so a batch costs no allocation
// at all in the steady state. build() fills in the header, optionally gzips everything after it, and
// writes the CRC.
//
//   Record := Length VARINT (bytes after itself), Attributes INT8 (0), TimestampDelta VARLONG,
//             OffsetDelta VARINT, KeyLength VARINT (-1 = null), Key, ValueLength VARINT (-1 = null), Value,
//             HeadersCount VARINT, { HeaderKeyLength VARINT, HeaderKey UTF-8, HeaderValueLength VARINT
//             (-1 = null), HeaderValue }
//
// Header layout and the CRC range are in batch-header.ts. A record larger than the buffer's free space
// (only ever the first record of a batch) grows the buffer by doubling.
//
// appendRaw() is the same encoding for a caller that holds key and value as byte ranges of one source
// buffer (lines of a stdin chunk) and headers encoded once (encodeHeaders): no object per record.
import { gzipSync } from 'node:zlib';
import { MqError } from '../util/mq-error.js';
import {
  ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_BASE_SEQUENCE, OFF_BASE_TIMESTAMP,
  OFF_BATCH_LENGTH, OFF_CRC, OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH, OFF_MAGIC, OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, writeCrc,
} from './batch-header.js';

export interface RecordBatchBuilderOptions {
  /** Soft limit on the uncompressed batch size; the first record is always accepted. Default 16384. */
  maxBytes?: number;
  compression?: 'none' | 'gzip';
  /** -1 (not idempotent) by default, as librdkafka writes. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** Sets the transactional bit of Attributes (a transactional producer's batches). */
  transactional?: boolean;
  /** A buffer to encode into (its contents are overwritten); by default one is allocated. */
  buffer?: Buffer;
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
/** appendRaw() copies ranges this long or longer with Buffer.copy, shorter ones through DataViews. */
const COPY_NATIVE_MIN_BYTES = 256;

/** Bytes of the ZigZag VARINT encoding of a 32-bit integer. */
export function varintBytes(v: number): number {
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

/** Record headers encoded once (HeadersCount excluded) for appendRaw(). */
export interface EncodedHeaders {
  count: number;
  bytes: Buffer;
}

/** Encodes `headers` as they follow HeadersCount in a record, for appendRaw(). */
export function encodeHeaders(headers: readonly { key: string; value: Buffer | null }[]): EncodedHeaders {
  let size = 0;
  for (const h of headers) {
    const n = Buffer.byteLength(h.key, 'utf8');
    size += varintBytes(n) + n + blobBytes(h.value);
  }
  const bytes = Buffer.alloc(size);
  let p = 0;
  for (const h of headers) {
    const n = Buffer.byteLength(h.key, 'utf8');
    p = writeVarint(bytes, p, n);
    p += bytes.write(h.key, p, n, 'utf8');
    p = writeBlob(bytes, p, h.value);
  }
  return { count: headers.length, bytes };
}

/** Bytes of a VARINT length followed by the blob (or just -1 for null). */
function blobBytes(b: Buffer | null): number {
  return b === null ? 1 : varintBytes(b.length) + b.length;
}

export class RecordBatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_BYTES;
  private readonly maxBytes: number;
  private readonly compression: 'none' | 'gzip';
  private producerId: bigint;
  private producerEpoch: number;
  private baseSequence: number;
  private readonly transactional: boolean;
  private records = 0;
  private baseTimestamp = -1;
  private maxTimestamp = -1;
  private built: Buffer | null = null;
  /** DataViews of the buffer and of the last source appendRaw() copied from (copyRange). */
  private bufView: DataView | null = null;
  private srcView: DataView | null = null;
  private srcBuf: Buffer | null = null;

  constructor(opts: RecordBatchBuilderOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.compression = opts.compression ?? 'none';
    this.producerId = opts.producerId ?? -1n;
    this.producerEpoch = opts.producerEpoch ?? -1;
    this.baseSequence = opts.baseSequence ?? -1;
    this.transactional = opts.transactional === true;
    this.buf = opts.buffer !== undefined && opts.buffer.length >= BATCH_HEADER_BYTES
      ? opts.buffer
      : Buffer.allocUnsafeSlow(Math.max(256, Math.min(this.maxBytes, MAX_INITIAL_BYTES))); // its own memory: it may be recycled
    EMPTY_HEADER.copy(this.buf, 0);
  }

  /** Records appended so far. */
  get count(): number {
    return this.records;
  }

  /** Uncompressed size so far, header included. */
  get sizeInBytes(): number {
    return this.pos;
  }

  /** The buffer encoded into (the one passed in, unless a large record made it grow). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Sets ProducerId, ProducerEpoch and BaseSequence for build() (an idempotent producer learns them as the batch closes). */
  setProducer(producerId: bigint, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
  }

  /** Adds a record if it fits under maxBytes (the first record always fits). Returns false when full. */
  tryAppend(r: BatchRecordInput): boolean {
    return this.append(r.key, r.value, r.headers, r.timestamp);
  }

  /** tryAppend() with the fields as arguments, so callers need no record object. */
  append(key: Buffer | null, value: Buffer | null, headers: BatchRecordInput['headers'], timestamp: number): boolean {
    const timestampDelta = this.timestampDeltaOf(timestamp);
    const offsetDelta = this.records;

    // Size first: Length prefixes the record, and the size decides whether it fits.
    let bodyBytes = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta) + blobBytes(key) + blobBytes(value);
    const headerCount = headers === undefined ? 0 : headers.length;
    bodyBytes += varintBytes(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i];
      const n = Buffer.byteLength(h.key, 'utf8');
      bodyBytes += varintBytes(n) + n + blobBytes(h.value);
    }
    if (!this.makeRoom(varintBytes(bodyBytes) + bodyBytes)) return false;

    const buf = this.buf;
    let p = this.writeRecordHead(bodyBytes, timestampDelta, offsetDelta);
    p = writeBlob(buf, p, key);
    p = writeBlob(buf, p, value);
    p = writeVarint(buf, p, headerCount);
    for (let i = 0; i < headerCount; i++) {
      const h = headers![i];
      const n = Buffer.byteLength(h.key, 'utf8');
      p = writeVarint(buf, p, n);
      p += buf.write(h.key, p, n, 'utf8');
      p = writeBlob(buf, p, h.value);
    }
    this.appended(p, timestamp);
    return true;
  }

  /**
   * append() for a record whose key is src[keyStart, keyEnd) (keyStart -1: null key) and value is
   * src[valueStart, valueEnd), with headers encoded by encodeHeaders (null: none). False when full.
   */
  appendRaw(src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, headers: EncodedHeaders | null, timestamp: number): boolean {
    const timestampDelta = this.timestampDeltaOf(timestamp);
    const offsetDelta = this.records;
    const keyLength = keyStart < 0 ? -1 : keyEnd - keyStart;
    const valueLength = valueEnd - valueStart;
    const headerCount = headers === null ? 0 : headers.count;
    const bodyBytes = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta)
      + (keyLength < 0 ? 1 : varintBytes(keyLength) + keyLength) + varintBytes(valueLength) + valueLength
      + varintBytes(headerCount) + (headers === null ? 0 : headers.bytes.length);
    if (!this.makeRoom(varintBytes(bodyBytes) + bodyBytes)) return false;

    const buf = this.buf;
    let p = this.writeRecordHead(bodyBytes, timestampDelta, offsetDelta);
    p = writeVarint(buf, p, keyLength);
    if (keyLength > 0) p = this.copyRange(p, src, keyStart, keyEnd);
    p = writeVarint(buf, p, valueLength);
    p = this.copyRange(p, src, valueStart, valueEnd);
    p = writeVarint(buf, p, headerCount);
    if (headers !== null) p = this.copyRange(p, headers.bytes, 0, headers.bytes.length);
    this.appended(p, timestamp);
    return true;
  }

  /** The record's TimestampDelta (0 for the first); refuses a built batch and a timestamp that is not whole ms. */
  private timestampDeltaOf(timestamp: number): number {
    if (this.built !== null) throw new MqError('INVALID_STATE', 'record batch already built');
    if (!Number.isSafeInteger(timestamp)) throw new MqError('INVALID_TIMESTAMP', `record timestamp ${timestamp} is not an integer number of ms`);
    return this.records === 0 ? 0 : timestamp - this.baseTimestamp;
  }

  /** Whether a record of `recordBytes` fits (the first always does), growing the buffer for it. */
  private makeRoom(recordBytes: number): boolean {
    if (this.records > 0 && this.pos + recordBytes > this.maxBytes) return false;
    if (this.pos + recordBytes > this.buf.length) this.grow(this.pos + recordBytes);
    return true;
  }

  /** Length, Attributes, TimestampDelta and OffsetDelta at the end of the records; returns where the key goes. */
  private writeRecordHead(bodyBytes: number, timestampDelta: number, offsetDelta: number): number {
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, bodyBytes);
    buf[p++] = 0; // attributes
    p = (timestampDelta | 0) === timestampDelta ? writeVarint(buf, p, timestampDelta) : writeVarlong(buf, p, timestampDelta);
    return writeVarint(buf, p, offsetDelta);
  }

  /** A record was written up to `end`: the batch's timestamps and count follow it. */
  private appended(end: number, timestamp: number): void {
    this.pos = end;
    if (this.records === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp;
    }
    this.records++;
  }

  /**
   * Finishes the batch: header (BaseOffset 0, PartitionLeaderEpoch 0, magic 2, CreateTime), the records
   * section gzipped when asked, and the CRC-32C. Returns the same buffer when called again. Without
   * compression the result is a view of `buffer`.
   */
  build(): Buffer {
    if (this.built !== null) return this.built;
    if (this.records === 0) throw new MqError('INVALID_RECORD', 'cannot build an empty record batch');
    let batch = this.buf.subarray(0, this.pos);
    let attributes = this.transactional ? ATTR_TRANSACTIONAL : 0;
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
    writeInt64(batch, OFF_BASE_TIMESTAMP, this.baseTimestamp);
    writeInt64(batch, OFF_MAX_TIMESTAMP, this.maxTimestamp);
    batch.writeBigInt64BE(this.producerId, OFF_PRODUCER_ID);
    batch.writeInt16BE(this.producerEpoch, OFF_PRODUCER_EPOCH);
    batch.writeInt32BE(this.baseSequence, OFF_BASE_SEQUENCE);
    batch.writeInt32BE(this.records, OFF_RECORDS_COUNT);
    writeCrc(batch);
    this.built = batch;
    return batch;
  }

  /**
   * Copies src[start, end) into the buffer at `p`; returns the position after it. Short ranges go four
   * bytes at a time through DataViews (kept per buffer): Buffer.copy makes a view object per call
   * and costs about twice as much below COPY_NATIVE_MIN_BYTES.
   */
  private copyRange(p: number, src: Buffer, start: number, end: number): number {
    const n = end - start;
    if (n >= COPY_NATIVE_MIN_BYTES) return p + src.copy(this.buf, p, start, end);
    if (this.bufView === null || this.bufView.buffer !== this.buf.buffer) this.bufView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    if (this.srcView === null || this.srcBuf !== src) {
      this.srcBuf = src;
      this.srcView = new DataView(src.buffer, src.byteOffset, src.length);
    }
    const to = this.bufView;
    const from = this.srcView;
    let i = 0;
    for (; i + 4 <= n; i += 4) to.setInt32(p + i, from.getInt32(start + i));
    const buf = this.buf;
    for (; i < n; i++) buf[p + i] = src[start + i];
    return p + n;
  }

  private grow(atLeast: number): void {
    let size = this.buf.length * 2;
    while (size < atLeast) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** Writes the ZigZag VARINT of a 32-bit integer at `p`; returns the position after it. */
export function writeVarint(buf: Buffer, p: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) { buf[p++] = (z & 0x7f) | 0x80; z >>>= 7; }
  buf[p++] = z;
  return p;
}

/** Writes the ZigZag VARLONG of a safe integer at `p` (number arithmetic, no BigInt). */
function writeVarlong(buf: Buffer, p: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 0x80) { buf[p++] = (z % 0x80) | 0x80; z = Math.floor(z / 0x80); }
  buf[p++] = z;
  return p;
}

/** A VARINT length and the bytes (or just -1 for null). */
function writeBlob(buf: Buffer, p: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, p, -1);
  p = writeVarint(buf, p, b.length);
  if (b.length < 64) for (let i = 0; i < b.length; i++) buf[p + i] = b[i]; // cheaper than a native call
  else buf.set(b, p);
  return p + b.length;
}

/** A signed 64-bit big-endian integer from a safe integer, without a BigInt. */
function writeInt64(buf: Buffer, at: number, v: number): void {
  const high = Math.floor(v / 0x100000000);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(v - high * 0x100000000, at + 4);
}
