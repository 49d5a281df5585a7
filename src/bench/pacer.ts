// Paces a sender at a fixed rate (--rate): record i is due `i / rate` seconds after the start. The
// sender asks how long to wait before its next record; a late sender catches up without waiting, so
// the long-run rate is exact even though timers fire in whole milliseconds.
import { performance } from 'node:perf_hooks';

export class Pacer {
  private readonly startedAt: number;

  /** `ratePerSec` of Infinity (or 0) means no pacing. */
  constructor(private readonly ratePerSec: number, now = performance.now()) {
    this.startedAt = now;
  }

  get paced(): boolean {
    return Number.isFinite(this.ratePerSec) && this.ratePerSec > 0;
  }

  /** Milliseconds until record `index` (0-based) is due; 0 when it is due or unpaced. */
  waitMs(index: number, now = performance.now()): number {
    if (!this.paced) return 0;
    const dueAt = this.startedAt + (index * 1000) / this.ratePerSec;
    return dueAt > now ? dueAt - now : 0;
  }
}
