// One partition replica on this broker: its Log, its high watermark and the requests waiting on it.
// The topic's flush.policy decides when an append counts as done: `batch` waits for the group-committed
// fdatasync that covers it, `interval` schedules one within flush.ms, `os` leaves the data to the page
// cache.
//
// Embedded mode: the broker is the only replica and always the leader; the high watermark is the end of
// what has been written to the log (no replication state at all, so the hot path stays as it was).
// Cluster mode (replicated): the replica is `leader` or `follower`. A leader keeps a LeaderState
// (follower positions, ISR, high watermark = smallest log end offset over the ISR) and parks acks=all
// appends in its AckPurgatory until the high watermark passes them; a follower is written only by its
// replica fetcher (appendFromLeader, truncation) and keeps the high watermark its leader reported.
import { ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES, OFF_MAX_TIMESTAMP, writeCrc } from '../protocol/batch-header.js';
import type { TopicConfig } from '../config/topic-config.js';
import type { TxnMarker } from '../protocol/control-batch.js';
import type { Log } from '../storage/log.js';
import { MqError } from '../util/mq-error.js';
import { AckPurgatory, type AckOutcome } from './ack-purgatory.js';
import { LeaderState, type LagLimits } from './leader-state.js';

/** The most bytes of one fetch response a follower writes synchronously (append-queue.ts writeNow). */
const FOLLOWER_WRITE_NOW_MAX_BYTES = 64 * 1024;

export type ReplicaRole = 'leader' | 'follower';

/** Stores an ISR change (compare-and-swap); resolves whether the store took it. */
export type IsrWriter = (p: Partition, isr: number[], leaderEpoch: number) => Promise<boolean>;

export class Partition {
  private appendWaiters = new Set<() => void>();
  private hwmWaiters = new Set<() => void>();
  /** The pending flush.policy=interval fdatasync, if one is scheduled. */
  private flushTimer: NodeJS.Timeout | null = null;
  leaderEpoch = 0;
  role: ReplicaRole = 'leader';
  /** Cluster mode: this replica takes part in replication (false: embedded mode, the only replica). */
  replicated = false;
  /**
   * Decommissioned (issue 8, src/cluster/partition-decommission.ts): clients' produces are refused; the
   * topic manager (embedded) or cluster mode (from its metadata cache) keeps it in step with the record.
   */
  decommissioned = false;
  /** Set while this replica leads a replicated partition. */
  leaderState: LeaderState | null = null;
  /** The high watermark a follower last heard from its leader (capped at its own log end). */
  private followerHighWatermark = 0;
  /** acks=all appends waiting for the high watermark (leaders of replicated partitions). */
  readonly acks = new AckPurgatory();
  /** Where ISR changes are stored (cluster mode). */
  isrWriter: IsrWriter | null = null;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: Log,
    public config: TopicConfig,
  ) {}

  get logStartOffset(): number { return this.log.logStartOffset; }
  get logEndOffset(): number { return this.log.logEndOffset; }
  get highWatermark(): number {
    const s = this.leaderState;
    if (s !== null) return s.highWatermark;
    return this.replicated ? this.followerHighWatermark : this.log.writtenEndOffset;
  }

  /**
   * What read_committed consumers may read up to: the first offset of the oldest open transaction, or the
   * high watermark when none is open below it.
   */
  get lastStableOffset(): number {
    const hwm = this.highWatermark;
    const open = this.log.producers.firstOpenTxnOffset();
    return open < 0 ? hwm : Math.min(open, hwm);
  }

  /** Whether this replica may take appends and serve consumers. */
  get isLeader(): boolean { return this.role === 'leader'; }

  /**
   * Appends one validated batch (leaders only); a retried idempotent batch is answered with the offsets
   * it first got (`duplicate`) and not written again. With LogAppendTime the batch's timestamp type and
   * MaxTimestamp are set to now and the CRC recomputed (the one case where the broker touches bytes
   * inside the CRC).
   */
  async append(batch: Buffer): Promise<{ baseOffset: number; lastOffset: number; logAppendTimeMs: number; duplicate?: boolean }> {
    if (this.role !== 'leader') throw notLeader(this);
    let logAppendTimeMs = -1;
    if (this.config['message.timestamp.type'] === 'LogAppendTime') {
      logAppendTimeMs = Date.now();
      batch.writeInt16BE(batch.readInt16BE(OFF_ATTRIBUTES) | ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES);
      batch.writeBigInt64BE(BigInt(logAppendTimeMs), OFF_MAX_TIMESTAMP);
      writeCrc(batch);
    }
    const { baseOffset, lastOffset, duplicate } = await this.log.append(batch, this.leaderEpoch);
    if (duplicate) {
      // A retried idempotent batch: its first append's offsets, once they are as durable as flush.policy asks.
      await this.applyFlushPolicy(lastOffset + 1);
      return { baseOffset, lastOffset, logAppendTimeMs: -1, duplicate };
    }
    await this.appended(lastOffset);
    return { baseOffset, lastOffset, logAppendTimeMs };
  }

  /** Appends a transaction marker (leaders only): it ends the producer's transaction in this partition. */
  async appendMarker(marker: TxnMarker): Promise<{ baseOffset: number; lastOffset: number }> {
    if (this.role !== 'leader') throw notLeader(this);
    const { baseOffset, lastOffset } = await this.log.appendMarker(marker, this.leaderEpoch);
    await this.appended(lastOffset);
    return { baseOffset, lastOffset };
  }

  /** After a leader append up to `lastOffset`: wakes followers and consumers, then applies the flush policy. */
  private async appended(lastOffset: number): Promise<void> {
    if (this.appendWaiters.size > 0) this.wakeAppendWaiters();
    if (this.leaderState !== null) this.updateHighWatermark();
    else if (!this.replicated && this.hwmWaiters.size > 0) this.wakeHwmWaiters();
    await this.applyFlushPolicy(lastOffset + 1);
  }

  private async applyFlushPolicy(endOffset: number): Promise<void> {
    const policy = this.config['flush.policy'];
    if (policy === 'batch') await this.log.syncTo(endOffset);
    else if (policy === 'interval') this.scheduleFlush();
  }

  /** Starts an fdatasync within flush.ms unless one is already scheduled (flush.policy=interval). */
  private scheduleFlush(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      // A failed interval flush is retried by the next one; appends already answered.
      this.log.syncTo(this.log.writtenEndOffset).catch(() => undefined);
    }, this.config['flush.ms']);
    this.flushTimer.unref();
  }

  /** Cancels a scheduled interval flush (the log's close() syncs everything anyway). */
  stopTimers(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** Calls `wake` once after the next append (what follower fetches wait for); returns a cancel function. */
  onNextAppend(wake: () => void): () => void {
    this.appendWaiters.add(wake);
    return () => { this.appendWaiters.delete(wake); };
  }

  /**
   * Calls `wake` once when the high watermark next advances or the role changes (what consumer fetches
   * wait for); returns a cancel function.
   */
  onHighWatermarkAdvance(wake: () => void): () => void {
    this.hwmWaiters.add(wake);
    return () => { this.hwmWaiters.delete(wake); };
  }

  /**
   * Whole stored batches from the one containing `offset`, visible only: below the high watermark, or
   * below the last stable offset for read_committed.
   */
  read(offset: number, maxBytes: number, readCommitted = false): Promise<Buffer[]> {
    return this.log.read(offset, maxBytes, readCommitted ? this.lastStableOffset : this.highWatermark);
  }

  /** What a follower fetches: whole batches up to the log end (not the high watermark). */
  readForFollower(offset: number, maxBytes: number): Promise<Buffer[]> {
    return this.log.read(offset, maxBytes);
  }

  // ---- leader ------------------------------------------------------------------------------------

  /**
   * Starts leading with `leaderEpoch`: followers' positions unknown, each caught up as of now; the high
   * watermark starts where this replica last knew it.
   */
  becomeLeader(localId: number, leaderEpoch: number, replicas: number[], isr: number[], nowMs: number): void {
    const knownHwm = Math.min(this.highWatermark, this.log.writtenEndOffset);
    this.replicated = true;
    this.role = 'leader';
    this.leaderEpoch = leaderEpoch;
    this.leaderState = new LeaderState(localId, replicas, isr, knownHwm, this.log.logEndOffset, nowMs);
    this.updateHighWatermark();
  }

  /** Follower `replicaId` fetched at `fetchOffset`: moves its position, the HWM and maybe the ISR. */
  recordFollowerFetch(replicaId: number, fetchOffset: number, nowMs: number): void {
    const s = this.leaderState;
    if (s === null) return;
    s.updateFollower(replicaId, fetchOffset, this.log.writtenEndOffset, nowMs);
    this.updateHighWatermark();
    const expanded = s.expandedIsr(replicaId);
    if (expanded) this.changeIsr(s, expanded);
  }

  /** The periodic ISR check: drops followers not caught up within the lag limits. */
  maybeShrinkIsr(nowMs: number, limits: LagLimits): void {
    const s = this.leaderState;
    if (s === null) return;
    const shrunk = s.shrunkIsr(this.log.writtenEndOffset, nowMs, limits);
    if (shrunk) this.changeIsr(s, shrunk);
  }

  /** Adopts the stored ISR (and replica list) the controller or our own write left in the store. */
  adoptIsr(isr: number[], replicas: number[]): void {
    const s = this.leaderState;
    if (s === null) return;
    s.adoptIsr(isr, sameList(replicas, s.replicas) ? s.replicas : replicas);
    this.updateHighWatermark();
  }

  /** Parks an acks=all append until the high watermark reaches `requiredOffset`. */
  waitForAck(requiredOffset: number, timeoutMs: number, signal?: AbortSignal): Promise<AckOutcome> {
    if (this.leaderState === null) return Promise.resolve('not-leader');
    return this.acks.wait(requiredOffset, this.leaderState.highWatermark, timeoutMs, signal);
  }

  private changeIsr(s: LeaderState, isr: number[]): void {
    const writer = this.isrWriter;
    if (writer === null) return;
    s.pendingIsr = isr;
    this.updateHighWatermark();
    const settle = (ok: boolean): void => {
      if (this.leaderState !== s) return;
      s.pendingIsr = null;
      if (ok) s.adoptIsr(isr);
      this.updateHighWatermark();
    };
    writer(this, isr, this.leaderEpoch).then(settle, () => settle(false));
  }

  private updateHighWatermark(): void {
    const s = this.leaderState!;
    if (!s.updateHighWatermark(this.log.writtenEndOffset)) return;
    this.acks.advance(s.highWatermark);
    if (this.hwmWaiters.size > 0) this.wakeHwmWaiters();
  }

  private wakeAppendWaiters(): void {
    const waiting = this.appendWaiters;
    this.appendWaiters = new Set();
    for (const wake of waiting) wake();
  }

  private wakeHwmWaiters(): void {
    const waiting = this.hwmWaiters;
    this.hwmWaiters = new Set();
    for (const wake of waiting) wake();
  }

  // ---- follower ----------------------------------------------------------------------------------

  /**
   * Stops leading (or starts following another epoch): acks=all waiters answer NOT_LEADER_OR_FOLLOWER and
   * parked fetches wake up to notice.
   */
  becomeFollower(leaderEpoch: number): void {
    this.followerHighWatermark = Math.min(this.highWatermark, this.log.writtenEndOffset);
    this.replicated = true;
    this.role = 'follower';
    this.leaderEpoch = leaderEpoch;
    this.leaderState = null;
    this.acks.failAll('not-leader');
    this.wakeHwmWaiters();
    this.wakeAppendWaiters();
  }

  /** Appends whole, CRC-checked batches copied from the leader, then applies the flush policy. */
  async appendFromLeader(batches: Buffer[]): Promise<void> {
    if (batches.length === 0) return;
    // A small response (a follower keeping up) is written on this thread when the queue is idle;
    // a large one (catching up) keeps the thread pool, so the event loop never copies much.
    let bytes = 0;
    for (const b of batches) bytes += b.length;
    const writeNow = bytes <= FOLLOWER_WRITE_NOW_MAX_BYTES;
    const results = batches.map((b) => this.log.appendAsFollower(b, writeNow));
    // Every append is queued; wait for all (the first failure wins, the rest fail after it).
    const settled = await Promise.allSettled(results);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    await this.applyFlushPolicy(this.log.logEndOffset);
  }

  /** The leader's high watermark as a fetch reported it, capped at this replica's own log end. */
  setFollowerHighWatermark(leaderHighWatermark: number): void {
    this.followerHighWatermark = Math.min(leaderHighWatermark, this.log.logEndOffset);
  }

  async truncateTo(offset: number): Promise<void> {
    await this.log.truncateTo(offset);
    this.followerHighWatermark = Math.min(this.followerHighWatermark, this.log.logEndOffset);
  }

  async truncateFullyAndStartAt(offset: number): Promise<void> {
    await this.log.truncateFullyAndStartAt(offset);
    this.followerHighWatermark = offset;
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function notLeader(p: Partition): MqError {
  return new MqError('NOT_LEADER_OR_FOLLOWER', `this broker does not lead ${p.topic}-${p.index}`, { retriable: true });
}
