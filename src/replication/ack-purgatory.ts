// The produce purgatory of one leader partition: acks=all appends parked until the high watermark
// passes their last offset, their request's timeout runs out, this broker stops leading the partition,
// or the broker shuts down. Waiters are kept in arrival order (appends finish in offset order), so an
// advance settles a prefix.

export type AckOutcome = 'acked' | 'timeout' | 'not-leader';

interface Waiter {
  /** Acknowledged once the high watermark is >= this (the batch's last offset + 1). */
  requiredOffset: number;
  settle(outcome: AckOutcome): void;
}

export class AckPurgatory {
  private waiting: Waiter[] = [];

  get size(): number { return this.waiting.length; }

  /** Parks until highWatermark >= requiredOffset (resolved at once when it already is). */
  wait(requiredOffset: number, highWatermark: number, timeoutMs: number, signal?: AbortSignal): Promise<AckOutcome> {
    if (highWatermark >= requiredOffset) return Promise.resolve('acked');
    if (signal?.aborted) return Promise.resolve('not-leader');
    return new Promise<AckOutcome>((resolve) => {
      const waiter: Waiter = {
        requiredOffset,
        settle: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      const remove = (outcome: AckOutcome): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        waiter.settle(outcome);
      };
      const onAbort = (): void => remove('not-leader');
      const timer = setTimeout(() => remove('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Acknowledges every waiter the high watermark now covers. */
  advance(highWatermark: number): void {
    if (this.waiting.length === 0) return;
    const still: Waiter[] = [];
    const done: Waiter[] = [];
    for (const w of this.waiting) (w.requiredOffset <= highWatermark ? done : still).push(w);
    if (done.length === 0) return;
    this.waiting = still;
    for (const w of done) w.settle('acked');
  }

  /** Answers every waiter with `outcome` (leadership lost). */
  failAll(outcome: AckOutcome): void {
    const all = this.waiting;
    this.waiting = [];
    for (const w of all) w.settle(outcome);
  }
}
