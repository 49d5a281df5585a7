// A consumer-group member: iteration and rebalances. Membership (join, sync, heartbeats, leave) is in
// group-membership.ts, offset tracking (positions, commits, start offsets) in group-offsets.ts.
//
// Rebalances happen only between pulls of batches() (Kafka's "inside poll()"): the caller finishes the
// batch it holds, commits it (in the current generation, which the coordinator still accepts while it
// prepares the rebalance), and only then does the member revoke and rejoin. With an eager protocol
// (range, roundrobin) every partition is revoked before JoinGroup and the new ones start from the
// committed offsets (OffsetFetch; none committed → autoOffsetReset). With cooperative-sticky (KIP-429)
// the member keeps consuming its partitions while JoinGroup/SyncGroup run in the background, keeps its
// fetch positions across the rebalance, revokes (between batches) only the partitions the leader took
// away, and then rejoins at once so they can go to their new owner. A commit that meets the group in
// CompletingRebalance meanwhile waits for the new generation and is sent again.
//
// A caller that does not come back for the next batch within maxPollIntervalMs is taken out of the group
// (LeaveGroup), as Kafka does; it rejoins on its next pull.
//
// batches({ exitAtEnd }) (kcat -G -e): each newly assigned partition gets a target, its end (ListOffsets
// latest) when it was assigned; the iteration ends at a pull (so after the caller committed the last
// batch) once every partition owned is read up to its target, or the fetcher found them all at their
// current end. A rebalance that adds partitions adds targets (an eager one re-adds every partition, so
// their targets become the ends at that time); revoked partitions stop counting. A member assigned
// nothing ends after its first assignment. This covers the group only with an eager protocol, where every
// generation gives every partition to some member; under cooperative-sticky a partition being moved
// belongs to nobody for a generation, so all members may end before it is read (mq consume refuses it).
import { MqError } from '../util/mq-error.js';
import { Cluster, metadataMaxAgeMs, type ClusterOptions } from './cluster.js';
import { fetcherOptions, isolationLevelCode } from './consumer.js';
import { logDropped } from './dropped-error.js';
import { Fetcher } from './fetcher.js';
import { GroupMembership, REJOIN_CODES } from './group-membership.js';
import { describeTps, GroupOffsets, tpKey } from './group-offsets.js';
import { commitOffsets } from './group-requests.js';
import type { ConsumedRecord, GroupConsumer, GroupConsumerOptions, TopicPartition, TopicPartitionOffset } from './types.js';

export { REJOIN_CODES } from './group-membership.js';

/** Creates a group member; iterate batches() or records() to join and consume. */
export function createGroupConsumer(opts: GroupConsumerOptions): GroupConsumer {
  return new ClassicGroupConsumer(opts);
}

class ClassicGroupConsumer implements GroupConsumer {
  private readonly cluster: Cluster;
  private readonly fetcher: Fetcher;
  private readonly membership: GroupMembership;
  private readonly offsets: GroupOffsets;
  private readonly groupId: string;
  private readonly maxPollRecords: number;
  private readonly autoCommitIntervalMs: number;

  private owned: TopicPartition[] = [];
  /** With exitAtEnd: where each owned partition ended when it was assigned, by tpKey. */
  private readonly endAt = new Map<string, number>();
  private exitAtEnd = false;
  /** An assignment (possibly empty) has been applied at least once. */
  private assignedOnce = false;
  /** Set while the caller holds a batch (for max.poll.interval.ms). */
  private handedOutAt: number | null = null;
  /** A cooperative rebalance running while owned partitions are still consumed. */
  private joining: Promise<TopicPartition[] | null> | null = null;
  /** Aborts when `joining` settles. */
  private joined: AbortSignal = AbortSignal.abort();
  private readonly closing = new AbortController();
  private closePromise: Promise<void> | null = null;

  constructor(private readonly opts: GroupConsumerOptions) {
    if (!opts.groupId) throw new MqError('INVALID_GROUP_ID', 'a group id is required');
    if (!opts.topics || opts.topics.length === 0) throw new MqError('INVALID_REQUEST', 'subscribe to at least one topic');
    this.cluster = new Cluster(opts as ClusterOptions);
    this.fetcher = new Fetcher(this.cluster, fetcherOptions(opts, 'latest'));
    this.groupId = opts.groupId;
    this.membership = new GroupMembership(this.cluster, opts, metadataMaxAgeMs(opts), this.closing.signal, {
      owned: () => this.owned,
      handedOutAt: () => this.handedOutAt,
    });
    this.maxPollRecords = opts.maxPollRecords ?? 500;
    this.autoCommitIntervalMs = opts.autoCommitIntervalMs ?? 0;
    this.offsets = new GroupOffsets(this.cluster, {
      groupId: opts.groupId, autoCommitIntervalMs: this.autoCommitIntervalMs, autoOffsetReset: opts.autoOffsetReset ?? 'latest',
      isolationLevel: isolationLevelCode(opts.isolationLevel), onNotice: opts.onNotice,
    });
  }

  get memberId(): string {
    return this.membership.memberId;
  }

  get generationId(): number {
    return this.membership.generationId;
  }

  /** Tests make the member stale by setting an older generation. */
  set generationId(generationId: number) {
    this.membership.generationId = generationId;
  }

  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  async *records(opts: { signal?: AbortSignal; exitAtEnd?: boolean } = {}): AsyncGenerator<ConsumedRecord> {
    for await (const batch of this.batches(opts)) yield* batch;
  }

  async *batches(opts: { signal?: AbortSignal; exitAtEnd?: boolean } = {}): AsyncGenerator<ConsumedRecord[]> {
    if (this.closing.signal.aborted) throw new MqError('CLIENT_CLOSED', 'the consumer is closed');
    const stop = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    const m = this.membership;
    const exitAtEnd = opts.exitAtEnd ?? false;
    this.exitAtEnd = exitAtEnd;
    try {
      for (;;) {
        if (stop.aborted) return;
        if (m.fatal) throw m.fatal;
        if (exitAtEnd && this.drained()) return;
        if ((m.rejoinNeeded || !m.stable) && m.cooperative() && this.owned.length > 0) {
          // KIP-429: keep consuming what we own while the group rebalances.
          if (!this.joining) {
            const joined = new AbortController();
            this.joining = m.joinAndSync(stop).finally(() => joined.abort());
            this.joined = joined.signal;
            this.joining.catch(() => undefined); // awaited below; this only marks it handled meanwhile
          }
          if (yield* this.handOut(AbortSignal.any([stop, this.joined]), exitAtEnd)) return;
          if (stop.aborted) return; // close() ends the join by closing the connections
          const assignment = await this.joining.finally(() => { this.joining = null; });
          if (assignment === null) return;
          await this.completeRebalance(assignment);
          continue;
        }
        if (m.rejoinNeeded || !m.stable) {
          await this.rebalance(stop);
          if (stop.aborted) return;
          continue;
        }
        if (yield* this.handOut(AbortSignal.any([stop, m.generationStop.signal]), exitAtEnd)) return;
      }
    } catch (err) {
      // close() (or the caller's signal) ends the iteration; what failed because of it is no error.
      if (stop.aborted) return;
      throw err;
    } finally {
      this.handedOutAt = null;
    }
  }

  /**
   * Fetches and hands out batches of at most maxPollRecords until `fetchStop` aborts. With exitAtEnd,
   * returns true once every owned partition is read to its end (see drained()).
   */
  private async *handOut(fetchStop: AbortSignal, exitAtEnd: boolean): AsyncGenerator<ConsumedRecord[], boolean> {
    for await (const batch of this.fetcher.batches(fetchStop, exitAtEnd)) {
      for (let i = 0; i < batch.records.length; i += this.maxPollRecords) {
        const chunk = batch.records.slice(i, i + this.maxPollRecords);
        this.offsets.handedOut(chunk[chunk.length - 1]);
        this.handedOutAt = Date.now();
        yield chunk;
        this.handedOutAt = null;
        if (fetchStop.aborted) return false;
        if (this.offsets.autoCommitDue()) this.commitAsync();
      }
      if (fetchStop.aborted) return false;
      if (exitAtEnd && this.drained()) return true;
    }
    // With exitAtEnd the fetcher ends by itself once each of its partitions reached its current end.
    return exitAtEnd && !fetchStop.aborted;
  }

  /**
   * With exitAtEnd, after an assignment: every owned partition is handed out up to where it ended when
   * it was assigned. Only what was handed out counts: after a generation cut a fetched batch short, the
   * fetcher's own offset is ahead of the records the caller saw.
   */
  private drained(): boolean {
    if (!this.assignedOnce) return false;
    return this.owned.every((tp) => (this.offsets.position(tp)?.offset ?? -1) >= (this.endAt.get(tpKey(tp)) ?? Number.POSITIVE_INFINITY));
  }

  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    const list = offsets ?? this.offsets.uncommitted(this.owned);
    if (list.length === 0) return;
    const m = this.membership;
    const send = () => m.withCoordinator((coordinatorId) => commitOffsets(this.cluster, coordinatorId, this.groupId, m.generationId, m.memberId, list));
    try {
      await send();
    } catch (err) {
      const joining = this.joining;
      if (joining && err instanceof MqError && (err.code === 'REBALANCE_IN_PROGRESS' || err.code === 'ILLEGAL_GENERATION')) {
        // A cooperative rebalance reached CompletingRebalance: commit again in the new generation.
        await joining.catch((joinErr: unknown) => logDropped(this.cluster.logger, 'group consumer: rejoin failed while a commit waited for it; committing anyway', joinErr, { group: this.groupId }));
        await send().catch((again: unknown) => {
          if (again instanceof MqError && REJOIN_CODES.has(again.code)) m.requestRejoin(again.code === 'UNKNOWN_MEMBER_ID');
          throw again;
        });
      } else {
        if (err instanceof MqError && REJOIN_CODES.has(err.code)) m.requestRejoin(err.code === 'UNKNOWN_MEMBER_ID');
        throw err;
      }
    }
    this.offsets.markCommitted(list);
  }

  commitAsync(offsets?: TopicPartitionOffset[]): void {
    this.commit(offsets).catch((err: unknown) => {
      logDropped(this.cluster.logger, 'group consumer: background commit failed; the offsets are committed again later or delivered again', err, { group: this.groupId });
      this.opts.onNotice?.(`group ${this.groupId}: commit failed: ${(err as Error).message}`);
    });
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing.abort();
      const m = this.membership;
      m.stop();
      try {
        if (m.stable && this.autoCommitIntervalMs > 0) await this.commit().catch((err: unknown) => this.droppedCommit('close', this.owned, err));
        if (this.owned.length > 0) await this.revoke(this.owned);
        if (m.memberId && m.coordinatorId >= 0) await m.leaveGroup();
      } finally {
        await this.cluster.close();
      }
    })();
    return this.closePromise;
  }

  /** Revoke (eager), JoinGroup, SyncGroup, then positions for the new partitions. */
  private async rebalance(stop: AbortSignal): Promise<void> {
    await this.cluster.connect();
    await this.membership.checkTopicsOnce();
    if (!this.membership.cooperative() && this.owned.length > 0) {
      if (this.autoCommitIntervalMs > 0) await this.commit().catch((err: unknown) => this.droppedCommit('revoke', this.owned, err));
      await this.revoke(this.owned);
    }
    const assignment = await this.membership.joinAndSync(stop);
    if (assignment !== null) await this.completeRebalance(assignment);
  }

  /** Applies a new assignment between batches, then resumes heartbeats (and fetching). */
  private async completeRebalance(assignment: TopicPartition[]): Promise<void> {
    await this.applyAssignment(assignment);
    this.membership.joined();
  }

  /** Revokes what is gone, starts what is new (committed offset, else autoOffsetReset). */
  private async applyAssignment(assigned: TopicPartition[]): Promise<void> {
    const now = new Set(assigned.map(tpKey));
    const had = new Set(this.owned.map(tpKey));
    const revoked = this.owned.filter((tp) => !now.has(tpKey(tp)));
    const added = assigned.filter((tp) => !had.has(tpKey(tp)));
    if (revoked.length > 0) {
      if (this.autoCommitIntervalMs > 0) {
        await this.commit(revoked.map((tp) => this.offsets.position(tp)!).filter(Boolean)).catch((err: unknown) => this.droppedCommit('revoke', revoked, err));
      }
      await this.revoke(revoked);
      // KIP-429: what we gave up can go to its new owner only in another rebalance.
      this.membership.rejoinNeeded = true;
    }
    // Kept partitions continue from what was handed out (a fetch answer may have been dropped half-used).
    const kept = assigned.filter((tp) => had.has(tpKey(tp)));
    const keptPositions = kept.map((tp) => this.offsets.position(tp)).filter((x): x is TopicPartitionOffset => x !== undefined);
    if (keptPositions.length > 0) this.fetcher.add(keptPositions.map((o) => ({ topic: o.topic, partition: o.partition, fetchOffset: o.offset })));
    this.owned = assigned;
    await this.cluster.refreshMetadata(this.membership.subscribed, false);
    if (added.length > 0) {
      if (this.exitAtEnd) for (const [k, end] of await this.offsets.endOffsets(added)) this.endAt.set(k, end);
      const positions = await this.offsets.startPositions(added, (fn) => this.membership.withCoordinator(fn));
      this.fetcher.add(positions.map((o) => ({ topic: o.topic, partition: o.partition, fetchOffset: o.offset })));
      await this.opts.onAssign?.(added);
    }
    this.assignedOnce = true;
  }

  /** An auto-commit on revoke or close failed: whoever reads these partitions next repeats what was handed out since the last commit. */
  private droppedCommit(on: 'revoke' | 'close', partitions: TopicPartition[], err: unknown): void {
    logDropped(this.cluster.logger, `group consumer: auto-commit on ${on} failed; records handed out since the last commit will be delivered again`, err, {
      group: this.groupId, generation: this.membership.generationId, partitions: describeTps(partitions),
    });
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    const gone = new Set(partitions.map(tpKey));
    this.owned = this.owned.filter((tp) => !gone.has(tpKey(tp)));
    this.fetcher.remove(partitions);
    this.offsets.forget(partitions);
    for (const tp of partitions) this.endAt.delete(tpKey(tp));
    await this.opts.onRevoke?.(partitions);
  }
}
