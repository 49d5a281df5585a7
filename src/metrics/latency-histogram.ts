// A fixed-bucket latency histogram: bucket i holds observations up to 10 µs * 2^(i/4) (about 19%
// apart, 10 µs .. ~84 s), the last bucket everything above. Observing is one log2 and one array
// increment, never an allocation, so it sits on the request path. Percentiles are reported as the
// upper bound of the bucket holding them (within 19%, HDR-style); Prometheus gets every fourth bound
// (powers of two) as cumulative `le` buckets.
const MIN_SECONDS = 1e-5;
const STEPS_PER_DOUBLING = 4;
const BUCKETS = 93; // 10 µs * 2^(92/4) ≈ 84 s

/** Upper bound in seconds of bucket `i`. */
export function bucketBoundSeconds(i: number): number {
  return MIN_SECONDS * 2 ** (i / STEPS_PER_DOUBLING);
}

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS + 1);
  count = 0;
  sumSeconds = 0;
  maxSeconds = 0;

  observe(seconds: number): void {
    let i = seconds <= MIN_SECONDS ? 0 : Math.ceil(Math.log2(seconds / MIN_SECONDS) * STEPS_PER_DOUBLING - 1e-9);
    if (i > BUCKETS) i = BUCKETS;
    this.counts[i]++;
    this.count++;
    this.sumSeconds += seconds;
    if (seconds > this.maxSeconds) this.maxSeconds = seconds;
  }

  /** The latency at quantile q (0..1) in seconds; 0 when empty. */
  quantileSeconds(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === BUCKETS ? this.maxSeconds : Math.min(bucketBoundSeconds(i), this.maxSeconds);
    }
    return this.maxSeconds;
  }

  /** Cumulative counts at every fourth bound, for the Prometheus `le` buckets (+Inf excluded). */
  cumulativeBuckets(): { leSeconds: number; count: number }[] {
    const out: { leSeconds: number; count: number }[] = [];
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (i % STEPS_PER_DOUBLING === 0) out.push({ leSeconds: bucketBoundSeconds(i), count: seen });
    }
    return out;
  }
}
