// The chaos schedule: every minIntervalMs..maxIntervalMs (seeded, so a run can be replayed) one broker
// is killed with SIGKILL — most of the time (leaderBias) the leader of a random partition of the topic,
// otherwise any running broker — and restarted minDownMs..maxDownMs later with the same data, port and
// config. One broker is down at a time. stop() ends the schedule and waits for a pending restart, so
// every broker runs again when it resolves.
//
// Failover time of a kill: for each partition the killed broker led just before the kill, the time from
// the kill to the first acknowledged record of that partition afterwards (fed by onAck).
// No import-time side effects (node --test loads this file too).
import type { TestCluster } from '../helpers/cluster.js';
import type { SeededRandom } from './seeded-random.js';

export interface ChaosLoopOptions {
  cluster: TestCluster;
  topic: string;
  random: SeededRandom;
  minIntervalMs?: number; // default 5000
  maxIntervalMs?: number; // default 10000
  minDownMs?: number; // default 2000
  maxDownMs?: number; // default 4000
  /** Share of kills aimed at a partition leader; default 0.8. */
  leaderBias?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface KillEvent {
  index: number;
  brokerId: number;
  /** Why this broker: 'leader of p<N>' or 'random'. */
  reason: string;
  /** Partitions it led just before the kill (from Metadata). */
  partitionsLed: number[];
  /** ms since the loop started. */
  killedAtMs: number;
  downMs: number;
  /** When it listened and was registered again (ms since the loop started); -1 if the restart failed. */
  upAtMs: number;
  /** Partition → ms from the kill to its first acknowledged record afterwards. */
  failoverMs: Map<number, number>;
  restartError?: string;
}

export class ChaosLoop {
  readonly events: KillEvent[] = [];
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private startedAt = 0;
  /** Partition → kill events still waiting for that partition's first ack after the kill. */
  private readonly waiting = new Map<number, { event: KillEvent; since: number }[]>();

  constructor(private readonly opts: ChaosLoopOptions) {}

  /** What broke the loop itself (not a broker), if anything; set once stop() has resolved. */
  failure: Error | null = null;

  start(): void {
    this.startedAt = Date.now();
    this.loop = this.run().catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Ends the schedule; resolves once the broker that is down (if any) runs again. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /** Feed every acknowledged record here (partition, Date.now() of the ack). */
  onAck(partition: number, atMs: number): void {
    const list = this.waiting.get(partition);
    if (!list) return;
    const still = list.filter(({ event, since }) => {
      if (atMs < since) return true;
      event.failoverMs.set(partition, atMs - since);
      return false;
    });
    if (still.length === 0) this.waiting.delete(partition);
    else this.waiting.set(partition, still);
  }

  private async run(): Promise<void> {
    const { cluster, topic, random } = this.opts;
    const minInterval = this.opts.minIntervalMs ?? 5000;
    const maxInterval = this.opts.maxIntervalMs ?? 10000;
    const minDown = this.opts.minDownMs ?? 2000;
    const maxDown = this.opts.maxDownMs ?? 4000;
    const leaderBias = this.opts.leaderBias ?? 0.8;
    const log = this.opts.log ?? (() => {});
    let nextKillAt = this.startedAt + random.between(minInterval, maxInterval);
    for (;;) {
      if (!(await this.pause(nextKillAt - Date.now()))) return;
      // The draws happen in the same order every run, whatever the cluster answers, so a seed replays.
      const aimAtLeader = random.next() < leaderBias;
      const draw = random.next();
      const downMs = Math.round(random.between(minDown, maxDown));
      const gapMs = random.between(minInterval, maxInterval);
      let leaders: number[] = [];
      try {
        leaders = await cluster.leaders(topic);
      } catch {
        // No broker answered Metadata: fall back to a random broker.
      }
      const up = cluster.upIds();
      const led = leaders.map((l, p) => ({ l, p })).filter(({ l }) => up.includes(l));
      let victim: number;
      let reason: string;
      if (aimAtLeader && led.length > 0) {
        const { l, p } = led[Math.floor(draw * led.length)];
        victim = l;
        reason = `leader of p${p}`;
      } else {
        victim = up[Math.floor(draw * up.length)];
        reason = 'random';
      }
      const event: KillEvent = {
        index: this.events.length + 1, brokerId: victim, reason,
        partitionsLed: leaders.flatMap((l, p) => (l === victim ? [p] : [])),
        killedAtMs: 0, downMs, upAtMs: -1, failoverMs: new Map(),
      };
      const killedAt = Date.now();
      await cluster.kill(victim);
      event.killedAtMs = killedAt - this.startedAt;
      this.events.push(event);
      for (const p of event.partitionsLed) {
        const list = this.waiting.get(p) ?? [];
        list.push({ event, since: killedAt });
        this.waiting.set(p, list);
      }
      log(`chaos: kill #${event.index} broker ${victim} (${reason}; led ${event.partitionsLed.map((p) => `p${p}`).join(',') || 'nothing'}) at ${(event.killedAtMs / 1000).toFixed(1)} s, down ${downMs} ms`);
      // The restart happens even when stop() came meanwhile: the run ends with every broker up.
      await new Promise((r) => setTimeout(r, downMs));
      for (let attempt = 1; ; attempt++) {
        try {
          await cluster.restart(victim);
          event.upAtMs = Date.now() - this.startedAt;
          delete event.restartError;
          break;
        } catch (err) {
          event.restartError = (err as Error).message.split('\n')[0];
          log(`chaos: restart of broker ${victim} failed (attempt ${attempt}): ${event.restartError}`);
          if (attempt >= 3) return;
        }
      }
      log(`chaos: broker ${victim} back at ${(event.upAtMs / 1000).toFixed(1)} s`);
      nextKillAt = Math.max(killedAt + gapMs, Date.now() + 500);
    }
  }

  /** Waits `ms`; false when stop() came first. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(true); }, Math.max(0, ms));
      const onAbort = (): void => { clearTimeout(timer); resolve(false); };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
