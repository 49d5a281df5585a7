// A group member's offset tracking: the position after what was handed out per partition (what a
// commit sends), the offsets known to be committed (so only what moved is committed again), the
// auto-commit clock, and where newly assigned partitions start: the committed offset, else the
// autoOffsetReset end (ListOffsets), else NO_COMMITTED_OFFSET with auto offset reset none.
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { fetchCommittedOffsets } from './group-requests.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from './types.js';

export const tpKey = (tp: TopicPartition): string => partitionKey(tp.topic, tp.partition);
export const describeTps = (list: TopicPartition[]): string => (list.length === 0 ? '(none)' : list.map((tp) => `${tp.topic}-${tp.partition}`).join(' '));

export interface GroupOffsetsOptions {
  groupId: string;
  autoCommitIntervalMs: number;
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  isolationLevel: 0 | 1;
  onNotice?: (message: string) => void;
}

export class GroupOffsets {
  /** Next offset after what was handed out, per partition. */
  private readonly consumed = new Map<string, TopicPartitionOffset>();
  private readonly committed = new Map<string, number>();
  private lastAutoCommitAt = Date.now();

  constructor(private readonly cluster: Cluster, private readonly opts: GroupOffsetsOptions) {}

  /** The records up to `last` were handed out. */
  handedOut(last: ConsumedRecord): void {
    this.consumed.set(tpKey(last), { topic: last.topic, partition: last.partition, offset: last.offset + 1 });
  }

  /** The position after what was handed out of `tp`, if anything was (or where it starts). */
  position(tp: TopicPartition): TopicPartitionOffset | undefined {
    return this.consumed.get(tpKey(tp));
  }

  /** Positions of the `owned` partitions that moved since their last commit. */
  uncommitted(owned: TopicPartition[]): TopicPartitionOffset[] {
    const keys = new Set(owned.map(tpKey));
    return [...this.consumed.entries()]
      .filter(([k, o]) => keys.has(k) && this.committed.get(k) !== o.offset)
      .map(([, o]) => o);
  }

  markCommitted(list: TopicPartitionOffset[]): void {
    for (const o of list) this.committed.set(tpKey(o), o.offset);
  }

  /** The end (high watermark, or last stable offset under read_committed) of each partition now, by tpKey. */
  async endOffsets(partitions: TopicPartition[]): Promise<Map<string, number>> {
    if (partitions.length === 0) return new Map();
    const ends = await listOffsets(this.cluster, partitions.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })), { isolationLevel: this.opts.isolationLevel });
    return new Map(partitions.map((tp) => [tpKey(tp), ends.get(tpKey(tp))?.offset ?? 0]));
  }

  /** Forgets revoked partitions. */
  forget(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const k = tpKey(tp);
      this.consumed.delete(k);
      this.committed.delete(k);
    }
  }

  /** True (and the clock restarts) when auto-commit is on and its interval has passed. */
  autoCommitDue(): boolean {
    if (this.opts.autoCommitIntervalMs <= 0 || Date.now() - this.lastAutoCommitAt < this.opts.autoCommitIntervalMs) return false;
    this.lastAutoCommitAt = Date.now();
    return true;
  }

  /**
   * Where `partitions` start: committed offsets (asked through `withCoordinator`); where none is
   * committed, the autoOffsetReset end. The positions are recorded as handed out up to there.
   */
  async startPositions(
    partitions: TopicPartition[],
    withCoordinator: <T>(fn: (coordinatorId: number) => Promise<T>) => Promise<T>,
  ): Promise<TopicPartitionOffset[]> {
    const { groupId, autoOffsetReset } = this.opts;
    const committed = await withCoordinator((coordinatorId) => fetchCommittedOffsets(this.cluster, coordinatorId, groupId, partitions));
    const missing = partitions.filter((tp) => (committed.get(tpKey(tp)) ?? -1) < 0);
    let resets = new Map<string, { offset: number }>();
    if (missing.length > 0) {
      if (autoOffsetReset === 'none') {
        throw new MqError('NO_COMMITTED_OFFSET', `group '${groupId}' has no committed offset for ${describeTps(missing)} and auto offset reset is none`, {
          hint: 'Pass --auto-offset-reset earliest or latest, or set offsets with `mq groups reset-offsets`.',
        });
      }
      const timestamp = autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
      resets = await listOffsets(this.cluster, missing.map((tp) => ({ ...tp, timestamp })), { isolationLevel: this.opts.isolationLevel });
      this.opts.onNotice?.(`group ${groupId}: no committed offset for ${describeTps(missing)}; starting at the ${autoOffsetReset} offset`);
    }
    const positions = partitions.map((tp) => {
      const c = committed.get(tpKey(tp)) ?? -1;
      if (c >= 0) this.committed.set(tpKey(tp), c);
      return { ...tp, offset: c >= 0 ? c : resets.get(tpKey(tp))!.offset };
    });
    for (const o of positions) this.consumed.set(tpKey(o), o);
    return positions;
  }
}
