// Producer-state snapshot files beside a log's segments: `<offset, 20 digits>.snapshot` holds the producer
// state (producer-state.ts) of every batch below that offset, so opening the log replays only the batch
// headers from the newest usable snapshot on instead of the whole log.
//
// Format (big-endian): "MQPS", version INT16 (1), CRC-32C INT32 of everything after it, producer count
// INT32, then per producer: ProducerId INT64, epoch INT16, last timestamp INT64, open transaction's first
// offset INT64 (-1: none), last closed transaction's first and marker offsets INT64 (-1: none), batch
// count INT8, and per batch: epoch INT16, first and last sequence INT32, first and last offset INT64; then
// the aborted transactions: count INT32, each ProducerId INT64, first, marker and last stable offsets INT64.
// Written to a temp file and renamed (not fsynced: see writeSnapshot); a file that fails its checks is
// deleted with a log line (the log is replayed instead).
import { crc32c } from '@node-rs/crc32';
import { readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AbortedTxn, ProducerEntry, ProducerStateTable } from './producer-state.js';

const MAGIC = 'MQPS';
const VERSION = 1;
const HEADER_BYTES = 4 + 2 + 4 + 4;
const ENTRY_BYTES = 8 + 2 + 8 + 8 + 8 + 8 + 1;
const ABORTED_BYTES = 8 + 8 + 8 + 8;
const BATCH_BYTES = 2 + 4 + 4 + 8 + 8;
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;

export function snapshotPath(dir: string, offset: number): string {
  return join(dir, `${String(offset).padStart(20, '0')}.snapshot`);
}

/** The offsets of the snapshot files in `dir`, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.flatMap((n) => {
    const m = SNAPSHOT_NAME.exec(n);
    return m === null ? [] : [Number(m[1])];
  }).sort((a, b) => a - b);
}

export function encodeSnapshot(table: ProducerStateTable): Buffer {
  const aborted = table.abortedList();
  let size = HEADER_BYTES + 4 + aborted.length * ABORTED_BYTES;
  for (const [, e] of table.all()) size += ENTRY_BYTES + e.batches.length * BATCH_BYTES;
  const buf = Buffer.alloc(size);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeInt16BE(VERSION, 4);
  buf.writeInt32BE(table.size, 10);
  let at = HEADER_BYTES;
  for (const [id, e] of table.all()) {
    buf.writeBigInt64BE(id, at);
    buf.writeInt16BE(e.epoch, at + 8);
    buf.writeBigInt64BE(BigInt(e.lastTimestampMs), at + 10);
    buf.writeBigInt64BE(BigInt(e.txnFirstOffset), at + 18);
    buf.writeBigInt64BE(BigInt(e.lastTxnFirstOffset), at + 26);
    buf.writeBigInt64BE(BigInt(e.lastTxnMarkerOffset), at + 34);
    buf.writeInt8(e.batches.length, at + 42);
    at += ENTRY_BYTES;
    for (const b of e.batches) {
      buf.writeInt16BE(b.epoch, at);
      buf.writeInt32BE(b.firstSequence, at + 2);
      buf.writeInt32BE(b.lastSequence, at + 6);
      buf.writeBigInt64BE(BigInt(b.firstOffset), at + 10);
      buf.writeBigInt64BE(BigInt(b.lastOffset), at + 18);
      at += BATCH_BYTES;
    }
  }
  buf.writeInt32BE(aborted.length, at);
  at += 4;
  for (const a of aborted) {
    buf.writeBigInt64BE(a.producerId, at);
    buf.writeBigInt64BE(BigInt(a.firstOffset), at + 8);
    buf.writeBigInt64BE(BigInt(a.lastOffset), at + 16);
    buf.writeBigInt64BE(BigInt(a.lastStableOffset), at + 24);
    at += ABORTED_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(10)) >>> 0, 6);
  return buf;
}

export interface DecodedSnapshot {
  producers: [bigint, ProducerEntry][];
  aborted: AbortedTxn[];
}

/** The producers and aborted transactions of a snapshot file's bytes; throws an Error saying what is wrong with them. */
export function decodeSnapshot(buf: Buffer): DecodedSnapshot {
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a producer snapshot');
  const version = buf.readInt16BE(4);
  if (version !== VERSION) throw new Error(`snapshot version ${version} is not ${VERSION}`);
  if ((crc32c(buf.subarray(10)) >>> 0) !== buf.readUInt32BE(6)) throw new Error('CRC mismatch');
  const count = buf.readInt32BE(10);
  const out: [bigint, ProducerEntry][] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_BYTES > buf.length) throw new Error(`truncated at producer ${i} of ${count}`);
    const id = buf.readBigInt64BE(at);
    const entry: ProducerEntry = {
      epoch: buf.readInt16BE(at + 8),
      lastTimestampMs: Number(buf.readBigInt64BE(at + 10)),
      txnFirstOffset: Number(buf.readBigInt64BE(at + 18)),
      lastTxnFirstOffset: Number(buf.readBigInt64BE(at + 26)),
      lastTxnMarkerOffset: Number(buf.readBigInt64BE(at + 34)),
      batches: [],
    };
    const batches = buf.readInt8(at + 42);
    at += ENTRY_BYTES;
    if (batches < 0 || at + batches * BATCH_BYTES > buf.length) throw new Error(`truncated in the batches of producer ${id}`);
    for (let j = 0; j < batches; j++) {
      entry.batches.push({
        epoch: buf.readInt16BE(at),
        firstSequence: buf.readInt32BE(at + 2),
        lastSequence: buf.readInt32BE(at + 6),
        firstOffset: Number(buf.readBigInt64BE(at + 10)),
        lastOffset: Number(buf.readBigInt64BE(at + 18)),
      });
      at += BATCH_BYTES;
    }
    out.push([id, entry]);
  }
  if (at + 4 > buf.length) throw new Error('truncated before the aborted transactions');
  const abortedCount = buf.readInt32BE(at);
  at += 4;
  if (abortedCount < 0 || at + abortedCount * ABORTED_BYTES !== buf.length) throw new Error(`${abortedCount} aborted transactions do not fill the ${buf.length - at} bytes left`);
  const aborted: AbortedTxn[] = [];
  for (let i = 0; i < abortedCount; i++, at += ABORTED_BYTES) {
    aborted.push({
      producerId: buf.readBigInt64BE(at),
      firstOffset: Number(buf.readBigInt64BE(at + 8)),
      lastOffset: Number(buf.readBigInt64BE(at + 16)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 24)),
    });
  }
  return { producers: out, aborted };
}

/**
 * Writes `table` as the snapshot at `offset` (temp file, rename). Not fsynced: a snapshot only spares a
 * replay, and one a crash tore or emptied fails its checks when read and is replaced by the replay, so
 * closing 10,000 partitions costs 10,000 small writes, not 10,000 fsyncs.
 */
export async function writeSnapshot(dir: string, offset: number, table: ProducerStateTable): Promise<void> {
  const path = snapshotPath(dir, offset);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, encodeSnapshot(table));
  await rename(tmp, path);
}

export async function readSnapshot(dir: string, offset: number): Promise<DecodedSnapshot> {
  return decodeSnapshot(await readFile(snapshotPath(dir, offset)));
}

/** Deletes the snapshot files at the given offsets (a missing one is fine). */
export async function deleteSnapshots(dir: string, offsets: number[]): Promise<void> {
  for (const o of offsets) await unlink(snapshotPath(dir, o)).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
}
