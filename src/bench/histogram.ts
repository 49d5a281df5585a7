// A latency histogram with log-spaced buckets, each 1% wider than the one before, from 1 µs to 1000 s:
// ~2,100 counters whatever the number of samples, percentiles within 1%, exact min and max.

const MIN_MS = 0.001;
const MAX_MS = 1_000_000;
const RATIO = 1.01;
const LOG_RATIO = Math.log(RATIO);
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_RATIO) + 1;

/** A histogram as plain data, to pass between processes: the non-zero buckets as [index, count] pairs. */
export interface HistogramState { buckets: Array<[number, number]>; minMs: number; maxMs: number }

export interface LatencySummary { p50: number; p95: number; p99: number; p999: number; max: number }

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private minMs = Infinity;
  private maxMs = 0;

  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(v / MIN_MS) / LOG_RATIO));
    this.counts[i]++;
    this.total++;
    if (v < this.minMs) this.minMs = v;
    if (v > this.maxMs) this.maxMs = v;
  }

  get count(): number { return this.total; }
  get max(): number { return this.total === 0 ? 0 : this.maxMs; }

  /** The value at percentile `p` (0-100): the geometric middle of its bucket, kept within [min, max]. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const middle = i === 0 ? this.minMs : MIN_MS * RATIO ** (i + 0.5); // bucket 0 holds everything up to ~1 µs
        return Math.min(this.maxMs, Math.max(this.minMs, middle));
      }
    }
    return this.maxMs;
  }

  toState(): HistogramState {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) buckets.push([i, this.counts[i]]);
    return { buckets, minMs: this.total === 0 ? 0 : this.minMs, maxMs: this.maxMs };
  }

  static fromState(state: HistogramState): Histogram {
    const h = new Histogram();
    for (const [i, n] of state.buckets) {
      h.counts[i] += n;
      h.total += n;
    }
    if (h.total > 0) {
      h.minMs = state.minMs;
      h.maxMs = state.maxMs;
    }
    return h;
  }

  summary(): LatencySummary {
    return { p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), p999: this.percentile(99.9), max: this.max };
  }
}
