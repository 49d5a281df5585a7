// Client quotas on the broker (Kafka's model): which quota applies to a request's (user, client-id),
// whose usage it counts against, and how long to throttle. The usage of one quota entity is shared by
// every client it covers: a quota set for user alice counts all of alice's clients together; a default
// ("<default>" user or client-id) gives each user or client-id its own count. Throttling itself (the
// response's throttle_time_ms and not reading the connection for that long) is the server's.
import { resolveQuota, SampledRate, type QuotaEntity, type QuotaEntry, type QuotaKey } from '../security/quota.js';

export interface QuotaManagerOptions {
  /** quota.window.num and quota.window.size.seconds (Kafka: 11 and 1). */
  samples: number;
  windowMs: number;
}

export class QuotaManager {
  private entries: readonly QuotaEntry[] = [];
  private readonly rates = new Map<string, SampledRate>();

  constructor(private readonly opts: QuotaManagerOptions = { samples: 11, windowMs: 1000 }) {}

  /** Replaces the configured quotas (the broker calls it on every change in the store). */
  setEntries(entries: readonly QuotaEntry[]): void {
    this.entries = entries;
    this.rates.clear();
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
    const quota = resolveQuota(this.entries, user, clientId, key);
    if (quota === undefined) return 0;
    const bound = key === 'request_percentage' ? (quota.bound / 100) * 1000 : quota.bound; // ms of handling per second
    const sensor = `${key}|${usageKey(quota.entity, user, clientId)}`;
    let rate = this.rates.get(sensor);
    if (rate === undefined) this.rates.set(sensor, rate = new SampledRate({ samples: this.opts.samples, windowMs: this.opts.windowMs }));
    rate.record(amount, nowMs);
    return rate.throttleMs(bound, nowMs);
  }
}

/** Whose usage a quota entity counts: defaults are instantiated with the client's own names. */
function usageKey(entity: QuotaEntity, user: string, clientId: string): string {
  const u = entity.user === undefined ? '' : (entity.user ?? user);
  const c = entity.clientId === undefined ? '' : (entity.clientId ?? clientId);
  return JSON.stringify([entity.user === undefined ? 0 : u, entity.clientId === undefined ? 0 : c]);
}
