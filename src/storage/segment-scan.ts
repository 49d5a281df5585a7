// Walking the batches of one segment's `.log` file (format in log-segment.ts) from a batch boundary, apart
// from the segment's in-memory state: findBatch() reads batch headers only (lookups, replication
// truncation, the epoch-cache rebuild); validateBatches() reads every batch whole and checks it (recovery:
// length, magic, CRC-32C, contiguous BaseOffsets) and says where and why it stopped. Every read goes
// through readFully(), on the segment's pooled descriptor.
import {
  BATCH_HEADER_BYTES, LOG_OVERHEAD, batchSizeAt, baseOffsetAt, lastOffsetDeltaAt, maxTimestampAt, validateBatch,
} from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';
import type { PooledFile } from './file-pool.js';

/** Bytes read per step when walking batch headers. */
const HEADER_SCAN_BYTES = 64 * 1024;
/** Bytes read per step when validating (checking every CRC). */
const RECOVERY_READ_BYTES = 1024 * 1024;

/** Where a validation stopped early and what is past that point. */
export interface SegmentTruncation {
  position: number;
  offset: number;
  bytesCut: number;
  reason: string;
}

/** A batch found by a header walk, with the chunk of file bytes that holds its header. */
export interface BatchLocation {
  position: number;
  sizeBytes: number;
  baseOffset: number;
  lastOffset: number;
  chunk: Buffer;
  chunkPosition: number;
}

/** Receives each sound batch a validation passes, in file order. */
export type BatchVisitor = (position: number, baseOffset: number, lastOffset: number, maxTimestampMs: number, sizeBytes: number) => void;

/**
 * Validates the batches from `position` (expected to hold `expectedOffset`) to `fileSize`, passing each
 * sound one to `visit`. Returns where the first bad or torn batch starts and why, or null when all were sound.
 */
export async function validateBatches(
  file: PooledFile, position: number, expectedOffset: number, fileSize: number, visit: BatchVisitor,
): Promise<SegmentTruncation | null> {
  let buf = Buffer.allocUnsafe(Math.min(RECOVERY_READ_BYTES, Math.max(fileSize - position, 0)));
  let bufPosition = position;
  let bufLength = 0;
  const ensure = async (at: number, n: number): Promise<void> => {
    if (at >= bufPosition && at + n <= bufPosition + bufLength) return;
    if (n > buf.length) buf = Buffer.allocUnsafe(n);
    bufPosition = at;
    bufLength = await readFully(file, buf, Math.min(buf.length, fileSize - at), at);
  };
  let pos = position;
  let expected = expectedOffset;
  const stop = (reason: string): SegmentTruncation => ({ position: pos, offset: expected, bytesCut: fileSize - pos, reason });
  while (pos < fileSize) {
    const left = fileSize - pos;
    if (left < LOG_OVERHEAD) return stop(`torn batch: only ${left} bytes of a batch header`);
    await ensure(pos, LOG_OVERHEAD);
    const size = batchSizeAt(buf, pos - bufPosition);
    if (size < BATCH_HEADER_BYTES) return stop(`BatchLength ${size - LOG_OVERHEAD} is below the minimum ${BATCH_HEADER_BYTES - LOG_OVERHEAD}`);
    if (size > left) return stop(`torn batch: ${size} bytes needed, ${left} left in the file`);
    await ensure(pos, size);
    const at = pos - bufPosition;
    const bad = validateBatch(buf, at, size);
    if (bad !== null) return stop(bad.message);
    const base = baseOffsetAt(buf, at);
    if (base !== expected) return stop(`BaseOffset ${base} where ${expected} was expected`);
    const last = base + lastOffsetDeltaAt(buf, at);
    visit(pos, base, last, maxTimestampAt(buf, at), size);
    pos += size;
    expected = last + 1;
  }
  return null;
}

/**
 * Walks batch headers from `position` (which must start the batch at `expectedOffset`) until `want`, never
 * past `limitBytes`; null when no batch there is wanted. A wrong starting point (an index entry damaged
 * after a clean close) costs a walk from the start of the segment (position 0, `segmentBase`).
 */
export async function findBatch(
  file: PooledFile, segmentBase: number, position: number, expectedOffset: number, limitBytes: number,
  want: (loc: BatchLocation) => boolean,
): Promise<BatchLocation | null> {
  let chunk = Buffer.alloc(0);
  let chunkPosition = position;
  let pos = position;
  let expected = expectedOffset;
  while (pos < limitBytes) {
    if (pos < chunkPosition || pos + BATCH_HEADER_BYTES > chunkPosition + chunk.length) {
      const len = Math.min(HEADER_SCAN_BYTES, limitBytes - pos);
      if (len < BATCH_HEADER_BYTES) throw inconsistentSegment(file.path, `${len} bytes at position ${pos} are too few for a batch header`);
      chunk = Buffer.allocUnsafe(len);
      await readFully(file, chunk, len, pos);
      chunkPosition = pos;
    }
    const at = pos - chunkPosition;
    const sizeBytes = batchSizeAt(chunk, at);
    const baseOffset = baseOffsetAt(chunk, at);
    if (sizeBytes < BATCH_HEADER_BYTES || pos + sizeBytes > limitBytes || baseOffset !== expected) {
      if (pos === position && position !== 0) return findBatch(file, segmentBase, 0, segmentBase, limitBytes, want);
      throw inconsistentSegment(file.path, `the batch at position ${pos} is not the one expected at offset ${expected}`);
    }
    const loc: BatchLocation = {
      position: pos, sizeBytes, baseOffset, lastOffset: baseOffset + lastOffsetDeltaAt(chunk, at), chunk, chunkPosition,
    };
    if (want(loc)) return loc;
    pos += sizeBytes;
    expected = loc.lastOffset + 1;
  }
  return null;
}

/** The error for a segment file that does not hold what its index or size says. */
export function inconsistentSegment(logPath: string, detail: string): MqError {
  return new MqError('KAFKA_STORAGE_ERROR', `segment ${logPath} is inconsistent with its index: ${detail}`, { retriable: true });
}

/** Reads exactly `length` bytes at `position` into buf[0, length); fails on a short read. */
export async function readFully(file: PooledFile, buf: Buffer, length: number, position: number): Promise<number> {
  return file.use(async (fh) => {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`unexpected end of file at position ${position + done}`);
      done += bytesRead;
    }
    return done;
  });
}
