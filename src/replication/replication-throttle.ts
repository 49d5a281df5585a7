// The follower-side reassignment throttle (issue 8, `mq reassign execute --throttle MB/s`), after Kafka's
// follower.replication.throttled.rate: a reassignment record (`reassignments/<topic>/<p>`, read through
// the metadata cache) may carry `throttleBytesPerSec`. On this broker, every partition whose record lists
// this broker in `adding` with a throttle (a moving replica catching up) shares ONE token bucket; the
// replica fetchers ask it before each fetch and leave those partitions out while it is empty (the other
// partitions, ordinary followers and unthrottled moves, are fetched as usual in the same request), and
// every byte received for them takes tokens. The bucket's rate is the smallest throttle among those
// records (one `mq reassign execute` gives all of them the same). The throttle ends with the record: once
// the move finishes or is cancelled, or after `mq reassign throttle none`, the partition is unthrottled.
// Fetchers of different leaders may take the same tokens at the same moment; the debt this leaves is
// paid back before the next grant, so the rate holds over any interval longer than a few fetches.
//
// The same throttle is a dynamic broker config, with Kafka's names, through AlterConfigs /
// IncrementalAlterConfigs / DescribeConfigs of a BROKER resource (throttleConfigRate below): setting
// `follower.replication.throttled.rate` (or `leader.replication.throttled.rate`: mq throttles only the
// receiving side, so both names mean this one rate) writes it into every move in progress, exactly as
// `mq reassign throttle` does, and deleting it removes it. There is one stored form, the moves' records:
// the config describes as the smallest throttle among the moves in progress and ends with them; with no
// move in progress there is nothing to throttle, and setting it is refused rather than forgotten.
import type { Reassignment } from '../cluster/replica-restore.js';
import { MqError } from '../util/mq-error.js';
import { TokenBucket } from './token-bucket.js';
import type { ReplicationThrottleView } from '../metrics/views.js';

export interface ReplicationThrottleOptions {
  localId: number;
  /** Key "topic/partition" → the reassignment in progress (the metadata cache's copy). */
  reassignments(): ReadonlyMap<string, Reassignment>;
  now?: () => number;
}

/** What the admin endpoint shows (/v1/status `replicationThrottle`). */

/** The smallest batch budget worth asking for: less than this and the leader's first batch overshoots anyway. */
const MIN_GRANT_BYTES = 16 * 1024;

export class ReplicationThrottle {
  private bucket: TokenBucket | null = null;
  private readonly now: () => number;
  private throttledBytes = 0;
  private deferredFetches = 0;

  constructor(private readonly opts: ReplicationThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Whether any reassignment (or replica restore) is in progress in the cluster. */
  anyReassignment(): boolean {
    return this.opts.reassignments().size > 0;
  }

  /** The rate that applies to `key` on this broker, or null when it is not throttled here. */
  rateFor(key: string): number | null {
    const r = this.opts.reassignments().get(key);
    const rate = r?.throttleBytesPerSec;
    if (!r || typeof rate !== 'number' || !(rate > 0) || !r.adding.includes(this.opts.localId)) return null;
    return rate;
  }

  /** The throttled keys among `keys`, with the bucket set to their rate (null bucket when none). */
  throttled(keys: Iterable<string>): Set<string> {
    const out = new Set<string>();
    let rate = Infinity;
    for (const key of keys) {
      const r = this.rateFor(key);
      if (r === null) continue;
      out.add(key);
      rate = Math.min(rate, r);
    }
    if (out.size > 0) {
      if (this.bucket) this.bucket.setRate(rate);
      else this.bucket = new TokenBucket({ rateBytesPerSec: rate, now: this.now });
    }
    return out;
  }

  /**
   * How many bytes each of `count` throttled partitions may ask for in the next fetch; 0 = leave them
   * out this time (then waitMs() says when to try again).
   */
  grant(count: number): number {
    if (!this.bucket || count === 0) return 0;
    const available = this.bucket.available();
    if (available >= this.threshold(this.bucket, count)) return Math.max(1, Math.floor(available / count));
    this.deferredFetches++;
    return 0;
  }

  /** Milliseconds until a grant for `count` partitions can be non-zero. */
  waitMs(count: number): number {
    if (!this.bucket) return 0;
    return this.bucket.msUntil(this.threshold(this.bucket, count));
  }

  /** The tokens a grant waits for: MIN_GRANT_BYTES per partition, at most a full bucket, at least 1. */
  private threshold(bucket: TokenBucket, count: number): number {
    return Math.max(1, Math.min(MIN_GRANT_BYTES * count, bucket.capacityBytes));
  }

  /** Bytes received for a throttled partition. */
  received(bytes: number): void {
    this.throttledBytes += bytes;
    this.bucket?.consume(bytes);
  }

  view(): ReplicationThrottleView {
    const partitions = [...this.opts.reassignments().keys()].filter((k) => this.rateFor(k) !== null).sort();
    const rates = partitions.map((k) => this.rateFor(k)!);
    const rate = rates.length > 0 ? Math.min(...rates) : null;
    return {
      rateBytesPerSec: rate, burstBytes: rate ?? 0, partitions,
      throttledBytes: this.throttledBytes, deferredFetches: this.deferredFetches, atMs: this.now(),
    };
  }
}

export const LEADER_THROTTLE_CONFIG = 'leader.replication.throttled.rate';
export const FOLLOWER_THROTTLE_CONFIG = 'follower.replication.throttled.rate';
/** The dynamic broker configs mq has: both name the one throttle. */
export const THROTTLE_CONFIGS: readonly string[] = [LEADER_THROTTLE_CONFIG, FOLLOWER_THROTTLE_CONFIG];

/** The throttle of the moves in progress (bytes/s): the smallest among them; null when none is throttled. */
export function reassignmentThrottleRate(reassignments: ReadonlyMap<string, Reassignment>): number | null {
  let rate: number | null = null;
  for (const r of reassignments.values()) {
    const t = r.throttleBytesPerSec;
    if (typeof t === 'number' && t > 0 && (rate === null || t < rate)) rate = t;
  }
  return rate;
}

/**
 * The throttle a change of broker configs asks for: bytes/s, or null to remove it. `changes` maps a
 * config name to its new value (null = delete); the smaller rate wins when both names are set. Any other
 * name, or a value that is not a positive integer, is INVALID_CONFIG.
 */
export function throttleConfigRate(changes: ReadonlyMap<string, string | null>): number | null {
  let rate: number | null = null;
  for (const [name, value] of changes) {
    if (!THROTTLE_CONFIGS.includes(name)) {
      throw new MqError('INVALID_CONFIG', `mq has no dynamic broker config '${name}' (only ${THROTTLE_CONFIGS.join(' and ')}, bytes/s)`);
    }
    if (value === null) continue;
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    // Kafka's "unlimited" (Long.MAX_VALUE) reads as a removal.
    if (n >= Number.MAX_SAFE_INTEGER) continue;
    if (!Number.isSafeInteger(n) || n < 1) throw new MqError('INVALID_CONFIG', `${name} must be a positive number of bytes per second, not '${value}'`);
    rate = rate === null ? n : Math.min(rate, n);
  }
  return rate;
}
