// Opening a log from its folder: which segments it has, how much of each can be trusted, where it
// starts and ends, and its leader epoch cache. Segment files are `<baseOffset, 20 digits>.log` with their
// `.index` and `.timeindex` (formats in log-segment.ts, offset-index.ts, time-index.ts); index files with
// no `.log` are removed (a retention pass deletes the `.log` first).
//
// When the clean-shutdown marker (log-checkpoints.ts) is present and matches the active segment, the
// indexes are trusted and only the active segment is validated from its last indexed batch. Otherwise
// every batch of every segment is validated (length, magic, CRC-32C, contiguous offsets), the log is cut
// at the first bad one and the indexes are rebuilt, so nothing below logEndOffset ever fails its CRC;
// except that segments below the recovery point (synced by a flush) are checked like a clean stop's
// (indexes plus the batches after the last index entry). Segments whose offsets do not follow on from the
// one before, and every segment after a cut, are deleted. The log start offset is the larger of
// `.log-start-offset` and the first segment's base offset; a log emptied by DeleteRecords keeps it even
// with no segment file left.
//
// `leader-epoch-checkpoint` (leader-epoch-cache.ts) loses the entries at or past the recovered end
// (written entry, lost batch) and has the one covering the log start raised to it; a missing or malformed
// file is rebuilt from the batch headers.
//
// The producer state (producer-state.ts) comes from the newest snapshot at or below the recovered end
// (producer-snapshots.ts; newer ones describe batches a crash lost and are deleted, as is a damaged one),
// then the batch headers from its offset (or the log start, with none) to the end are replayed into it.
import { readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Clock } from '../util/clock.js';
import { OFF_LEADER_EPOCH, baseOffsetAt } from '../protocol/batch-header.js';
import { storageError } from './disk-error.js';
import type { FilePool } from './file-pool.js';
import { LeaderEpochCache, type EpochEntry } from './leader-epoch-cache.js';
import type { LogCheckpoints } from './log-checkpoints.js';
import { LogSegment } from './log-segment.js';
import { ProducerStateTable } from './producer-state.js';
import { deleteSnapshots, listSnapshots, readSnapshot } from './producer-snapshots.js';
import type { SegmentTruncation } from './segment-scan.js';
import { syncDir } from './sync-dir.js';

const SEGMENT_LOG_NAME = /^(\d{20})\.log$/;
const SEGMENT_INDEX_NAME = /^(\d{20})\.(index|timeindex)$/;

/** What opening the folder found: the sound segments (oldest first, at least one) and the log's bounds. */
export interface RecoveredLog {
  segments: LogSegment[];
  /** The offset after the last sound batch. */
  endOffset: number;
  startOffset: number;
  epochCache: LeaderEpochCache;
  producers: ProducerStateTable;
  /** Offsets of the producer snapshots kept, ascending. */
  snapshots: number[];
}

export interface RecoveryContext {
  dir: string;
  indexIntervalBytes: number;
  checkpoints: LogCheckpoints;
  pool: FilePool;
  clock: Clock;
  /** Receives one line per truncation, deletion or index rebuild. */
  logLine: (msg: string) => void;
}

/** Recovers the log in `ctx.dir` (which exists), creating its first segment when it has none. */
export async function recoverLog(ctx: RecoveryContext): Promise<RecoveredLog> {
  const { segments, endOffset, startOffset } = await loadSegments(ctx);
  const epochCache = await loadEpochCache(ctx, segments, endOffset, startOffset);
  const { producers, snapshots } = await loadProducerState(ctx, segments, endOffset, startOffset);
  return { segments, endOffset, startOffset, epochCache, producers, snapshots };
}

async function loadSegments(ctx: RecoveryContext): Promise<Pick<RecoveredLog, 'segments' | 'endOffset' | 'startOffset'>> {
  const { dir, checkpoints, pool } = ctx;
  const names = await readdir(dir);
  const bases = names.flatMap((n) => {
    const m = SEGMENT_LOG_NAME.exec(n);
    return m === null ? [] : [Number(m[1])];
  }).sort((a, b) => a - b);
  const known = new Set(bases);
  for (const n of names) {
    const m = SEGMENT_INDEX_NAME.exec(n);
    if (m !== null && !known.has(Number(m[1]))) await unlink(join(dir, n));
  }
  const marker = await checkpoints.takeCleanShutdown();
  const nowMs = ctx.clock.now();
  const interval = ctx.indexIntervalBytes;

  if (bases.length === 0) {
    // A log emptied by DeleteRecords keeps its start offset even with no segment file left.
    const start = Math.max(await checkpoints.readLogStart(), 0);
    const segments = [await LogSegment.create(dir, start, interval, nowMs, pool)];
    await syncDir(dir);
    return { segments, endOffset: start, startOffset: start };
  }
  const segments: LogSegment[] = [];
  try {
    for (const base of bases) segments.push(await LogSegment.openExisting(dir, base, interval, nowMs, pool));
  } catch (err) {
    for (const seg of segments) await seg.close().catch(() => undefined);
    throw storageError(err, `open of ${dir}`);
  }

  let clean = marker !== null;
  const last = segments[segments.length - 1];
  if (marker !== null && (marker.activeBaseOffset !== last.baseOffset || marker.activeSizeBytes !== last.sizeBytes)) {
    ctx.logLine(`${dir}: the clean-shutdown marker (segment ${marker.activeBaseOffset}, ${marker.activeSizeBytes} bytes) `
      + `does not match the files (segment ${last.baseOffset}, ${last.sizeBytes} bytes); checking every segment`);
    clean = false;
  }
  try {
    const recoveryPoint = clean ? -1 : await checkpoints.readRecoveryPoint();
    const removed = await recoverSegments(ctx, segments, clean, recoveryPoint);
    const active = segments[segments.length - 1];
    for (const seg of segments) {
      // A sealed segment's time index ends with its largest timestamp (a rebuilt one needs it added).
      if (seg !== active) seg.finishTimeIndex();
      await seg.persistIndexes();
      if (seg !== active) {
        await seg.index.close();
        await seg.timeIndex.close();
        seg.releaseIndexes();
      }
    }
    if (removed) await syncDir(dir);
  } catch (err) {
    for (const seg of segments) await seg.close().catch(() => undefined);
    throw storageError(err, `recovery of ${dir}`);
  }
  // After a clean stop everything was synced; after a crash what recovery kept is what is on disk.
  const endOffset = segments[segments.length - 1].endOffset;
  const checkpoint = await checkpoints.readLogStart();
  return { segments, endOffset, startOffset: Math.min(Math.max(checkpoint, segments[0].baseOffset), endOffset) };
}

/**
 * Loads `leader-epoch-checkpoint`, dropping entries at or past the recovered end and raising the one
 * covering the log start. A missing or malformed file is rebuilt from the batch headers (a log written
 * before the cache existed) when the log holds batches.
 */
async function loadEpochCache(
  ctx: RecoveryContext, segments: LogSegment[], endOffset: number, startOffset: number,
): Promise<LeaderEpochCache> {
  const { cache, problem, missing } = await LeaderEpochCache.load(ctx.dir);
  if (problem !== null && (!missing || segments.some((seg) => seg.sizeBytes > 0))) {
    const entries: EpochEntry[] = [];
    for (const seg of segments) {
      await seg.forEachBatchHeaderFrom(seg.baseOffset, (chunk, at) => {
        const epoch = chunk.readInt32BE(at + OFF_LEADER_EPOCH);
        if (epoch >= 0 && epoch > (entries[entries.length - 1]?.epoch ?? -1)) entries.push({ epoch, startOffset: baseOffsetAt(chunk, at) });
      });
    }
    await cache.reset(entries);
    ctx.logLine(`${ctx.dir}: rebuilt the leader epoch cache from the batch headers (${entries.length} epochs): ${problem}`);
  }
  await cache.truncateFromEnd(endOffset);
  await cache.truncateFromStart(startOffset);
  return cache;
}

/**
 * Checks the segments in order (trusting indexes when `clean`, or below `recoveryPoint`), truncates at the
 * first bad batch and deletes the segments after it from `segs`. Returns whether any segment file was deleted.
 */
async function recoverSegments(ctx: RecoveryContext, segs: LogSegment[], clean: boolean, recoveryPoint: number): Promise<boolean> {
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const name = basename(seg.logPath);
    if (i > 0 && seg.baseOffset !== segs[i - 1].endOffset) {
      const prev = segs[i - 1];
      return dropFrom(ctx, segs, i, `segment ${name} starts at offset ${seg.baseOffset} but the one before ends at ${prev.endOffset}`);
    }
    let truncation: SegmentTruncation | null;
    const synced = i < segs.length - 1 && segs[i + 1].baseOffset <= recoveryPoint;
    if (!clean && !synced) {
      truncation = await seg.recover();
    } else if (i < segs.length - 1) {
      const problem = await seg.trustAsInactive(segs[i + 1].baseOffset);
      if (problem !== null) ctx.logLine(`${ctx.dir}: rebuilding the indexes of ${name}: ${problem}`);
      truncation = problem === null ? null : await seg.recover();
    } else {
      const tail = await seg.scanTail();
      if ('problem' in tail) {
        ctx.logLine(`${ctx.dir}: rebuilding the indexes of ${name}: ${tail.problem}`);
        truncation = await seg.recover();
      } else {
        truncation = tail.truncation;
      }
    }
    if (truncation !== null) {
      const later = segs.slice(i + 1);
      const laterBytes = later.reduce((n, s) => n + s.sizeBytes, 0);
      ctx.logLine(`${ctx.dir}: truncated ${truncation.bytesCut} bytes of ${name} at position ${truncation.position} `
        + `(offset ${truncation.offset}): ${truncation.reason}`
        + (later.length > 0 ? `; deleted ${later.length} later segment(s) (${laterBytes} bytes)` : ''));
      for (const s of later) await s.deleteFiles();
      segs.length = i + 1;
      return later.length > 0;
    }
  }
  return false;
}

/** Deletes segments i.. (their offsets do not follow on), logging one line. */
async function dropFrom(ctx: RecoveryContext, segs: LogSegment[], i: number, reason: string): Promise<boolean> {
  const later = segs.slice(i);
  const bytes = later.reduce((n, s) => n + s.sizeBytes, 0);
  ctx.logLine(`${ctx.dir}: deleted ${later.length} segment(s) (${bytes} bytes) from offset ${later[0].baseOffset}: ${reason}`);
  for (const s of later) await s.deleteFiles();
  segs.length = i;
  return true;
}

/** The newest usable snapshot plus a replay of the batch headers after it. */
async function loadProducerState(
  ctx: RecoveryContext, segments: LogSegment[], endOffset: number, startOffset: number,
): Promise<{ producers: ProducerStateTable; snapshots: number[] }> {
  const producers = new ProducerStateTable();
  for (const name of await readdir(ctx.dir)) if (name.endsWith('.snapshot.tmp')) await unlink(join(ctx.dir, name));
  const all = await listSnapshots(ctx.dir);
  const stale = all.filter((o) => o > endOffset);
  if (stale.length > 0) {
    await deleteSnapshots(ctx.dir, stale);
    ctx.logLine(`${ctx.dir}: deleted ${stale.length} producer snapshot(s) past the recovered end ${endOffset}`);
  }
  const snapshots = all.filter((o) => o <= endOffset);
  let from = startOffset;
  while (snapshots.length > 0) {
    const newest = snapshots[snapshots.length - 1];
    try {
      const snapshot = await readSnapshot(ctx.dir, newest);
      producers.reset(snapshot.producers, snapshot.aborted);
      from = Math.max(newest, startOffset);
      break;
    } catch (err) {
      ctx.logLine(`${ctx.dir}: producer snapshot at offset ${newest} is unusable (${(err as Error).message}); deleted`);
      await deleteSnapshots(ctx.dir, [newest]);
      snapshots.pop();
    }
  }
  if (from < endOffset) {
    for (const seg of segments) {
      if (seg.endOffset <= from) continue;
      await seg.forEachBatchHeaderFrom(from, (chunk, at) => producers.applyBatch(chunk, at));
    }
  }
  producers.evictBelow(startOffset);
  return { producers, snapshots };
}
