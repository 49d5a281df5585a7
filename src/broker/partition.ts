// One partition replica on this broker: its Log, its high watermark and the fetches waiting for data.
// In embedded mode the broker is the only replica, so the high watermark is the end of what has been
// written to the log. The topic's flush.policy decides when an append counts as done: `batch` waits for
// the group-committed fdatasync that covers it, `interval` schedules one within flush.ms, `os` leaves
// the data to the page cache.
import { ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES, OFF_MAX_TIMESTAMP, writeCrc } from '../protocol/batch-header.js';
import type { TopicConfig } from '../config/topic-config.js';
import type { Log } from '../storage/log.js';

export class Partition {
  private appendWaiters = new Set<() => void>();
  /** The pending flush.policy=interval fdatasync, if one is scheduled. */
  private flushTimer: NodeJS.Timeout | null = null;
  leaderEpoch = 0;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: Log,
    public config: TopicConfig,
  ) {}

  get logStartOffset(): number { return this.log.logStartOffset; }
  get logEndOffset(): number { return this.log.logEndOffset; }
  get highWatermark(): number { return this.log.writtenEndOffset; }

  /**
   * Appends one validated batch. With LogAppendTime the batch's timestamp type and MaxTimestamp are
   * set to now and the CRC recomputed (the one case where the broker touches bytes inside the CRC).
   */
  async append(batch: Buffer): Promise<{ baseOffset: number; logAppendTimeMs: number }> {
    let logAppendTimeMs = -1;
    if (this.config['message.timestamp.type'] === 'LogAppendTime') {
      logAppendTimeMs = Date.now();
      batch.writeInt16BE(batch.readInt16BE(OFF_ATTRIBUTES) | ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES);
      batch.writeBigInt64BE(BigInt(logAppendTimeMs), OFF_MAX_TIMESTAMP);
      writeCrc(batch);
    }
    const { baseOffset, lastOffset } = await this.log.append(batch, this.leaderEpoch);
    if (this.appendWaiters.size > 0) {
      const waiting = this.appendWaiters;
      this.appendWaiters = new Set();
      for (const wake of waiting) wake();
    }
    const policy = this.config['flush.policy'];
    if (policy === 'batch') await this.log.syncTo(lastOffset + 1);
    else if (policy === 'interval') this.scheduleFlush();
    return { baseOffset, logAppendTimeMs };
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

  /** Calls `wake` once after the next append; returns a function that cancels the wait. */
  onNextAppend(wake: () => void): () => void {
    this.appendWaiters.add(wake);
    return () => { this.appendWaiters.delete(wake); };
  }

  /** Whole stored batches from the one containing `offset`, visible (below the high watermark) only. */
  read(offset: number, maxBytes: number): Promise<Buffer[]> {
    return this.log.read(offset, maxBytes, this.highWatermark);
  }
}
