// One RecordBatch built by the producer's RecordBatchBuilder and then placed and marked as a broker
// would store it: a base offset, optionally LogAppendTime (the broker's time in MaxTimestamp) or the
// control bit, with the CRC rewritten. For decoding tests (consumer side). No import-time side effects.
import assert from 'node:assert/strict';
import { ATTR_CONTROL, ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_MAX_TIMESTAMP, writeCrc } from '../../src/protocol/batch-header.js';
import { RecordBatchBuilder, type BatchRecordInput } from '../../src/protocol/record-batch-builder.js';

export function builtBatch(baseOffset: number, recs: BatchRecordInput[], opts: { gzip?: boolean; logAppendTime?: number; control?: boolean } = {}): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20, compression: opts.gzip ? 'gzip' : 'none' });
  for (const r of recs) assert.equal(b.tryAppend(r), true);
  const buf = Buffer.from(b.build());
  buf.writeBigInt64BE(BigInt(baseOffset), OFF_BASE_OFFSET);
  let attributes = buf.readInt16BE(OFF_ATTRIBUTES);
  if (opts.logAppendTime !== undefined) {
    attributes |= ATTR_TIMESTAMP_TYPE;
    buf.writeBigInt64BE(BigInt(opts.logAppendTime), OFF_MAX_TIMESTAMP);
  }
  if (opts.control) attributes |= ATTR_CONTROL;
  buf.writeInt16BE(attributes, OFF_ATTRIBUTES);
  writeCrc(buf);
  return buf;
}
