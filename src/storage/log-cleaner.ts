// The broker's one retention timer: every `intervalMs` it walks the logs it is given, keeps their producer
// state (Log.maintainProducerState: expiry, snapshots), syncs segments sealed since their last flush, and
// lets each delete its expired or excess segments (Log.applyRetention). Passes never overlap; a failing log is reported and skipped, so one bad disk
// does not stop retention elsewhere.
import type { Log, RetentionPolicy } from './log.js';

export interface CleanableLog {
  log: Log;
  policy: RetentionPolicy;
}

export interface LogCleanerOptions {
  intervalMs: number;
  /** The logs to clean, read afresh on every pass (topics come and go, configs change). */
  logs: () => Iterable<CleanableLog>;
  /** Called with a failed log and its error. */
  onError?: (log: Log, err: unknown) => void;
  now?: () => number;
}

export class LogCleaner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private closed = false;

  constructor(private readonly opts: LogCleanerOptions) {}

  /** Starts the periodic passes. */
  start(): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setInterval(() => { void this.runOnce(); }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** One pass over every log now (or joins the pass already running); resolves to segments deleted. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  private async pass(): Promise<number> {
    let deleted = 0;
    const now = (this.opts.now ?? Date.now)();
    for (const { log, policy } of this.opts.logs()) {
      if (this.closed) break;
      try {
        // Idle producers expire; a snapshot of the producer state once a segment rolled since the last one.
        await log.maintainProducerState(now);
        if (policy.retentionMs < 0 && policy.retentionBytes < 0 && log.segmentCount === 1) continue;
        // Segments sealed since the last flush (flush.policy=os) are synced here, so a crash need not rescan them.
        if (log.hasUnsyncedSealedSegments) await log.flush();
        deleted += await log.applyRetention(policy, now);
      } catch (err) {
        this.opts.onError?.(log, err);
      }
    }
    return deleted;
  }

  /** Stops the timer and waits for a running pass. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
