// Client quotas on the broker (Kafka's model): which quota applies to a request's (user, client-id),
// whose usage it counts against, and how long to throttle. The usage of one quota entity is shared by
// every client it covers: a quota set for user alice counts all of alice's clients together; a default
// ("<default>" user or client-id) gives each user or client-id its own count. Throttling itself (the
// response's throttle_time_ms and not reading the connection for that long) is the server's.
import { resolveQuota, SampledRate, TokenBucket, type QuotaEntity, type QuotaEntry, type QuotaKey } from '../security/quota.js';

export interface QuotaManagerOptions {
  /** quota.window.num and quota.window.size.seconds (Kafka: 11 and 1). */
  samples: number;
  windowMs: number;
}

/** Clients whose quotas are remembered before the memo starts over. */
const MAX_RESOLVED_CLIENTS = 10_000;

export class QuotaManager {
  private entries: readonly QuotaEntry[] = [];
  /** Which quota applies, per (user, client-id) and key (null: none); resolved once per client until the quotas change. */
  private readonly resolved = new Map<string, Map<QuotaKey, { bound: number; entity: QuotaEntity } | null>>();
  /** Per quota in use: the bucket that decides throttles and the sampled rate /metrics shows. */
  private readonly rates = new Map<string, { bucket: TokenBucket; rate: SampledRate; usage: Omit<QuotaUsage, 'rate'> }>();

  constructor(private readonly opts: QuotaManagerOptions = { samples: 11, windowMs: 1000 }) {}

  /** Replaces the configured quotas (the broker calls it on every change in the store). */
  setEntries(entries: readonly QuotaEntry[]): void {
    this.entries = entries;
    this.rates.clear();
    this.resolved.clear();
  }

  /** How many entities have quotas. */
  get size(): number {
    return this.entries.length;
  }

  /** True when no quota is configured at all (the server can skip the bookkeeping). */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * Counts `amount` (bytes, or request-handling milliseconds for request_percentage) for the client and
   * returns how long to throttle it: 0 without a quota or under it.
   */
  record(user: string, clientId: string, key: QuotaKey, amount: number, nowMs: number): number {
    const client = `${user}\0${clientId}`;
    let resolved = this.resolved.get(client);
    if (resolved === undefined) {
      if (this.resolved.size >= MAX_RESOLVED_CLIENTS) this.resolved.clear(); // a peer cycling client-ids cannot grow it for ever
      this.resolved.set(client, resolved = new Map());
    }
    let quota = resolved.get(key);
    if (quota === undefined) resolved.set(key, quota = resolveQuota(this.entries, user, clientId, key) ?? null);
    if (quota === null) return 0;
    const bound = key === 'request_percentage' ? (quota.bound / 100) * 1000 : quota.bound; // ms of handling per second
    const sensor = `${key}|${usageKey(quota.entity, user, clientId)}`;
    let s = this.rates.get(sensor);
    if (s === undefined) {
      s = {
        bucket: new TokenBucket(this.opts.windowMs),
        rate: new SampledRate({ samples: this.opts.samples, windowMs: this.opts.windowMs }),
        usage: usageOf(quota.entity, user, clientId, key),
      };
      this.rates.set(sensor, s);
    }
    s.rate.record(amount, nowMs);
    return Math.min(s.bucket.record(amount, bound, nowMs), this.opts.samples * this.opts.windowMs);
  }

  /** The measured rate of every quota in use (bytes/s, or handling ms/s for request_percentage), for /metrics. */
  usage(nowMs: number): QuotaUsage[] {
    return [...this.rates.values()].map((s) => ({ ...s.usage, rate: s.rate.rate(nowMs) }));
  }
}

/** One quota's usage: whose (user and/or client-id it counts; '' when the quota does not name one) and how much. */
export interface QuotaUsage {
  key: QuotaKey;
  user: string;
  clientId: string;
  rate: number;
}

function usageOf(entity: QuotaEntity, user: string, clientId: string, key: QuotaKey): Omit<QuotaUsage, 'rate'> {
  return { key, user: entity.user === undefined ? '' : user, clientId: entity.clientId === undefined ? '' : clientId };
}

/** Whose usage a quota entity counts: defaults are instantiated with the client's own names. */
function usageKey(entity: QuotaEntity, user: string, clientId: string): string {
  const u = entity.user === undefined ? '' : (entity.user ?? user);
  const c = entity.clientId === undefined ? '' : (entity.clientId ?? clientId);
  return JSON.stringify([entity.user === undefined ? 0 : u, entity.clientId === undefined ? 0 : c]);
}
