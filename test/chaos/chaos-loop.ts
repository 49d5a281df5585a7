// The chaos schedule (the nemesis): every minIntervalMs..maxIntervalMs (seeded, so a run can be
// replayed) one fault hits one broker — most of the time (leaderBias) the leader of a random partition of
// the topic, otherwise any running broker — and is healed after its duration. One fault at a time.
// stop() ends the schedule and waits for the pending heal, so every broker runs and every link is whole
// when it resolves. The faults (FaultKind):
//   kill           kill -9, restarted minDownMs..maxDownMs later with the same data, port and config
//   pause          SIGSTOP for minFaultMs..maxFaultMs (past the session timeout: its lease expires and it
//                  wakes up a zombie), then SIGCONT
//   cut-etcd       its links to etcd cut (it cannot renew its lease; the others elect around it)
//   cut-followers  its links to the other brokers cut (it still hears etcd and the clients)
//   cut-clients    its links to the clients (the test process) cut
//   isolate        cut from everyone: etcd, brokers, clients
//   split          minority/majority: it alone on one side, the other brokers and etcd on the other; the
//                  clients reach both sides (so they keep writing to the old leader)
//   netem          5% of the packets every broker and etcd receive dropped, and 5 ms one-way delay on
//                  every link (delay-relay.ts: this kernel has no netem)
// The network faults need a cluster started with `netns: true` (test-network.ts).
//
// Failover time of a fault: for each partition the victim led just before it, the time from the fault to
// the first record of that partition acknowledged again, measured by a probe apart from the workload
// (failover-probe.ts: a client that asks a live broker for the leader every 100 ms), so it is the
// cluster's time, not a client library's timeouts or backlog. clientFailoverMs is the workload's own view:
// the fault to its first ack of a record it sent after the fault (fed by onAck).
// No import-time side effects (node --test loads this file too).
import type { TestCluster } from '../helpers/cluster.js';
import { probeFailover } from './failover-probe.js';
import type { SeededRandom } from './seeded-random.js';

/** How long a probe keeps trying after its fault (a partition that takes longer counts as never). */
const PROBE_LIMIT_MS = 60_000;

export type FaultKind = 'kill' | 'pause' | 'cut-etcd' | 'cut-followers' | 'cut-clients' | 'isolate' | 'split' | 'netem';
export const FAULT_KINDS: FaultKind[] = ['kill', 'pause', 'cut-etcd', 'cut-followers', 'cut-clients', 'isolate', 'split', 'netem'];
export const NETWORK_FAULTS: ReadonlySet<FaultKind> = new Set(['cut-etcd', 'cut-followers', 'cut-clients', 'isolate', 'split', 'netem']);

export interface ChaosLoopOptions {
  cluster: TestCluster;
  /** The faults to draw from (default ['kill']). */
  faults?: FaultKind[];
  /** 'cycle': the faults in turn, so a short run has each (default 'random': seeded draws). */
  order?: 'random' | 'cycle';
  /** How long a fault other than kill lasts (default 4000..8000 ms). */
  minFaultMs?: number;
  maxFaultMs?: number;
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
  kind: FaultKind;
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
  /** Partition → ms from the fault to the workload's first ack of a record it sent after the fault. */
  clientFailoverMs: Map<number, number>;
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

  /** Ends the schedule; resolves once the broker that is down (if any) runs again and the probes ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.all(this.probes);
  }

  /** The failover probes under way (failover-probe.ts). */
  private readonly probes: Promise<unknown>[] = [];

  /**
   * Feed every acknowledged record here (partition, Date.now() of the ack, and of its send): a fault's
   * failover ends with the first ack, after it, of a record sent after it.
   */
  onAck(partition: number, atMs: number, sentAtMs = atMs): void {
    const list = this.waiting.get(partition);
    if (!list) return;
    const still = list.filter(({ event, since }) => {
      if (sentAtMs < since) return true;
      event.clientFailoverMs.set(partition, atMs - since);
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
      const faults = this.opts.faults ?? ['kill'];
      // One draw more only when there is a choice, so kill-only seeds replay as before.
      const kind = faults.length === 1 ? faults[0]
        : this.opts.order === 'cycle' ? faults[this.events.length % faults.length] : random.pick(faults);
      const aimAtLeader = random.next() < leaderBias;
      const draw = random.next();
      const downMs = kind === 'kill'
        ? Math.round(random.between(minDown, maxDown))
        : Math.round(random.between(this.opts.minFaultMs ?? 4000, this.opts.maxFaultMs ?? 8000));
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
        index: this.events.length + 1, kind, brokerId: victim, reason,
        partitionsLed: leaders.flatMap((l, p) => (l === victim ? [p] : [])),
        killedAtMs: 0, downMs, upAtMs: -1, failoverMs: new Map(), clientFailoverMs: new Map(),
      };
      const killedAt = Date.now();
      if (kind !== 'kill') {
        // Marked first, so a failure to inject or heal is still an event with its time.
        event.killedAtMs = killedAt - this.startedAt;
        this.events.push(event);
        log(`chaos: ${kind} #${event.index} broker ${victim} (${reason}; led ${event.partitionsLed.map((p) => `p${p}`).join(',') || 'nothing'}) at ${(event.killedAtMs / 1000).toFixed(1)} s for ${downMs} ms`);
        await this.inject(kind, victim);
        // Timed from when the fault is whole (a cut is several nftables rules), so no probe slips through before it.
        this.watchFailover(event, Date.now());
        await new Promise((r) => setTimeout(r, downMs));
        await this.heal(kind, victim);
        event.upAtMs = Date.now() - this.startedAt;
        log(`chaos: ${kind} of broker ${victim} healed at ${(event.upAtMs / 1000).toFixed(1)} s`);
        nextKillAt = Math.max(killedAt + gapMs, Date.now() + 500);
        continue;
      }
      await cluster.kill(victim);
      event.killedAtMs = killedAt - this.startedAt;
      this.events.push(event);
      this.watchFailover(event, killedAt);
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

  private watchFailover(event: KillEvent, since: number): void {
    const { cluster, topic } = this.opts;
    this.probes.push(Promise.all(event.partitionsLed.map(async (p) => {
      const ms = await probeFailover(cluster, topic, p, event.brokerId, since, PROBE_LIMIT_MS);
      if (ms >= 0) event.failoverMs.set(p, ms);
    })));
    for (const p of event.partitionsLed) {
      const list = this.waiting.get(p) ?? [];
      list.push({ event, since });
      this.waiting.set(p, list);
    }
  }

  /** Starts fault `kind` (not kill) on broker `victim`. */
  private async inject(kind: FaultKind, victim: number): Promise<void> {
    const { cluster } = this.opts;
    if (kind === 'pause') { cluster.pause(victim); return; }
    const net = cluster.network;
    if (!net) throw new Error(`fault ${kind} needs a cluster in network namespaces (startCluster({ netns: true }))`);
    const me = cluster.hostName(victim);
    const others = cluster.ids.filter((id) => id !== victim).map((id) => cluster.hostName(id));
    if (kind === 'cut-etcd') await net.cut([me], ['etcd']);
    else if (kind === 'cut-followers') await net.cut([me], others);
    else if (kind === 'cut-clients') await net.cut([me], ['clients']);
    else if (kind === 'isolate') await net.cut([me], ['etcd', 'clients', ...others]);
    else if (kind === 'split') await net.cut([me], ['etcd', ...others]);
    else if (kind === 'netem') {
      for (const h of ['etcd', me, ...others]) await net.loss(h, 5);
      await cluster.setDelay(5);
    }
  }

  private async heal(kind: FaultKind, victim: number): Promise<void> {
    const { cluster } = this.opts;
    if (kind === 'pause') { cluster.resume(victim); return; }
    const net = cluster.network!;
    if (kind === 'netem') {
      for (const h of ['etcd', ...cluster.ids.map((id) => cluster.hostName(id))]) await net.loss(h, 0);
      await cluster.setDelay(0);
    }
    else await net.heal();
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
