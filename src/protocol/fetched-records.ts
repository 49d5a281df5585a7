// The consumer's way through a Fetch RECORDS blob (the grammar is in record-batch.ts): batch by batch and
// record by record, handing out only the records at or above the fetch offset and outside control
// batches, without building an object per batch or per record.
//
// walkFetchedRecords() checks each batch as decodeRecordBatches does (length, magic, CRC, codec) and
// moves one RecordCursor over its records. The cursor holds the current record as numbers: its offset
// and timestamp, and where its key, value and headers lie in `cursor.buf` (the fetch answer, or the
// batch's inflated records). A caller that only copies bytes (the CLI's batch renderer) allocates
// nothing per record; decodeFetchedRecords() builds the client's FetchedRecord objects from the same
// walk, so both see exactly the same records, offsets and errors.
//
// read_committed (PROTOCOL.md §3.5-3.6): a Fetch answer at IsolationLevel 1 lists the aborted
// transactions overlapping its data as {ProducerId, FirstOffset}; passed as `aborted`, the walk drops
// a producer's transactional batches from its FirstOffset until that producer's ABORT marker (an
// AbortedTransactions object, made only when the list is not empty, so the common answer walks as
// before). Control batches are never handed out, in either isolation level.
import { MqError } from '../util/mq-error.js';
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_ATTRIBUTES,
  OFF_BASE_TIMESTAMP, OFF_LAST_OFFSET_DELTA, OFF_MAGIC, OFF_MAX_TIMESTAMP, OFF_PRODUCER_ID, OFF_RECORDS_COUNT, batchSizeAt,
} from './batch-header.js';
import { CONTROL_ABORT, controlTypeAt } from './control-batch.js';
import { MAGIC_V2, batchRecordsReader, checkedBaseOffset, readVarlong, type DecodeOptions } from './record-batch.js';
import { MAX_DECOMPRESSED_BYTES } from './record-validator.js';
import { Reader } from './reader.js';

/** A record as the consumer hands it out (the client's ConsumedRecord). */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  /** 0 CreateTime, 1 LogAppendTime */
  timestampType: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/** What a walk over one partition's RECORDS blob found. */
export interface FetchedRecordsResult {
  /** The fetch offset after what was handed out (never below the one passed in). */
  nextOffset: number;
  /** Complete magic-2 batches in the blob (0 with bytes present: only a partial batch came back). */
  batches: number;
  /** Records handed to the visitor. */
  count: number;
}

export interface WalkOptions extends DecodeOptions {
  /**
   * A corrupt batch after some records were handed out ends the walk instead of throwing: the result
   * stops after the last record handed out, so the next fetch starts there and fails on the bad batch
   * alone (with nothing before it, it throws as usual).
   */
  partial?: boolean;
  /**
   * read_committed: the answer's AbortedTransactions. Their producers' transactional batches are
   * dropped from each FirstOffset up to the producer's ABORT marker. Null or empty: nothing dropped.
   */
  aborted?: readonly AbortedTransaction[] | null;
}

/** One entry of a Fetch answer's AbortedTransactions. */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/**
 * Which transactional batches of one walk belong to aborted transactions. Batches come in offset
 * order: a transaction becomes "aborted" for its producer once a batch reaches its FirstOffset, and
 * stops being so at that producer's ABORT marker (Kafka's consumer does the same).
 */
class AbortedTransactions {
  private readonly pending: AbortedTransaction[];
  private next = 0;
  private readonly producers = new Set<bigint>();

  constructor(list: readonly AbortedTransaction[]) {
    this.pending = [...list].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Whether the transactional batch at `at` (last offset `lastOffset`) is to be dropped; steps past markers. */
  drops(buf: Buffer, at: number, size: number, lastOffset: number, control: boolean): boolean {
    const last = BigInt(lastOffset);
    while (this.next < this.pending.length && this.pending[this.next].firstOffset <= last) this.producers.add(this.pending[this.next++].producerId);
    const producerId = buf.readBigInt64BE(at + OFF_PRODUCER_ID);
    if (control) {
      if (controlTypeAt(buf, at, size) === CONTROL_ABORT) this.producers.delete(producerId);
      return false;
    }
    return this.producers.has(producerId);
  }
}

const EMPTY = Buffer.alloc(0);

/** The record a walk stands on, as positions into `buf`; lengths are -1 for null. */
export class RecordCursor {
  buf: Buffer = EMPTY;
  offset = 0;
  timestamp = 0;
  /** 0 CreateTime, 1 LogAppendTime */
  timestampType = 0;
  keyStart = 0;
  keyLength = -1;
  valueStart = 0;
  valueLength = -1;
  /** The record's headers: headerCount of them in buf[headersStart, headersEnd) (see headers()). */
  headersStart = 0;
  headersEnd = 0;
  headerCount = 0;
  private r = new Reader(EMPTY);
  private left = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private logAppendTime: number | null = null;

  /** Places the cursor before the first of `count` records read from `r`. */
  start(r: Reader, count: number, baseOffset: number, baseTimestamp: number, logAppendTime: number | null, timestampType: number): void {
    if (count < 0) throw new Error(`negative RecordsCount ${count}`);
    this.r = r;
    this.buf = r.buf;
    this.left = count;
    this.baseOffset = baseOffset;
    this.baseTimestamp = baseTimestamp;
    this.logAppendTime = logAppendTime;
    this.timestampType = timestampType;
  }

  /** Moves to the next record, checking its framing; false after the last one. Throws on malformed bytes. */
  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const r = this.r;
    const length = readVarint(r);
    const end = r.pos + length;
    if (length < 0 || end > r.end) throw new Error(`record length ${length} runs past the batch`);
    r.pos++; // record attributes (INT8): unused; the length check above keeps this inside the batch
    const timestampDelta = r.pos < end && r.buf[r.pos] < 0x80 ? readVarint(r) : readVarlong(r);
    const offsetDelta = readVarint(r);
    const keyLength = readVarint(r);
    this.keyLength = keyLength < 0 ? -1 : keyLength;
    if (keyLength >= 0) this.keyStart = r.skip(keyLength);
    const valueLength = readVarint(r);
    this.valueLength = valueLength < 0 ? -1 : valueLength;
    if (valueLength >= 0) this.valueStart = r.skip(valueLength);
    const headerCount = readVarint(r);
    if (headerCount < 0) throw new Error(`negative header count ${headerCount}`);
    this.headersStart = r.pos;
    for (let h = 0; h < headerCount; h++) {
      r.skip(readVarint(r));
      const n = readVarint(r);
      if (n >= 0) r.skip(n);
    }
    this.headersEnd = r.pos;
    this.headerCount = headerCount;
    if (r.pos > end) throw new Error('record fields run past its Length');
    r.pos = end;
    this.offset = this.baseOffset + offsetDelta;
    this.timestamp = this.logAppendTime ?? this.baseTimestamp + timestampDelta;
    return true;
  }

  /** The current record's headers as objects (keys decoded as UTF-8, values as views). */
  headers(): { key: string; value: Buffer | null }[] {
    const headers: { key: string; value: Buffer | null }[] = [];
    if (this.headerCount === 0) return headers;
    const r = new Reader(this.buf, this.headersStart, this.headersEnd);
    for (let h = 0; h < this.headerCount; h++) {
      const keyBytes = readVarint(r);
      const at = r.skip(keyBytes);
      const n = readVarint(r);
      headers.push({ key: this.buf.toString('utf8', at, at + keyBytes), value: n < 0 ? null : r.raw(n) });
    }
    return headers;
  }

  /** The current record as a FetchedRecord (key, value and header values are views into `buf`). */
  record(topic: string, partition: number): FetchedRecord {
    const b = this.buf;
    return {
      topic, partition, offset: this.offset, timestamp: this.timestamp, timestampType: this.timestampType,
      key: this.keyLength < 0 ? null : b.subarray(this.keyStart, this.keyStart + this.keyLength),
      value: this.valueLength < 0 ? null : b.subarray(this.valueStart, this.valueStart + this.valueLength),
      headers: this.headers(),
    };
  }
}

/**
 * Walks every complete batch in `buf` (one partition's Fetch RECORDS blob) with the checks of
 * decodeRecordBatches (same errors; partial trailing batches and magic other than 2 are skipped) and
 * calls `visit` on each record of `topic`-`partition` at or above `fetchOffset` outside control batches
 * (and, with `opts.aborted`, outside aborted transactions).
 * Batches wholly below the fetch offset and control batches are still parsed (and so checked).
 * `visit` returns false to stop: the result then ends after that record. Errors name the partition.
 */
export function walkFetchedRecords(
  buf: Buffer, topic: string, partition: number, fetchOffset: number, visit: (cursor: RecordCursor) => boolean,
  opts: WalkOptions = {},
): FetchedRecordsResult {
  const checkCrcs = opts.checkCrcs ?? true;
  const maxBytes = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const cursor = new RecordCursor();
  const aborted = opts.aborted != null && opts.aborted.length > 0 ? new AbortedTransactions(opts.aborted) : null;
  let nextOffset = fetchOffset;
  let batches = 0;
  let count = 0;
  let lastOffset = -1;
  let at = 0;
  try {
    while (buf.length - at >= LOG_OVERHEAD) {
      const size = batchSizeAt(buf, at);
      if (at + size > buf.length) break; // partial trailing batch: the next fetch starts there
      if (size <= OFF_MAGIC) {
        throw new MqError('CORRUPT_MESSAGE', `record batch at byte ${at} claims an impossible length of ${size} bytes`);
      }
      if (buf.readInt8(at + OFF_MAGIC) === MAGIC_V2) {
        batches++;
        const baseOffset = checkedBaseOffset(buf, at, size, checkCrcs);
        const attributes = buf.readInt16BE(at + OFF_ATTRIBUTES);
        const timestampType = (attributes & ATTR_TIMESTAMP_TYPE) !== 0 ? 1 : 0;
        const logAppendTime = timestampType === 1 ? Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP)) : null;
        const baseTimestamp = Number(buf.readBigInt64BE(at + OFF_BASE_TIMESTAMP));
        const recordsCount = buf.readInt32BE(at + OFF_RECORDS_COUNT);
        const batchNext = baseOffset + buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA) + 1;
        const r = batchRecordsReader(buf, at, size, baseOffset, attributes & ATTR_COMPRESSION_MASK, maxBytes);
        const control = (attributes & ATTR_CONTROL) !== 0;
        const dropped = aborted !== null && (attributes & ATTR_TRANSACTIONAL) !== 0 && aborted.drops(buf, at, size, batchNext - 1, control);
        const keep = batchNext > nextOffset && !control && !dropped;
        let stopped = false;
        try {
          cursor.start(r, recordsCount, baseOffset, baseTimestamp, logAppendTime, timestampType);
          while (cursor.next()) {
            if (!keep || cursor.offset < nextOffset) continue;
            count++;
            lastOffset = cursor.offset;
            if (!visit(cursor)) { stopped = true; break; }
          }
        } catch (err) {
          throw new MqError('CORRUPT_MESSAGE', `record batch at offset ${baseOffset} has malformed records (${(err as Error).message})`, { cause: err });
        }
        if (stopped) return { nextOffset: lastOffset + 1, batches, count };
        if (batchNext > nextOffset) nextOffset = batchNext;
      }
      at += size;
    }
  } catch (err) {
    if (opts.partial === true && count > 0) return { nextOffset: lastOffset + 1, batches: Math.max(batches, 1), count };
    // The consumer shows this message as it is: it must say which partition the batch is in.
    if (err instanceof MqError) throw new MqError(err.code, `${topic}-${partition}: ${err.message}`, { cause: err.cause, hint: err.hint, retriable: err.retriable });
    throw err;
  }
  return { nextOffset, batches, count };
}

/**
 * walkFetchedRecords appending each record handed out to `out` as a FetchedRecord (a record per
 * object, keys and values as views into `buf`).
 */
export function decodeFetchedRecords(
  buf: Buffer, topic: string, partition: number, fetchOffset: number, out: FetchedRecord[], opts: WalkOptions = {},
): FetchedRecordsResult {
  return walkFetchedRecords(buf, topic, partition, fetchOffset, (c) => { out.push(c.record(topic, partition)); return true; }, opts);
}

/** VARINT with the 1- and 2-byte encodings (most lengths and deltas) read inline; longer ones via Reader. */
export function readVarint(r: Reader): number {
  const p = r.pos;
  const b = r.buf;
  if (p + 1 < r.end) {
    const b0 = b[p];
    if (b0 < 0x80) { r.pos = p + 1; return (b0 >>> 1) ^ -(b0 & 1); }
    const b1 = b[p + 1];
    if (b1 < 0x80) {
      const z = (b0 & 0x7f) | (b1 << 7);
      r.pos = p + 2;
      return (z >>> 1) ^ -(z & 1);
    }
  }
  return r.varint();
}

/**
 * The fetch offset after the complete magic-2 batches in `buf`, read from their headers alone (no CRC
 * check, no records): what walkFetchedRecords returns for a sound blob, known before it runs. Stops at
 * a batch whose length cannot be right (the walk reports it).
 */
export function fetchedBatchesEnd(buf: Buffer, fetchOffset: number): number {
  let next = fetchOffset;
  let at = 0;
  while (buf.length - at >= LOG_OVERHEAD) {
    const size = batchSizeAt(buf, at);
    if (at + size > buf.length || size < BATCH_HEADER_BYTES) break;
    if (buf.readInt8(at + OFF_MAGIC) === MAGIC_V2) {
      const batchNext = Number(buf.readBigInt64BE(at)) + buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA) + 1;
      if (batchNext > next) next = batchNext;
    }
    at += size;
  }
  return next;
}
