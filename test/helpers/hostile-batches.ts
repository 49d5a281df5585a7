// Record batches a hostile or broken producer could send, each with a valid CRC: counts that lie,
// garbage records, and compression bombs (gzip and lz4) that inflate far beyond their size. Built
// without ever holding the inflated bytes. No import-time side effects.
import { gzipSync } from 'node:zlib';
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_BATCH_LENGTH, OFF_LAST_OFFSET_DELTA,
  OFF_RECORDS_COUNT, writeCrc,
} from '../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';

/** A valid uncompressed batch of these values (null keys). */
export function batchOf(values: (string | Buffer)[], keys?: (Buffer | null)[]): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20 });
  values.forEach((v, i) => {
    if (!b.tryAppend({ key: keys?.[i] ?? null, value: Buffer.from(v), timestamp: 1_700_000_000_000 })) throw new Error('batch full');
  });
  return b.build();
}

/** Sets RecordsCount = `count` and LastOffsetDelta = count - 1 (the header stays consistent), then the CRC. */
function countedAndSealed(out: Buffer, count: number): Buffer {
  out.writeInt32BE(count, OFF_RECORDS_COUNT);
  out.writeInt32BE(count - 1, OFF_LAST_OFFSET_DELTA);
  writeCrc(out);
  return out;
}

/** `batch` claiming `count` records, its CRC rewritten. */
export function withRecordsCount(batch: Buffer, count: number): Buffer {
  return countedAndSealed(Buffer.from(batch), count);
}

/** `batch` with every byte after the header set to `byte`, CRC rewritten. */
export function withBodyFilled(batch: Buffer, byte: number): Buffer {
  const out = Buffer.from(batch);
  out.fill(byte, BATCH_HEADER_BYTES);
  writeCrc(out);
  return out;
}

/** A batch with the header of `template` (one record) and `body` as its records, codec `codec`, CRC set. */
export function withBody(body: Buffer, codec: number, count = 1, template = batchOf(['x'])): Buffer {
  const out = Buffer.concat([template.subarray(0, BATCH_HEADER_BYTES), body]);
  out.writeInt32BE(out.length - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  out.writeInt16BE((out.readInt16BE(OFF_ATTRIBUTES) & ~7) | codec, OFF_ATTRIBUTES);
  return countedAndSealed(out, count);
}

/** Rewrites BaseOffset (outside the CRC), as a broker does. */
export function withBaseOffset(batch: Buffer, baseOffset: number): Buffer {
  const out = Buffer.from(batch);
  out.writeBigInt64BE(BigInt(baseOffset), OFF_BASE_OFFSET);
  return out;
}

function zigzagVarint(v: number): Buffer {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) { bytes.push((z % 0x80) | 0x80); z = Math.floor(z / 0x80); }
  bytes.push(z);
  return Buffer.from(bytes);
}

/** The bytes of one record (offset delta 0, null key) up to its value, for a value of `valueBytes`. */
function recordPrefix(valueBytes: number): Buffer {
  const tail = Buffer.concat([Buffer.from([0, 0, 0, 1]), zigzagVarint(valueBytes)]); // attrs, ts delta, offset delta, key -1
  const body = tail.length + valueBytes + 1; // + HeadersCount 0
  return Buffer.concat([zigzagVarint(body), tail]);
}

const MIB = 1 << 20;

/**
 * A gzip batch of one record whose value is `inflatedMiB` MiB of zeros: gzip members back to back (a
 * gunzip reads them as one stream), about 1 KiB each per MiB, so 1000 MiB fit in a batch of about 1 MB.
 */
export function gzipBomb(inflatedMiB: number): Buffer {
  const zeros = gzipSync(Buffer.alloc(MIB), { level: 9 });
  const members = [gzipSync(recordPrefix(inflatedMiB * MIB))];
  for (let i = 0; i < inflatedMiB; i++) members.push(zeros);
  members.push(gzipSync(Buffer.from([0]))); // HeadersCount 0
  return withBody(Buffer.concat(members), 1);
}

/**
 * An LZ4 batch of `blocks` blocks (4 MiB block size), each about 16 KiB inflating to just under 4 MiB
 * (255:1): one literal, then one match from 1 byte back as long as the block allows.
 */
export function lz4Bomb(blocks: number): Buffer {
  const matchLength = 4 * MIB - 2;
  const extra = matchLength - 4 - 15;
  const block = Buffer.concat([
    Buffer.from([(1 << 4) | 15, 0x61, 1, 0]), Buffer.alloc(Math.floor(extra / 255), 255), Buffer.from([extra % 255]),
  ]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(block.length);
  // magic, FLG (version 1, block independence), BD (4 MiB blocks), header checksum (not verified by mq)
  const parts = [Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73])];
  for (let i = 0; i < blocks; i++) parts.push(size, block);
  parts.push(Buffer.alloc(4)); // end mark
  return withBody(Buffer.concat(parts), 3);
}
