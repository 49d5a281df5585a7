// A token bucket (issue 8, replication throttle): tokens are bytes, refilled at `rateBytesPerSec` up to
// `capacityBytes` (the burst). Callers ask how many bytes they may request now (available()), then
// consume() what actually arrived; a response larger than the tokens left (a leader always returns at
// least one whole batch) drives the balance negative, and the debt is paid back by refill before the next
// request, so over any interval the bytes consumed stay within capacity + rate x time + one overshoot.
// Time is injected (`now`) so the arithmetic is unit-tested without sleeping.

export interface TokenBucketOptions {
  rateBytesPerSec: number;
  /** The most tokens saved up while idle; default one second of the rate. */
  capacityBytes?: number;
  now?: () => number;
}

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private rate: number;
  private capacity: number;
  private readonly now: () => number;

  constructor(opts: TokenBucketOptions) {
    this.now = opts.now ?? Date.now;
    this.rate = opts.rateBytesPerSec;
    this.capacity = opts.capacityBytes ?? opts.rateBytesPerSec;
    this.tokens = this.capacity;
    this.lastMs = this.now();
  }

  get rateBytesPerSec(): number { return this.rate; }
  get capacityBytes(): number { return this.capacity; }

  /** Changes the rate (and a capacity that followed it); tokens above the new capacity are dropped. */
  setRate(rateBytesPerSec: number, capacityBytes = rateBytesPerSec): void {
    if (rateBytesPerSec === this.rate && capacityBytes === this.capacity) return;
    this.refill();
    this.rate = rateBytesPerSec;
    this.capacity = capacityBytes;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  /** Whole bytes that may be requested now (0 while in debt). */
  available(): number {
    this.refill();
    return Math.max(0, Math.floor(this.tokens));
  }

  /** Takes `bytes` (may leave the bucket in debt). */
  consume(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }

  /** How long until at least `bytes` tokens are there (0 if now). */
  msUntil(bytes = 1): number {
    this.refill();
    const want = Math.min(bytes, this.capacity);
    if (this.tokens >= want) return 0;
    return Math.ceil(((want - this.tokens) / this.rate) * 1000);
  }

  private refill(): void {
    const now = this.now();
    const elapsedMs = Math.max(0, now - this.lastMs);
    this.lastMs = now;
    this.tokens = Math.min(this.capacity, this.tokens + (this.rate * elapsedMs) / 1000);
  }
}
