// Client quotas as Kafka enforces them, without wire or storage: which configured quota applies to a
// (user, client-id), and how long a client over it is throttled.
//
// Entities and precedence (Kafka's, most specific first; "<default>" is an entity name left empty):
//   user + client-id, user + default client, user, default user + client-id, default user + default
//   client, default user, client-id, default client.
// Keys: producer_byte_rate (bytes/s produced), consumer_byte_rate (bytes/s fetched), request_percentage
// (percent of one request thread's time; mq's broker is one event loop, so 100 means all of it).
//
// Measurement: a rate over `samples` windows of `windowMs` (quota.window.num=11, quota.window.size.seconds=1).
// The elapsed time a rate divides by counts at least samples-1 full windows, so a first burst is not
// measured over a few milliseconds. Over the quota, the throttle is the time that brings the rate back
// to it: (rate - quota) / quota * elapsed, capped at samples * windowMs. The broker answers with that
// throttle_time_ms and does not read the connection's next request until it has passed.
//
// The broker throttles with a TokenBucket instead (Kafka's KIP-599 bucket, as it uses for controller
// mutations), and keeps SampledRate for what /metrics shows. A client that waits out every throttle the
// sampled rate gives settles into a cycle: the 10 s it may send at first expire together 11 s later and
// free as much again at once, so 30 s of a 1 MiB/s producer measure 0.9 to 1.26 MiB/s by where they
// start. The bucket holds about one window of credit, so any 30 s are within ~4% of the quota.

export const QUOTA_KEYS = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** An entity as DescribeClientQuotas names it: user and/or client-id, each a name or null for the default. */
export interface QuotaEntity {
  user?: string | null;
  clientId?: string | null;
}

/** One configured entity and its values. */
export interface QuotaEntry {
  entity: QuotaEntity;
  values: Partial<Record<QuotaKey, number>>;
}

/** A key for an entity: the same entity always gives the same key (absent, default and named never collide). */
export function entityKey(e: QuotaEntity): string {
  return JSON.stringify([e.user === undefined ? 0 : e.user, e.clientId === undefined ? 0 : e.clientId]);
}

/** The entities that could apply to (user, clientId), most specific first (Kafka's precedence). */
export function candidateEntities(user: string, clientId: string): QuotaEntity[] {
  return [
    { user, clientId }, { user, clientId: null }, { user },
    { user: null, clientId }, { user: null, clientId: null }, { user: null },
    { clientId }, { clientId: null },
  ];
}

/** The quota of `key` for a client, and the entity it came from; undefined when none is configured. */
export function resolveQuota(entries: readonly QuotaEntry[], user: string, clientId: string, key: QuotaKey): { bound: number; entity: QuotaEntity } | undefined {
  const byKey = new Map(entries.map((e) => [entityKey(e.entity), e]));
  for (const entity of candidateEntities(user, clientId)) {
    const bound = byKey.get(entityKey(entity))?.values[key];
    if (bound !== undefined) return { bound, entity };
  }
  return undefined;
}

export interface SampledRateOptions {
  samples: number;
  windowMs: number;
}

/** A rate over a ring of windows. */
export class SampledRate {
  private readonly starts: number[];
  private readonly totals: number[];
  private current = 0;

  constructor(private readonly opts: SampledRateOptions = { samples: 11, windowMs: 1000 }) {
    this.starts = new Array<number>(opts.samples).fill(Number.NEGATIVE_INFINITY);
    this.totals = new Array<number>(opts.samples).fill(0);
  }

  record(amount: number, nowMs: number): void {
    this.roll(nowMs);
    this.totals[this.current] += amount;
  }

  /** Units per second over the live windows. */
  rate(nowMs: number): number {
    this.roll(nowMs);
    return (this.sum(nowMs) * 1000) / this.elapsedMs(nowMs);
  }

  /** How long to hold a client whose rate is over `bound` (0 when it is not). */
  throttleMs(bound: number, nowMs: number): number {
    const rate = this.rate(nowMs);
    if (bound <= 0) return rate > 0 ? this.opts.samples * this.opts.windowMs : 0;
    if (rate <= bound) return 0;
    return Math.min(Math.ceil(((rate - bound) / bound) * this.elapsedMs(nowMs)), this.opts.samples * this.opts.windowMs);
  }

  private roll(nowMs: number): void {
    if (nowMs < this.starts[this.current] + this.opts.windowMs) return;
    this.current = (this.current + 1) % this.opts.samples;
    this.starts[this.current] = nowMs;
    this.totals[this.current] = 0;
  }

  private live(i: number, nowMs: number): boolean {
    return nowMs - this.starts[i] < this.opts.samples * this.opts.windowMs;
  }

  private sum(nowMs: number): number {
    let total = 0;
    for (let i = 0; i < this.opts.samples; i++) if (this.live(i, nowMs)) total += this.totals[i];
    return total;
  }

  private elapsedMs(nowMs: number): number {
    let oldest = nowMs;
    for (let i = 0; i < this.opts.samples; i++) if (this.live(i, nowMs)) oldest = Math.min(oldest, this.starts[i]);
    const elapsed = nowMs - oldest;
    const missing = this.opts.samples - 1 - Math.floor(elapsed / this.opts.windowMs);
    return Math.max(1, missing > 0 ? elapsed + missing * this.opts.windowMs : elapsed);
  }
}

/**
 * Credit in units (bytes, or handling ms) that refills at `bound` per second up to `bound * burstMs`;
 * a record takes its amount, and a client in debt is throttled until the debt is repaid.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | null = null;

  constructor(private readonly burstMs: number = 1000) {
    this.tokens = Number.NaN; // filled to capacity on first use, when the bound is known
  }

  /** Takes `amount` at `nowMs` under a quota of `bound` per second; returns how long to throttle (0 when in credit). */
  record(amount: number, bound: number, nowMs: number): number {
    if (bound <= 0) return this.burstMs;
    const capacity = (bound * this.burstMs) / 1000;
    if (Number.isNaN(this.tokens)) this.tokens = capacity;
    if (this.lastMs !== null && nowMs > this.lastMs) this.tokens = Math.min(capacity, this.tokens + (bound * (nowMs - this.lastMs)) / 1000);
    this.lastMs = Math.max(this.lastMs ?? nowMs, nowMs);
    this.tokens -= amount;
    return this.tokens < 0 ? Math.ceil((-this.tokens * 1000) / bound) : 0;
  }
}
