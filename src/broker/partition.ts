// One partition replica on this broker: its Log, its high watermark and the fetches waiting for data.
// In embedded mode the broker is the only replica, so the high watermark is the end of what has been
// written to the log.
import { ATTR_TIMESTAMP_TYPE, OFF_ATTRIBUTES, OFF_MAX_TIMESTAMP, writeCrc } from '../protocol/batch-header.js';
import type { TopicConfig } from '../config/topic-config.js';
import type { Log } from '../storage/log.js';

export class Partition {
  private appendWaiters = new Set<() => void>();
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
    const { baseOffset } = await this.log.append(batch, this.leaderEpoch);
    if (this.appendWaiters.size > 0) {
      const waiting = this.appendWaiters;
      this.appendWaiters = new Set();
      for (const wake of waiting) wake();
    }
    return { baseOffset, logAppendTimeMs };
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
