// A piece of background work that many events ask for: schedule() runs it now, or, while it runs, once
// more after the running round, so a burst of requests coalesces into one extra round and two rounds
// never overlap. The controller's pass and its reassignment requests both work this way.

export class CoalescingRun {
  private running = false;
  private again = false;

  /**
   * `enabled` is asked before each round (a broker that stopped being controller stops); `failed` gets
   * what a round threw, while still enabled.
   */
  constructor(
    private readonly work: () => Promise<void>,
    private readonly enabled: () => boolean,
    private readonly failed: (err: unknown) => void,
  ) {}

  schedule(): void {
    if (!this.enabled()) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again && this.enabled());
      } catch (err) {
        if (this.enabled()) this.failed(err);
      } finally {
        this.running = false;
      }
    })();
  }
}
