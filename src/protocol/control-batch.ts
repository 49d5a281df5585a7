// Transaction markers (PROTOCOL.md §3.5): a control batch (Attributes control and transactional bits set,
// BaseSequence -1) of the transaction's ProducerId and epoch holding one record whose key is
// {Version INT16 0, Type INT16: 0 ABORT, 1 COMMIT} and value {Version INT16 0, CoordinatorEpoch INT32}.
// Never compressed. The broker writes them (clients' Produce may not); readers step past them.
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_HEADER_BYTES, OFF_ATTRIBUTES, writeCrc } from './batch-header.js';
import { Reader } from './reader.js';
import { readVarlong } from './record-batch.js';
import { RecordBatchBuilder } from './record-batch-builder.js';

export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;

export interface TxnMarker {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestampMs: number;
}

/** The marker's control batch (BaseOffset 0: the log gives it its offset). */
export function buildControlBatch(m: TxnMarker): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(m.commit ? CONTROL_COMMIT : CONTROL_ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  const builder = new RecordBatchBuilder({ producerId: m.producerId, producerEpoch: m.producerEpoch, baseSequence: -1 });
  builder.tryAppend({ key, value, timestamp: m.timestampMs, headers: [] });
  const batch = Buffer.from(builder.build());
  batch.writeInt16BE(batch.readInt16BE(OFF_ATTRIBUTES) | ATTR_CONTROL | ATTR_TRANSACTIONAL, OFF_ATTRIBUTES);
  writeCrc(batch);
  return batch;
}

/**
 * The Type of the control batch at `at` in `buf` (CONTROL_ABORT, CONTROL_COMMIT, or another Kafka type),
 * or -1 when its first record is not a control key (or not all in `buf`).
 */
export function controlTypeAt(buf: Buffer, at: number, size: number): number {
  if (at + size > buf.length || size < BATCH_HEADER_BYTES + 8) return -1;
  try {
    const r = new Reader(buf, at + BATCH_HEADER_BYTES, at + size);
    r.varint(); // record length
    r.int8(); // attributes
    readVarlong(r); // timestamp delta
    r.varint(); // offset delta
    if (r.varint() < 4) return -1;
    r.int16(); // key version
    return r.int16();
  } catch {
    return -1;
  }
}
