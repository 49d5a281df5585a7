// The follower side of a broker: one ReplicaFetcher per source (leader) broker, each partition followed
// by exactly one of them. follow() moves a partition to the fetcher of its new leader (waiting until
// the old fetcher has stopped writing to its log); unfollow() stops following it (before the replica
// becomes leader or goes away). A fetcher left with no partitions is closed.
import type { Partition } from './partition.js';
import { ReplicaFetcher, type ReplicaFetcherOptions } from './replica-fetcher.js';
import type { ReplicationThrottle } from './replication-throttle.js';

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** Key "topic/partition" → the source broker followed. */
  private readonly sources = new Map<string, number>();

  constructor(private readonly opts: ReplicaFetcherOptions) {}

  /** Installs the reassignment throttle every fetcher (running or new) consults before each fetch. */
  setThrottle(throttle: ReplicationThrottle): void {
    this.opts.throttle = throttle;
  }

  /** Whether `key` is followed from `leaderId` at `leaderEpoch`. */
  follows(key: string, leaderId: number, leaderEpoch: number): boolean {
    return this.sources.get(key) === leaderId && (this.fetchers.get(leaderId)?.has(key, leaderEpoch) ?? false);
  }

  /** Follows `partition` from `leaderId` at `leaderEpoch` (truncating by epoch first). */
  async follow(key: string, partition: Partition, leaderId: number, leaderEpoch: number): Promise<void> {
    if (this.follows(key, leaderId, leaderEpoch)) return;
    await this.unfollow(key);
    let fetcher = this.fetchers.get(leaderId);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(leaderId, this.opts);
      this.fetchers.set(leaderId, fetcher);
    }
    fetcher.add(key, partition, leaderEpoch);
    this.sources.set(key, leaderId);
  }

  /** Stops following `key`; resolves once its old fetcher no longer writes to the log. */
  async unfollow(key: string): Promise<void> {
    const source = this.sources.get(key);
    if (source === undefined) return;
    this.sources.delete(key);
    const fetcher = this.fetchers.get(source);
    if (!fetcher) return;
    await fetcher.remove(key);
    if (fetcher.size === 0 && this.fetchers.get(source) === fetcher) {
      this.fetchers.delete(source);
      await fetcher.close();
    }
  }

  /** The source broker of each followed partition (for tests and status). */
  followed(): Map<string, number> {
    return new Map(this.sources);
  }

  async close(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.sources.clear();
    await Promise.allSettled(all.map((f) => f.close()));
  }
}
