// The producer's raw path, for callers that hold many records as byte ranges of one buffer (the lines
// of a stdin chunk, `mq produce`): appendRaw() encodes key and value straight from the caller's buffer
// into the partition's open batch, with no object, closure or Buffer view per record. The records of
// one RawTarget share topic, partition choice, headers (encoded once) and one delivery report, which
// is called once per batch with how many records it settles, not once per record.
import { encodeHeaders, type EncodedHeaders } from '../protocol/record-batch-builder.js';
import type { Producer, RecordHeader } from './types.js';

/** Told once per batch: `records` of the target's records settled, with `bytes` of keys and values. */
export type RawDelivery = (error: Error | null, records: number, bytes: number) => void;

/** What the records appended with one target share; build it once with rawTarget(). */
export interface RawTarget {
  readonly topic: string;
  /** The partition every record goes to; undefined: by key hash, sticky when keyless. */
  readonly partition: number | undefined;
  readonly headers: RecordHeader[] | undefined;
  /** `headers` as encoded in each record (null: none). */
  readonly encodedHeaders: EncodedHeaders | null;
  /** Bytes each record counts against bufferMemory on top of its key and value. */
  readonly overheadBytes: number;
  readonly report: RawDelivery;
}

/** Bytes a raw record counts against bufferMemory on top of key, value and headers: its framing. */
const RAW_RECORD_OVERHEAD_BYTES = 8;

/** A target for records of `topic` (to `partition` when given) carrying `headers`, reported to `report`. */
export function rawTarget(topic: string, partition: number | undefined, headers: RecordHeader[] | undefined, report: RawDelivery): RawTarget {
  const encodedHeaders = headers !== undefined && headers.length > 0 ? encodeHeaders(headers) : null;
  return {
    topic, partition, headers: encodedHeaders === null ? undefined : headers, encodedHeaders, report,
    overheadBytes: RAW_RECORD_OVERHEAD_BYTES + (encodedHeaders?.bytes.length ?? 0),
  };
}

/** A producer that also takes raw records. */
export interface RawProducer extends Producer {
  /**
   * Appends one record of `target`: key src[keyStart, keyEnd) (keyStart -1: null key), value
   * src[valueStart, valueEnd), CreateTime `timestamp`. The bytes are copied before it returns. Returns
   * whether the buffer still has room (as enqueue() does); failures reach target.report.
   */
  appendRaw(target: RawTarget, src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number): boolean;
}

/** Whether `p` takes raw records. */
export function isRawProducer(p: Producer): p is RawProducer {
  return typeof (p as Partial<RawProducer>).appendRaw === 'function';
}
