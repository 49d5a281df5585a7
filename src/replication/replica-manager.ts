// Replication on one broker in cluster mode: turns the cached partition states into leader/follower
// roles of the hosted replicas, stores the ISR changes its leaders decide, and runs the periodic ISR
// check. ClusterAuthority (src/broker) decides WHETHER this broker may lead (registration held, state names it, state
// written after this run registered); this class makes the transitions:
// - becoming leader: stop fetching (waiting until the fetcher no longer writes), then Partition.becomeLeader;
// - becoming follower: Partition.becomeFollower (acks=all waiters answer NOT_LEADER_OR_FOLLOWER), then
//   follow the leader's broker (or nobody while the partition has no live leader);
// - staying leader: adopt the ISR the controller (or our own earlier write) left in the store.
// ISR writes are compare-and-swaps on `partitions/<topic>/<p>` against the cached version, only while the
// stored state names this broker leader with the epoch it leads with; a failed compare re-reads the
// stored state, adopts its ISR and lets the leader decide again.
import type { ClientSecurity } from '../client/security-options.js';
import type { BrokerConfig } from '../config/config.js';
import type { Partition } from './partition.js';
import type { PartitionState } from '../cluster/topic-records.js';
import type { MetadataCache } from '../cluster/metadata-cache.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { Logger } from '../util/logger.js';
import { ReplicaFetcherManager } from './replica-fetcher-manager.js';

export interface ReplicaDecision {
  /** The cached state (undefined: none yet). */
  state: PartitionState | undefined;
  replicas: number[];
  /** This broker may act as the leader the state names (rules (a)-(c) of the replication contract). */
  lead: boolean;
  /** The leader named by the state is registered (so there is someone to fetch from). */
  leaderLive: boolean;
}

export class ReplicaManager {
  readonly fetchers: ReplicaFetcherManager;
  private readonly managed = new Map<string, Partition>();
  /**
   * Key → the store version our last ISR write compared against (or the one before the stored state we
   * re-read): cached states at or below it are older than what the partition already knows.
   */
  private readonly isrKnownAfter = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: MetadataStore,
    private readonly cache: MetadataCache,
    private readonly logger: Logger,
    private readonly metrics: BrokerMetrics | undefined,
    private readonly endpoint: (id: number) => { host: string; port: number } | null,
    security?: ClientSecurity,
  ) {
    this.fetchers = new ReplicaFetcherManager({
      localId: config.nodeId, replicaFetchWaitMaxMs: config.replicaFetchWaitMaxMs, replicaFetchMaxBytes: config.replicaFetchMaxBytes,
      endpoint, logger, metrics, security,
    });
    this.timer = setInterval(() => this.checkIsr(), Math.max(50, Math.floor(config.replicaLagTimeMaxMs / 2)));
    this.timer.unref();
  }

  /** Partitions this broker leads now. */
  leaderCount(): number {
    let n = 0;
    for (const p of this.managed.values()) if (p.leaderState !== null) n++;
    return n;
  }

  /** Applies the decision for hosted partition `key`. */
  async reconcile(key: string, p: Partition, d: ReplicaDecision): Promise<void> {
    this.managed.set(key, p);
    p.isrWriter ??= (part, isr, leaderEpoch) => this.writeIsr(key, part, isr, leaderEpoch);
    const me = this.config.nodeId;
    const s = d.state;
    if (s && d.lead && !this.stopping) {
      if (p.leaderState === null || p.leaderEpoch !== s.leaderEpoch) {
        await this.fetchers.unfollow(key);
        p.becomeLeader(me, s.leaderEpoch, d.replicas, s.isr, Date.now());
        this.isrKnownAfter.delete(key);
        this.logger.info('became leader', { topic: p.topic, partition: p.index, leaderEpoch: s.leaderEpoch, isr: s.isr.join(','), highWatermark: p.highWatermark });
      } else if (this.cache.partitionVersion(p.topic, p.index) > (this.isrKnownAfter.get(key) ?? 0)) {
        const before = p.leaderState.isr;
        if (!sameList(before, s.isr) || !sameList(p.leaderState.replicas, d.replicas)) {
          p.adoptIsr(s.isr, d.replicas);
          if (!sameList(before, s.isr)) {
            this.logger.info('ISR changed in the store', { topic: p.topic, partition: p.index, isr: s.isr.join(','), leaderEpoch: s.leaderEpoch });
          }
        }
      }
      return;
    }
    const epoch = s?.leaderEpoch ?? p.leaderEpoch;
    const leader = s?.leader ?? -1;
    const wasLeader = p.leaderState !== null;
    if (p.role !== 'follower' || !p.replicated || p.leaderEpoch !== epoch) p.becomeFollower(epoch);
    const fetchFrom = s !== undefined && leader >= 0 && leader !== me && d.leaderLive && !this.stopping;
    if (wasLeader && leader === me) {
      // The store still names this broker, but it may not lead: it is shutting down, lost its registration
      // (fenced), or the leadership was granted before its current registration.
      const reason = this.stopping ? 'shutting down' : 'leadership not confirmed by this registration';
      this.logger.info('stopped leading', { topic: p.topic, partition: p.index, leaderEpoch: epoch, reason });
    } else if (wasLeader || (fetchFrom && !this.fetchers.follows(key, leader, epoch))) {
      this.logger.info('became follower', { topic: p.topic, partition: p.index, leader, leaderEpoch: epoch });
    }
    if (fetchFrom) await this.fetchers.follow(key, p, leader, epoch);
    else await this.fetchers.unfollow(key);
  }

  /** A hosted partition goes away (topic deleted, replica moved): stop everything about it. */
  async forget(key: string): Promise<void> {
    const p = this.managed.get(key);
    this.managed.delete(key);
    this.isrKnownAfter.delete(key);
    await this.fetchers.unfollow(key);
    if (p) p.becomeFollower(p.leaderEpoch);
  }

  /** Stops following anyone (controlled shutdown, close). */
  async stopFetchers(): Promise<void> {
    this.stopping = true;
    await this.fetchers.close();
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.fetchers.close();
    for (const p of this.managed.values()) if (p.leaderState !== null) p.becomeFollower(p.leaderEpoch);
    this.managed.clear();
  }

  /** The periodic check (every replica.lag.time.max.ms / 2): leaders drop followers that fell behind. */
  private checkIsr(): void {
    const now = Date.now();
    const limits = { replicaLagTimeMaxMs: this.config.replicaLagTimeMaxMs, replicaLagMaxMessages: this.config.replicaLagMaxMessages };
    for (const p of this.managed.values()) if (p.leaderState !== null) p.maybeShrinkIsr(now, limits);
  }

  /** Compare-and-swap of the partition's ISR; true when stored. */
  private async writeIsr(key: string, p: Partition, isr: number[], leaderEpoch: number): Promise<boolean> {
    const me = this.config.nodeId;
    const storeKey = `partitions/${key}`;
    const state = this.cache.partition(p.topic, p.index);
    const version = this.cache.partitionVersion(p.topic, p.index);
    if (!state || state.leader !== me || state.leaderEpoch !== leaderEpoch || this.stopping) return false;
    const before = p.leaderState?.isr ?? state.isr;
    let ok = false;
    try {
      const next: PartitionState = { ...state, isr };
      ok = await this.store.txn([{ key: storeKey, version }], [{ put: { key: storeKey, value: JSON.stringify(next) } }]);
    } catch (err) {
      this.logger.warn('ISR change could not be stored', { topic: p.topic, partition: p.index, isr: isr.join(','), error: (err as Error).message });
      return false;
    }
    if (ok) {
      this.isrKnownAfter.set(key, version);
      const shrink = isr.length < before.length;
      if (this.metrics) { if (shrink) this.metrics.isrShrinks++; else this.metrics.isrExpands++; }
      this.logger.info(shrink ? 'ISR shrunk' : 'ISR expanded', { topic: p.topic, partition: p.index, isr: isr.join(','), leaderEpoch });
      return true;
    }
    // Someone else (the controller) changed the state: read it and decide again from there.
    try {
      const kv = await this.store.get(storeKey);
      if (kv && p.leaderState !== null) {
        const stored = JSON.parse(kv.value) as PartitionState;
        if (stored.leader === me && stored.leaderEpoch === leaderEpoch) {
          this.isrKnownAfter.set(key, kv.version - 1);
          p.adoptIsr(stored.isr, p.leaderState.replicas);
        }
      }
    } catch (err) {
      this.logger.debug('re-reading a partition state failed', { topic: p.topic, partition: p.index, error: (err as Error).message });
    }
    return false;
  }
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
