// A small seeded PRNG (mulberry32) so a chaos run's schedule (which broker, when, for how long) is
// reproducible from the seed it prints. No import-time side effects (node --test loads this file too).

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A seed from the clock, for runs that do not name one. */
  static freshSeed(): number {
    return (Date.now() ^ (process.pid << 16)) >>> 0;
  }
}
