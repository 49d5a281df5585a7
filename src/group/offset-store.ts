// Committed offsets in the MetadataStore, one key per partition:
//
//   groups/<group id, URI-encoded>/offsets/<topic>/<partition>
//     = {"offset":N,"leaderEpoch":E,"metadata":"...","commitTimestamp":MS}
//
// The group id is URI-encoded because group ids may contain '/' (topic names cannot). Writes that
// arrive while a store transaction is running are coalesced into the next one (group commit), so
// many groups committing at once cost one store write per round rather than one each.
import type { MetadataStore, StoreOp, WatchEvent } from '../cluster/metadata-store.js';
import { deferred, type Deferred } from '../util/promise.js';
import type { CommittedOffset } from './group.js';

const PREFIX = 'groups/';

export interface StoredOffset { groupId: string; topic: string; partition: number; value: CommittedOffset }

export function offsetKey(groupId: string, topic: string, partition: number): string {
  return `${PREFIX}${encodeURIComponent(groupId)}/offsets/${topic}/${partition}`;
}

/** The group, topic and partition of an offset key; null for any other key under `groups/`. */
export function parseOffsetKey(key: string): { groupId: string; topic: string; partition: number } | null {
  if (!key.startsWith(PREFIX)) return null;
  const parts = key.slice(PREFIX.length).split('/');
  if (parts.length !== 4 || parts[1] !== 'offsets') return null;
  const partition = Number(parts[3]);
  if (!Number.isInteger(partition)) return null;
  return { groupId: decodeURIComponent(parts[0]), topic: parts[2], partition };
}

export function parseOffsetValue(json: string): CommittedOffset {
  const v = JSON.parse(json) as Partial<CommittedOffset>;
  return { offset: Number(v.offset), leaderEpoch: v.leaderEpoch ?? -1, metadata: v.metadata ?? '', commitTimestamp: v.commitTimestamp ?? 0 };
}

export class OffsetStore {
  private pending: { ops: StoreOp[]; done: Deferred<void> }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly store: MetadataStore) {}

  /** Every committed offset in the store. */
  async load(): Promise<StoredOffset[]> {
    const out: StoredOffset[] = [];
    for (const kv of await this.store.range(PREFIX)) {
      const at = parseOffsetKey(kv.key);
      if (at) out.push({ ...at, value: parseOffsetValue(kv.value) });
    }
    return out;
  }

  /** Offset puts and deletes under `groups/` by any broker, from now until `signal` aborts. */
  watch(signal: AbortSignal): AsyncIterable<WatchEvent> {
    return this.store.watch(PREFIX, signal);
  }

  /** Writes offsets; resolves once they are durable in the store. */
  write(entries: StoredOffset[]): Promise<void> {
    return this.enqueue(entries.map((e) => ({
      put: { key: offsetKey(e.groupId, e.topic, e.partition), value: JSON.stringify(e.value) },
    })));
  }

  /** Deletes the given offsets of a group. */
  remove(groupId: string, partitions: { topic: string; partition: number }[]): Promise<void> {
    return this.enqueue(partitions.map((p) => ({ delete: offsetKey(groupId, p.topic, p.partition) })));
  }

  /** Waits for every write queued so far. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private enqueue(ops: StoreOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    const done = deferred<void>();
    this.pending.push({ ops, done });
    this.flushing ??= this.drain();
    return done.promise;
  }

  private async drain(): Promise<void> {
    // Let the requests of this tick queue up before the first transaction.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.store.txn([], batch.flatMap((b) => b.ops));
        for (const b of batch) b.done.resolve();
      } catch (err) {
        for (const b of batch) b.done.reject(err);
      }
    }
    this.flushing = null;
  }
}
