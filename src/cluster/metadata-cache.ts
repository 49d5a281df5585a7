// A broker's local copy of the cluster metadata in the store: `topics/<name>` (TopicRecord),
// `partitions/<topic>/<p>` (PartitionState), `brokers/<id>` (live registrations), `controller` and
// `reassignments/<topic>/<p>` (the moves in progress; the replication throttle reads them).
// Each prefix is watched first and read second, so no change between the two is missed; a watch that
// fails (etcd compacted its history, the connection broke for good) is re-read and watched again.
// 'change' fires after every applied event, so the broker can open logs for partitions it now leads.
import { EventEmitter } from 'node:events';
import type { Logger } from '../util/logger.js';
import type { TopicRecord, PartitionState } from './topic-records.js';
import { BROKERS_PREFIX, type BrokerInfo, type RegisteredBroker } from './broker-registry.js';
import { CONTROLLER_KEY } from './controller-election.js';
import type { KeyValue, MetadataStore, WatchEvent } from './metadata-store.js';
import { REASSIGNMENTS_PREFIX, type Reassignment } from './replica-restore.js';

export class MetadataCache extends EventEmitter {
  readonly topics = new Map<string, TopicRecord>();
  /** Key "topic/partition". */
  readonly partitions = new Map<string, PartitionState>();
  /**
   * Key "topic/partition": the store version of each partition state (what a compare-and-swap must
   * match). Versions are store-wide revisions, so they also order a state against a broker's
   * registration (its brokerEpoch): a leadership written before a broker registered predates that run.
   */
  readonly partitionVersions = new Map<string, number>();
  readonly brokers = new Map<number, RegisteredBroker>();
  /** Key "topic/partition": the reassignments (and replica restores) in progress. */
  readonly reassignments = new Map<string, Reassignment>();
  controllerId = -1;
  private readonly stop = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly store: MetadataStore, private readonly logger: Logger) {
    super();
  }

  /** Reads everything once and keeps following changes until close(). */
  async start(): Promise<void> {
    const ready = ['topics/', 'partitions/', BROKERS_PREFIX, CONTROLLER_KEY, REASSIGNMENTS_PREFIX].map((prefix) => new Promise<void>((resolve, reject) => {
      this.loops.push(this.follow(prefix, resolve, reject));
    }));
    await Promise.all(ready);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.loops);
  }

  partition(topic: string, index: number): PartitionState | undefined {
    return this.partitions.get(`${topic}/${index}`);
  }

  /** The store version of a partition's state; 0 when unknown. */
  partitionVersion(topic: string, index: number): number {
    return this.partitionVersions.get(`${topic}/${index}`) ?? 0;
  }

  /** Resolves once `done()` holds (checked now and after every applied change) or after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => { this.off('change', check); resolve(); }, timeoutMs);
      this.on('change', check);
      check();
    });
  }

  liveBrokerIds(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  private async follow(prefix: string, ready: () => void, failed: (err: unknown) => void): Promise<void> {
    let first = true;
    while (!this.stop.signal.aborted) {
      const watching = new AbortController();
      const onStop = (): void => watching.abort();
      this.stop.signal.addEventListener('abort', onStop, { once: true });
      try {
        const events = this.store.watch(prefix, watching.signal)[Symbol.asyncIterator]();
        const kvs = await this.store.range(prefix);
        this.reset(prefix, kvs);
        if (first) { first = false; ready(); }
        this.emit('change');
        for (;;) {
          const r = await events.next();
          if (r.done) break;
          this.apply(r.value);
          this.emit('change');
        }
      } catch (err) {
        if (first) { failed(err); return; }
        if (this.stop.signal.aborted) return;
        this.logger.warn('metadata watch failed; reading again', { prefix, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        this.stop.signal.removeEventListener('abort', onStop);
        watching.abort();
      }
    }
  }

  private reset(prefix: string, kvs: KeyValue[]): void {
    if (prefix === 'topics/') this.topics.clear();
    else if (prefix === 'partitions/') { this.partitions.clear(); this.partitionVersions.clear(); }
    else if (prefix === BROKERS_PREFIX) this.brokers.clear();
    else if (prefix === REASSIGNMENTS_PREFIX) this.reassignments.clear();
    else this.controllerId = -1;
    for (const kv of kvs) this.apply({ type: 'put', key: kv.key, value: kv.value, version: kv.version });
  }

  private apply(ev: WatchEvent): void {
    try {
      if (ev.key.startsWith('topics/')) {
        const name = ev.key.slice('topics/'.length);
        if (ev.type === 'put') this.topics.set(name, JSON.parse(ev.value!) as TopicRecord);
        else this.topics.delete(name);
      } else if (ev.key.startsWith('partitions/')) {
        const id = ev.key.slice('partitions/'.length);
        if (ev.type === 'put') {
          this.partitions.set(id, JSON.parse(ev.value!) as PartitionState);
          this.partitionVersions.set(id, ev.version ?? 0);
        } else {
          this.partitions.delete(id);
          this.partitionVersions.delete(id);
        }
      } else if (ev.key.startsWith(BROKERS_PREFIX)) {
        const id = Number(ev.key.slice(BROKERS_PREFIX.length));
        if (ev.type === 'put') this.brokers.set(id, { ...(JSON.parse(ev.value!) as BrokerInfo), brokerEpoch: ev.version ?? 0 });
        else this.brokers.delete(id);
      } else if (ev.key.startsWith(REASSIGNMENTS_PREFIX)) {
        const id = ev.key.slice(REASSIGNMENTS_PREFIX.length);
        if (ev.type === 'put') this.reassignments.set(id, JSON.parse(ev.value!) as Reassignment);
        else this.reassignments.delete(id);
      } else if (ev.key === CONTROLLER_KEY) {
        this.controllerId = ev.type === 'put' ? (JSON.parse(ev.value!) as { brokerId: number }).brokerId : -1;
      }
    } catch (err) {
      this.logger.warn('unreadable metadata value ignored', { key: ev.key, error: (err as Error).message });
    }
  }
}
