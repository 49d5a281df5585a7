// A log's producer state with its snapshot files (producer-state.ts, producer-snapshots.ts), as the Log
// uses it: the checks and bookkeeping around an append, the cuts that follow a truncation or a failed
// write, expiry, and the snapshots. The Log decides when each runs (on its write queue where files change).
//
// A batch is taken into the state as it is queued (leader appends as they get their offsets, follower
// appends as they are copied). A write that fails: on a leader, the producers with batches from its offset
// on are forgotten (later leader appends were renumbered, so their recorded offsets are wrong; at worst a
// retry of theirs is written again); on a follower, the state is cut back to that offset (the appends queued
// behind it failed too, so the log ends there). A cut deletes the snapshots past it and syncs the folder: a
// crash must not bring back a snapshot of batches the cut removed (snapshots themselves are not fsynced; a
// torn one fails its CRC, but a whole one from before the cut would be believed).
import { basename } from 'node:path';
import type { TxnMarker } from '../protocol/control-batch.js';
import { MqError } from '../util/mq-error.js';
import { deleteSnapshots, writeSnapshot } from './producer-snapshots.js';
import type { BatchProducerInfo, ProducerBatch, ProducerStateTable } from './producer-state.js';
import { syncDir } from './sync-dir.js';

/** Producers idle this long are forgotten (Kafka's producer.id.expiration.ms default, one day). */
export const PRODUCER_ID_EXPIRATION_MS = 86_400_000;
/** Producer snapshots kept: the newest few (a cut deletes those past it). */
const SNAPSHOTS_KEPT = 2;

export class LogProducers {
  constructor(
    private readonly dir: string,
    /** The state itself (read access for the Log's callers). */
    readonly table: ProducerStateTable,
    /** Offsets of the snapshot files, ascending. */
    private snapshots: number[],
  ) {}

  /** The kept batch a client's batch repeats (a retry), or null when it is new; throws on a stale epoch or a gap. */
  retryOf(info: BatchProducerInfo): ProducerBatch | null {
    return this.table.checkAppend(info, basename(this.dir));
  }

  /** Whether the producer still has the kept batch [baseOffset, lastOffset] (its first write did not fail). */
  stillHas(producerId: bigint, baseOffset: number, lastOffset: number): boolean {
    return this.table.entry(producerId)?.batches.some((b) => b.firstOffset === baseOffset && b.lastOffset === lastOffset) ?? false;
  }

  /** Why a transaction marker may not be written (the producer has a newer epoch here), or null. */
  markerProblem(marker: TxnMarker): MqError | null {
    const e = this.table.entry(marker.producerId);
    if (e === undefined || marker.producerEpoch >= e.epoch) return null;
    return new MqError('INVALID_PRODUCER_EPOCH',
      `a transaction marker of producer ${marker.producerId} with epoch ${marker.producerEpoch} is older than its epoch ${e.epoch} in ${basename(this.dir)}`);
  }

  /** Takes a just-queued batch (offsets assigned) into the state and undoes it if its write fails (see the header). */
  track<T>(batch: Buffer, baseOffset: number, written: Promise<T>, follower: boolean): Promise<T> {
    this.table.applyBatch(batch);
    written.catch(() => {
      if (follower) this.table.truncateFrom(baseOffset);
      else this.table.forgetProducersFrom(baseOffset);
    });
    return written;
  }

  /** The state loses what is at or past `offset` (-1: everything), and so do the snapshots. */
  async cut(offset: number): Promise<void> {
    if (offset < 0) this.table.clear();
    else this.table.truncateFrom(offset);
    const past = this.snapshots.filter((o) => o > offset);
    if (past.length === 0) return;
    this.snapshots = this.snapshots.filter((o) => o <= offset);
    await deleteSnapshots(this.dir, past);
    await syncDir(this.dir);
  }

  /** The newest snapshot's offset, -1 when there is none. */
  get newestSnapshot(): number {
    return this.snapshots[this.snapshots.length - 1] ?? -1;
  }

  /** Offsets of the snapshot files, ascending (tests and tools). */
  snapshotOffsets(): number[] {
    return this.snapshots.slice();
  }

  /** Writes the state below `end` as a snapshot and deletes the ones beyond the newest kept. */
  async snapshot(end: number): Promise<void> {
    await writeSnapshot(this.dir, end, this.table.copyBelow(end));
    this.snapshots = [...this.snapshots.filter((o) => o !== end), end];
    const old = this.snapshots.slice(0, Math.max(0, this.snapshots.length - SNAPSHOTS_KEPT));
    this.snapshots = this.snapshots.slice(old.length);
    await deleteSnapshots(this.dir, old);
  }
}
