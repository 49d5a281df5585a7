// What one partition replica knows of its idempotent and transactional producers (Kafka's producer state):
// per ProducerId the current epoch and the last five batches' sequence ranges and offsets, the newest batch
// timestamp, and the first offset of the producer's open transaction; for the partition, the open
// transactions (the last stable offset is the first offset of the oldest, or the high watermark) and the
// aborted transactions (ProducerId, first offset, marker offset) that read_committed fetches name.
// The log is the truth: this is built from batch headers in offset order (applyBatch), by the leader as
// it assigns offsets and by followers as they copy the leader's batches, so every replica holds the same
// state and a new leader dedups the retries the old one had acknowledged.
//
// The leader checks a producer's batch before giving it offsets (checkAppend), Kafka's rules:
//   - an epoch older than the producer's is INVALID_PRODUCER_EPOCH;
//   - the same epoch and the same sequence range as one of the five kept batches is a retry: the caller
//     answers it with that batch's offsets and writes nothing;
//   - the same epoch must continue the last sequence (INT32 max wraps to 0), a newer epoch must start at
//     sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;
//   - a producer this partition has no state for is taken whatever its sequence (Kafka >= 2.5, KIP-360: its
//     state may have been expired or cut away by retention).
//
// A transactional batch opens its producer's transaction at its offset (if none is open); the producer's
// control batch (transaction marker) closes it, and an ABORT marker adds the transaction to the aborted
// list with the last stable offset right after it (fetches stop looking there, as Kafka's index does).
//
// Cutting state back to an offset (truncation, a failed write, a snapshot of what is written) drops the
// kept batches at or past it and the producers left with none; the producer's epoch goes back to its newest
// kept batch's. That narrows the retry window of the producers cut (Kafka replays the log from a snapshot
// instead), never lets a batch through twice that a replica still holds, and never refuses one it lacks.
// Snapshots of this state (producer-snapshots.ts) spare a restart the replay of the whole log.
import {
  ATTR_CONTROL, ATTR_TRANSACTIONAL, OFF_ATTRIBUTES, OFF_BASE_OFFSET, OFF_BASE_SEQUENCE, OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, batchSizeAt, lastOffsetDeltaAt,
} from '../protocol/batch-header.js';
import { CONTROL_ABORT, controlTypeAt } from '../protocol/control-batch.js';
import { MqError } from '../util/mq-error.js';

/** Batches kept per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN; clients keep at most 5 in flight). */
export const BATCHES_KEPT = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

export interface ProducerBatch {
  epoch: number;
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  epoch: number;
  /** The newest kept batches, oldest first (at most BATCHES_KEPT). */
  batches: ProducerBatch[];
  /** MaxTimestamp of the producer's newest batch (expiry). */
  lastTimestampMs: number;
  /** First offset of the producer's open transaction; -1 when none is open. */
  txnFirstOffset: number;
  /** The producer's last closed transaction: its first offset and its marker's (-1, -1: none), so a cut below the marker reopens it. */
  lastTxnFirstOffset: number;
  lastTxnMarkerOffset: number;
}

/** An aborted transaction as read_committed fetches name it, with the last stable offset right after its marker. */
export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** The producer fields of one batch header. */
export interface BatchProducerInfo {
  producerId: bigint;
  epoch: number;
  firstSequence: number;
  count: number;
}

/** The producer fields of the batch header at `at` in `buf`; null for a batch without a producer id. */
export function producerInfoAt(buf: Buffer, at = 0): BatchProducerInfo | null {
  const producerId = buf.readBigInt64BE(at + OFF_PRODUCER_ID);
  if (producerId < 0n) return null;
  return {
    producerId,
    epoch: buf.readInt16BE(at + OFF_PRODUCER_EPOCH),
    firstSequence: buf.readInt32BE(at + OFF_BASE_SEQUENCE),
    count: lastOffsetDeltaAt(buf, at) + 1,
  };
}

/** The sequence `n` records after `sequence` (sequences wrap from INT32 max to 0). */
function sequenceAfter(sequence: number, n: number): number {
  return (sequence + n) % (MAX_SEQUENCE + 1);
}

export class ProducerStateTable {
  private readonly entries = new Map<bigint, ProducerEntry>();
  /** ProducerId -> first offset of its open transaction (mirrors the entries' txnFirstOffset). */
  private readonly openTxns = new Map<bigint, number>();
  /** Aborted transactions, by marker offset. */
  private aborted: AbortedTxn[] = [];

  get size(): number {
    return this.entries.size;
  }

  entry(producerId: bigint): ProducerEntry | undefined {
    return this.entries.get(producerId);
  }

  /** Every producer with its state (snapshots, tools). */
  all(): IterableIterator<[bigint, ProducerEntry]> {
    return this.entries.entries();
  }

  /** The aborted transactions kept, by marker offset (snapshots). */
  abortedList(): readonly AbortedTxn[] {
    return this.aborted;
  }

  /** First offset of the oldest open transaction, -1 when none is open (the last stable offset's bound). */
  firstOpenTxnOffset(): number {
    let first = -1;
    for (const o of this.openTxns.values()) if (first < 0 || o < first) first = o;
    return first;
  }

  /**
   * The aborted transactions a read_committed fetch from `fromOffset` whose data ends before `upTo` must
   * name: marker at or after fromOffset and first offset below upTo.
   */
  abortedBetween(fromOffset: number, upTo: number): { producerId: bigint; firstOffset: number }[] {
    const out: { producerId: bigint; firstOffset: number }[] = [];
    const list = this.aborted;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) {
      const a = list[i];
      if (a.firstOffset < upTo) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
      // Later markers lie past a point where no transaction begun before upTo was open.
      if (a.lastStableOffset >= upTo) break;
    }
    return out;
  }

  /**
   * Checks a client's batch before it gets offsets: the kept batch it repeats (a retry, to be answered with
   * that batch's offsets), or null when it is new and may be appended. Throws INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE_NUMBER (MqError) when it may not.
   */
  checkAppend(info: BatchProducerInfo, where: string): ProducerBatch | null {
    const e = this.entries.get(info.producerId);
    if (e === undefined) return null;
    const lastSequence = sequenceAfter(info.firstSequence, info.count - 1);
    if (info.epoch < e.epoch) {
      throw new MqError('INVALID_PRODUCER_EPOCH',
        `producer ${info.producerId} wrote to ${where} with epoch ${info.epoch}, older than its epoch ${e.epoch}: a newer instance of it took over`);
    }
    if (info.epoch === e.epoch) {
      for (const b of e.batches) {
        if (b.epoch === info.epoch && b.firstSequence === info.firstSequence && b.lastSequence === lastSequence) return b;
      }
    }
    const last = e.batches[e.batches.length - 1];
    if (info.epoch > e.epoch) {
      if (info.firstSequence !== 0) {
        throw new MqError('OUT_OF_ORDER_SEQUENCE_NUMBER',
          `producer ${info.producerId} began epoch ${info.epoch} on ${where} at sequence ${info.firstSequence}; a new epoch starts at 0`);
      }
    } else if (last !== undefined && info.firstSequence !== sequenceAfter(last.lastSequence, 1)) {
      throw new MqError('OUT_OF_ORDER_SEQUENCE_NUMBER',
        `producer ${info.producerId} sent sequence ${info.firstSequence} to ${where}, expected ${sequenceAfter(last.lastSequence, 1)} `
        + '(a batch before it was lost: the producer must start a new sequence)');
    }
    return null;
  }

  /**
   * Takes one batch (its header at `at` in `buf`, BaseOffset assigned) into the state, in offset order:
   * leader appends as they get offsets, follower appends as they are copied, recovery as it replays.
   */
  applyBatch(buf: Buffer, at = 0): void {
    const info = producerInfoAt(buf, at);
    if (info === null) return;
    const firstOffset = Number(buf.readBigInt64BE(at + OFF_BASE_OFFSET));
    const attributes = buf.readInt16BE(at + OFF_ATTRIBUTES);
    const timestampMs = Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP));
    let e = this.entries.get(info.producerId);
    if (e === undefined) {
      e = { epoch: info.epoch, batches: [], lastTimestampMs: timestampMs, txnFirstOffset: -1, lastTxnFirstOffset: -1, lastTxnMarkerOffset: -1 };
      this.entries.set(info.producerId, e);
    }
    if (info.epoch > e.epoch) {
      e.epoch = info.epoch;
      e.batches = [];
    }
    e.lastTimestampMs = Math.max(e.lastTimestampMs, timestampMs);
    if (attributes & ATTR_CONTROL) {
      this.endTransaction(info.producerId, e, firstOffset, controlTypeAt(buf, at, batchSizeAt(buf, at)));
      return;
    }
    if ((attributes & ATTR_TRANSACTIONAL) && e.txnFirstOffset < 0) {
      e.txnFirstOffset = firstOffset;
      this.openTxns.set(info.producerId, firstOffset);
    }
    if (info.firstSequence < 0) return;
    e.batches.push({
      epoch: info.epoch,
      firstSequence: info.firstSequence,
      lastSequence: sequenceAfter(info.firstSequence, info.count - 1),
      firstOffset,
      lastOffset: firstOffset + info.count - 1,
    });
    if (e.batches.length > BATCHES_KEPT) e.batches.shift();
  }

  /** A marker at `offset` of type `type` (control-batch.ts) ends the producer's open transaction. */
  private endTransaction(producerId: bigint, e: ProducerEntry, offset: number, type: number): void {
    const first = e.txnFirstOffset;
    if (first < 0) return;
    e.txnFirstOffset = -1;
    e.lastTxnFirstOffset = first;
    e.lastTxnMarkerOffset = offset;
    this.openTxns.delete(producerId);
    if (type === CONTROL_ABORT) {
      const open = this.firstOpenTxnOffset();
      this.aborted.push({ producerId, firstOffset: first, lastOffset: offset, lastStableOffset: open < 0 ? offset + 1 : open });
    }
  }

  /**
   * Forgets every batch at or past `offset` (the log was cut there), and the markers: a transaction whose
   * marker is cut is open again. Producers left with nothing before the cut are forgotten.
   */
  truncateFrom(offset: number): void {
    for (const [id, e] of this.entries) {
      if (!cutEntry(e, offset)) this.entries.delete(id);
    }
    this.aborted = this.aborted.filter((a) => a.lastOffset < offset);
    this.syncOpenTxns();
  }

  /** Rebuilds openTxns from the entries (after an operation on many of them). */
  private syncOpenTxns(): void {
    this.openTxns.clear();
    for (const [id, e] of this.entries) if (e.txnFirstOffset >= 0) this.openTxns.set(id, e.txnFirstOffset);
  }

  /** Forgets outright every producer with a batch at or past `offset` (a write that failed there). */
  forgetProducersFrom(offset: number): void {
    for (const [id, e] of this.entries) {
      if (e.batches.some((b) => b.lastOffset >= offset) || e.txnFirstOffset >= offset || e.lastTxnMarkerOffset >= offset) this.entries.delete(id);
    }
    this.aborted = this.aborted.filter((a) => a.lastOffset < offset);
    this.syncOpenTxns();
  }

  /** Forgets producers whose newest batch is below the log start (retention or DeleteRecords removed them). */
  evictBelow(logStartOffset: number): number {
    let n = 0;
    for (const [id, e] of this.entries) {
      const newest = e.batches[e.batches.length - 1];
      if (e.txnFirstOffset < 0 && newest !== undefined && newest.lastOffset < logStartOffset) {
        this.entries.delete(id);
        n += 1;
      }
    }
    let cut = 0;
    while (cut < this.aborted.length && this.aborted[cut].lastOffset < logStartOffset) cut += 1;
    if (cut > 0) this.aborted = this.aborted.slice(cut);
    return n;
  }

  /** Forgets producers idle (newest batch timestamp) for longer than `expirationMs`, unless a transaction is open. */
  expire(nowMs: number, expirationMs: number): number {
    let n = 0;
    for (const [id, e] of this.entries) {
      if (e.txnFirstOffset < 0 && e.lastTimestampMs < nowMs - expirationMs) {
        this.entries.delete(id);
        n += 1;
      }
    }
    return n;
  }

  /** A copy cut back to `offset` (what a snapshot at that offset holds). */
  copyBelow(offset: number): ProducerStateTable {
    const copy = new ProducerStateTable();
    for (const [id, e] of this.entries) {
      const c: ProducerEntry = { ...e, batches: e.batches.slice() };
      if (cutEntry(c, offset)) copy.entries.set(id, c);
    }
    copy.aborted = this.aborted.filter((a) => a.lastOffset < offset);
    copy.syncOpenTxns();
    return copy;
  }

  /** Replaces the whole state (a snapshot was loaded). */
  reset(entries: Iterable<[bigint, ProducerEntry]>, aborted: AbortedTxn[] = []): void {
    this.entries.clear();
    for (const [id, e] of entries) this.entries.set(id, e);
    this.aborted = aborted;
    this.syncOpenTxns();
  }

  clear(): void {
    this.entries.clear();
    this.openTxns.clear();
    this.aborted = [];
  }
}

/** Cuts `e` back to below `offset` in place; false when nothing of it is left. */
function cutEntry(e: ProducerEntry, offset: number): boolean {
  if (e.txnFirstOffset >= offset) e.txnFirstOffset = -1;
  if (e.lastTxnMarkerOffset >= offset) {
    if (e.lastTxnFirstOffset < offset) e.txnFirstOffset = e.lastTxnFirstOffset;
    e.lastTxnFirstOffset = -1;
    e.lastTxnMarkerOffset = -1;
  }
  const kept = e.batches.filter((b) => b.lastOffset < offset);
  if (kept.length === e.batches.length) return true;
  e.batches = kept;
  if (kept.length === 0) return e.txnFirstOffset >= 0;
  e.epoch = kept[kept.length - 1].epoch;
  return true;
}
