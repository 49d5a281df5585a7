// The group coordinator: owns the consumer groups this broker coordinates (their membership state
// machines, see group.ts) and their committed offsets (kept in the MetadataStore, loaded at start, so
// they survive a restart). Handlers call one method per API and get a wire-shaped answer back; errors
// are answered as codes, never thrown. Timeouts run from `tick()`, which a timer calls every
// `tickIntervalMs` against the injected clock (tests pass a fake clock and call tick() themselves).
//
// With several brokers (cluster mode: `liveBrokerIds` given) the coordinator of a group moves when the
// live brokers change, so every broker follows the offsets the others commit (a watch on `groups/`):
// the new coordinator then answers with the offsets its predecessor committed, not with what it loaded
// at its own start. A commit from the store is taken only when it is newer than the one in memory, so
// the store echoing this broker's own earlier commits back never undoes a later one; deletes, and commits
// of a group this broker coordinates but no longer has, are taken only for groups another broker
// coordinates (this broker's own deletes are already applied and must stay so).
import { randomUUID } from 'node:crypto';
import type { MetadataStore, StoreOp, WatchEvent } from '../cluster/metadata-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DeleteGroupsResponse } from '../protocol/messages/delete-groups.js';
import type { DescribeGroupsResponse } from '../protocol/messages/describe-groups.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/messages/join-group.js';
import type { ListGroupsResponse } from '../protocol/messages/list-groups.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/offset-commit.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/messages/offset-delete.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/offset-fetch.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/messages/sync-group.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../protocol/messages/txn-offset-commit.js';
import { MqError } from '../util/mq-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import { sleep } from '../util/promise.js';
import type { Logger } from '../util/logger.js';
import { coordinatorFor } from './coordinator-choice.js';
import { Group, joinError, syncError, type CommittedOffset, type GroupEvent, type MemberRef } from './group.js';
import { OffsetStore, offsetKey, parseOffsetKey, parseOffsetValue, type StoredOffset } from './offset-store.js';
import { readStagedTxnOffsets, stageTxnOffsets, type StagedOffset } from './txn-offsets.js';

/** Pause before following other brokers' commits again after etcd ended the watch. */
const FOLLOW_RETRY_MS = 1000;
/** Kafka's limit on OffsetCommit metadata (offset.metadata.max.bytes). */
const MAX_METADATA_LENGTH = 4096;

export interface GroupCoordinatorOptions {
  nodeId: number;
  store: MetadataStore;
  logger: Logger;
  clock?: Clock;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** The brokers a group may be coordinated by; embedded mode: just this one. */
  liveBrokerIds?: () => number[];
  /** Whether a partition exists (OffsetCommit answers UNKNOWN_TOPIC_OR_PARTITION otherwise). */
  partitionExists?: (topic: string, partition: number) => boolean;
  /** How often timeouts are checked; 0 = never by itself (tests call tick()). */
  tickIntervalMs?: number;
}

/** Who sent a request, for member ids and DescribeGroups. */
export interface RequestOrigin { clientId: string; clientHost: string }

export class GroupCoordinator {
  /** Group id → offset commits whose store write is in flight (see commitOffsets). */
  private readonly commitsInFlight = new Map<string, number>();
  private readonly groups = new Map<string, Group>();
  private readonly clock: Clock;
  private readonly offsetStore: OffsetStore;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Ends the watch on other brokers' commits (cluster mode). */
  private readonly stopFollowing = new AbortController();

  private constructor(private readonly opts: GroupCoordinatorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.offsetStore = new OffsetStore(opts.store);
  }

  /** Loads the committed offsets and starts the timeout timer. */
  static async open(opts: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const c = new GroupCoordinator(opts);
    // Watch first, then load: a commit landing in between is in the load or in the watch.
    const others = opts.liveBrokerIds ? c.offsetStore.watch(c.stopFollowing.signal) : null;
    for (const o of await c.offsetStore.load()) c.setOffset(c.getOrCreate(o.groupId), o.topic, o.partition, o.value);
    if (others) void c.follow(others);
    const interval = opts.tickIntervalMs ?? 100;
    if (interval > 0) {
      c.timer = setInterval(() => c.tick(), interval);
      c.timer.unref();
    }
    return c;
  }

  /** The node id coordinating `groupId`, or -1 when no broker is live. */
  coordinatorId(groupId: string): number {
    return coordinatorFor(groupId, this.opts.liveBrokerIds?.() ?? [this.opts.nodeId]);
  }

  private isCoordinator(groupId: string): boolean {
    return !this.closed && this.coordinatorId(groupId) === this.opts.nodeId;
  }

  /** Error for a request about `groupId` that this broker cannot serve, else 0. */
  private groupError(groupId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (!this.isCoordinator(groupId)) return ErrorCode.NOT_COORDINATOR;
    return 0;
  }

  // --- membership ---

  async joinGroup(req: JoinGroupRequest, version: number, origin: RequestOrigin): Promise<JoinGroupResponse> {
    const error = this.groupError(req.groupId);
    if (error !== 0) return joinError(error, req.memberId);
    if (req.sessionTimeoutMs < this.opts.minSessionTimeoutMs || req.sessionTimeoutMs > this.opts.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      if (req.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      group = this.getOrCreate(req.groupId);
    }
    const answer = group.join({
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: origin.clientId,
      clientHost: origin.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      requireKnownMemberId: version >= 4,
    }, this.clock.now());
    this.maybeRemove(group);
    return answer;
  }

  async syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const error = this.groupError(req.groupId);
    if (error !== 0) return syncError(error);
    const group = this.groups.get(req.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    return group.sync(req, this.clock.now());
  }

  heartbeat(req: MemberRef & { groupId: string }): number {
    const error = this.groupError(req.groupId);
    if (error !== 0) return error;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(req, this.clock.now());
  }

  leaveGroup(req: { groupId: string; memberId: string }): number {
    const error = this.groupError(req.groupId);
    if (error !== 0) return error;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const result = group.leave(req.memberId, this.clock.now());
    this.maybeRemove(group);
    return result;
  }

  // --- offsets ---

  async commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const answer = (code: (topic: string, p: { partitionIndex: number }) => number): OffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p) })),
      })),
    });
    let error = this.groupError(req.groupId);
    let group = this.groups.get(req.groupId);
    if (error === 0 && !group) {
      // Offsets without group management (generation -1) create an offsets-only group, as in Kafka.
      if (req.generationId < 0) group = this.getOrCreate(req.groupId);
      else error = ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (error === 0) error = group!.checkCommit({ memberId: req.memberId, groupInstanceId: null, generationId: req.generationId }, this.clock.now());
    if (error !== 0) return answer(() => error);

    const now = this.clock.now();
    const codes = new Map<string, number>();
    const writes: StoredOffset[] = [];
    const exists = this.opts.partitionExists ?? (() => true);
    for (const t of req.topics) {
      for (const p of t.partitions) {
        let code = 0;
        if ((p.committedMetadata?.length ?? 0) > MAX_METADATA_LENGTH) code = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else if (!exists(t.name, p.partitionIndex)) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else {
          writes.push({
            groupId: req.groupId, topic: t.name, partition: p.partitionIndex,
            value: { offset: Number(p.committedOffset), leaderEpoch: -1, metadata: p.committedMetadata ?? '', commitTimestamp: now },
          });
        }
        codes.set(`${t.name}\0${p.partitionIndex}`, code);
      }
    }
    // While the write is in flight the group may have no offsets yet (a new offsets-only group): the
    // cleanup of empty groups must leave it alone, or the offsets would be acknowledged and then dropped.
    this.commitsInFlight.set(req.groupId, (this.commitsInFlight.get(req.groupId) ?? 0) + 1);
    try {
      await this.offsetStore.write(writes);
    } catch (err) {
      this.opts.logger.error('offset commit failed', { group: req.groupId, error: (err as Error).message });
      return answer(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    } finally {
      const left = this.commitsInFlight.get(req.groupId)! - 1;
      if (left === 0) this.commitsInFlight.delete(req.groupId);
      else this.commitsInFlight.set(req.groupId, left);
    }
    // Visible to OffsetFetch only once durable; a group deleted meanwhile stays deleted.
    if (this.groups.get(req.groupId) === group) {
      for (const w of writes) this.setOffset(group!, w.topic, w.partition, w.value);
    }
    return answer((topic, p) => codes.get(`${topic}\0${p.partitionIndex}`)!);
  }

  // --- offsets committed in a transaction (txn-offsets.ts) ---

  /**
   * TxnOffsetCommit (the caller checked the producer against its transaction): the offsets are staged in the
   * store until the transaction ends; OffsetFetch does not see them before its COMMIT.
   */
  async stageTransactionalOffsets(req: TxnOffsetCommitRequest): Promise<TxnOffsetCommitResponse> {
    const answer = (code: (topic: string, partition: number) => number): TxnOffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name, p.partitionIndex) })) })),
    });
    const error = this.groupError(req.groupId);
    if (error !== 0) return answer(() => error);
    const exists = this.opts.partitionExists ?? (() => true);
    const codes = new Map<string, number>();
    const offsets: StagedOffset[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        let code = 0;
        if ((p.committedMetadata?.length ?? 0) > MAX_METADATA_LENGTH) code = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else if (!exists(t.name, p.partitionIndex)) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else offsets.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' });
        codes.set(`${t.name}\0${p.partitionIndex}`, code);
      }
    }
    try {
      if (offsets.length > 0) {
        await stageTxnOffsets(this.opts.store, req.transactionalId, req.groupId, { producerId: req.producerId, producerEpoch: req.producerEpoch, offsets });
      }
    } catch (err) {
      this.opts.logger.error('transactional offset commit failed', { group: req.groupId, transactionalId: req.transactionalId, error: (err as Error).message });
      return answer(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return answer((topic, partition) => codes.get(`${topic}\0${partition}`)!);
  }

  /**
   * The transaction of `transactionalId` ended: the offsets `producerId` staged for the group become its
   * committed offsets (commit) or are dropped, in one store transaction with the staged key's deletion, so
   * repeating it is harmless. Throws (retriable) when the store fails or the staged key changed meanwhile.
   */
  async completeTransactionalOffsets(transactionalId: string, producerId: bigint, groupId: string, commit: boolean): Promise<void> {
    const found = await readStagedTxnOffsets(this.opts.store, transactionalId, groupId);
    if (found === null || found.staged.producerId !== producerId) return;
    const now = this.clock.now();
    const committed = commit ? found.staged.offsets.map((o) => ({
      ...o, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: now },
    })) : [];
    const ops: StoreOp[] = [{ delete: found.key }];
    for (const c of committed) ops.push({ put: { key: offsetKey(groupId, c.topic, c.partition), value: JSON.stringify(c.value) } });
    if (!(await this.opts.store.txn([{ key: found.key, version: found.version }], ops))) {
      throw new MqError('COORDINATOR_LOAD_IN_PROGRESS', `the transactional offsets of ${groupId} changed while they were completed; retry`, { retriable: true });
    }
    // This broker's view now; the group's coordinator, if another broker, follows the store.
    if (committed.length > 0 && this.isCoordinator(groupId)) {
      const g = this.getOrCreate(groupId);
      for (const c of committed) this.setOffset(g, c.topic, c.partition, c.value);
    }
  }

  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResponse {
    const error = this.groupError(req.groupId);
    const group = error === 0 ? this.groups.get(req.groupId) : undefined;
    const requested = req.topics ?? [...(group?.offsets ?? new Map<string, Map<number, CommittedOffset>>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, parts]) => ({ name, partitionIndexes: [...parts.keys()].sort((a, b) => a - b) }));
    return {
      throttleTimeMs: 0,
      errorCode: error,
      topics: requested.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const o = group?.offsets.get(t.name)?.get(partitionIndex);
          return {
            partitionIndex,
            committedOffset: o ? BigInt(o.offset) : -1n,
            metadata: o ? o.metadata : '',
            errorCode: error,
          };
        }),
      })),
    };
  }

  // --- admin ---

  /** The groups this broker coordinates, with their states; `statesFilter` (ListGroups v4, any case) keeps only those states. */
  listGroups(statesFilter: string[] = []): ListGroupsResponse {
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups: ListGroupsResponse['groups'] = [];
    for (const g of this.groups.values()) {
      if (!this.isCoordinator(g.groupId) || (wanted.size > 0 && !wanted.has(g.state.toLowerCase()))) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state });
    }
    return { throttleTimeMs: 0, errorCode: 0, groups };
  }

  describeGroups(groupIds: string[]): DescribeGroupsResponse {
    return {
      throttleTimeMs: 0,
      groups: groupIds.map((groupId) => {
        const error = this.groupError(groupId);
        const g = error === 0 ? this.groups.get(groupId) : undefined;
        if (!g) return { errorCode: error, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
        // Like Kafka: metadata, assignment and protocol only for a Stable group; otherwise they are in flux.
        const stable = g.state === 'Stable';
        return {
          errorCode: 0,
          groupId,
          groupState: g.state,
          protocolType: g.protocolType ?? '',
          protocolData: stable ? g.protocolName ?? '' : '',
          members: [...g.members.values()].map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: stable ? m.metadataFor(g.protocolName ?? '') : Buffer.alloc(0),
            memberAssignment: stable ? m.assignment : Buffer.alloc(0),
          })),
        };
      }),
    };
  }

  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResponse> {
    const results: DeleteGroupsResponse['results'] = [];
    for (const groupId of groupIds) {
      let errorCode = this.groupError(groupId);
      const g = this.groups.get(groupId);
      if (errorCode === 0 && !g) errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
      else if (errorCode === 0 && !g!.isEmpty) errorCode = ErrorCode.NON_EMPTY_GROUP;
      if (errorCode === 0) {
        const partitions = [...g!.offsets].flatMap(([topic, parts]) => [...parts.keys()].map((partition) => ({ topic, partition })));
        try {
          await this.offsetStore.remove(groupId, partitions);
          g!.state = 'Dead';
          if (this.groups.get(groupId) === g) this.groups.delete(groupId);
          this.opts.logger.info('group deleted', { group: groupId, offsets: partitions.length });
        } catch (err) {
          this.opts.logger.error('group delete failed', { group: groupId, error: (err as Error).message });
          errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
      }
      results.push({ groupId, errorCode });
    }
    return { throttleTimeMs: 0, results };
  }

  /**
   * OffsetDelete, as Kafka answers it: a group-level error when the group is unknown (GROUP_ID_NOT_FOUND)
   * or has members but is not a consumer group (NON_EMPTY_GROUP); per partition GROUP_SUBSCRIBED_TO_TOPIC
   * when live members subscribe to its topic, UNKNOWN_TOPIC_OR_PARTITION when it does not exist; every
   * other partition's offset is deleted (0 even when nothing was committed). A group left with no
   * members and no offsets is forgotten.
   */
  async deleteOffsets(req: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    const groupError = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    const error = this.groupError(req.groupId);
    if (error !== 0) return groupError(error);
    const g = this.groups.get(req.groupId);
    if (!g || g.state === 'Dead') return groupError(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> | null = new Set();
    if (!g.isEmpty) {
      subscribed = g.protocolType === 'consumer' ? g.subscribedTopics() : null;
      if (!subscribed) return groupError(ErrorCode.NON_EMPTY_GROUP);
    }
    const exists = this.opts.partitionExists ?? (() => true);
    const removed: { topic: string; partition: number }[] = [];
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        let errorCode = 0;
        if (!exists(t.name, partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed!.has(t.name)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (g.offsets.get(t.name)?.has(partitionIndex)) removed.push({ topic: t.name, partition: partitionIndex });
        return { partitionIndex, errorCode };
      }),
    }));
    try {
      await this.offsetStore.remove(req.groupId, removed);
    } catch (err) {
      this.opts.logger.error('offset delete failed', { group: req.groupId, error: (err as Error).message });
      return groupError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    for (const { topic, partition } of removed) {
      const parts = g.offsets.get(topic);
      parts?.delete(partition);
      if (parts?.size === 0) g.offsets.delete(topic);
    }
    if (removed.length > 0) this.opts.logger.info('group offsets deleted', { group: req.groupId, offsets: removed.length });
    this.maybeRemove(g);
    return { errorCode: 0, throttleTimeMs: 0, topics };
  }

  /** Forgets every group's committed offsets of a deleted topic (a topic created again later starts clean), as Kafka does. */
  async deleteTopicOffsets(topic: string): Promise<void> {
    for (const g of [...this.groups.values()]) {
      const parts = g.offsets.get(topic);
      if (!parts) continue;
      const partitions = [...parts.keys()].map((partition) => ({ topic, partition }));
      g.offsets.delete(topic);
      this.maybeRemove(g);
      await this.offsetStore.remove(g.groupId, partitions);
    }
  }

  // --- time and lifecycle ---

  /** Applies every due timeout (session expiry, rebalance and sync deadlines, initial delay). */
  tick(): void {
    const now = this.clock.now();
    for (const g of [...this.groups.values()]) {
      g.tick(now);
      this.maybeRemove(g);
    }
  }

  /** Answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR (clients look for the coordinator again) and waits for offset writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopFollowing.abort();
    if (this.timer) clearInterval(this.timer);
    for (const g of this.groups.values()) g.abortParked(ErrorCode.NOT_COORDINATOR);
    await this.offsetStore.flush();
  }

  private getOrCreate(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new Group(groupId, {
        initialRebalanceDelayMs: this.opts.initialRebalanceDelayMs,
        newMemberId: (prefix) => `${prefix}-${randomUUID()}`,
        onEvent: (group, event) => this.logEvent(group, event),
      });
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Forgets a group with no members and no offsets (Kafka's cleanup of empty groups). */
  private maybeRemove(g: Group): void {
    if (g.state === 'Empty' && g.isEmpty && !g.hasOffsets() && this.groups.get(g.groupId) === g && !this.commitsInFlight.has(g.groupId)) {
      g.state = 'Dead';
      this.groups.delete(g.groupId);
    }
  }

  /**
   * Applies the offset commits and deletes other brokers write to the store (see the top of the file).
   * A watch etcd cancels (compacted history, a lost stream) is replaced: the offsets are read again and a
   * new watch follows, so a broker never silently stops following.
   */
  private async follow(first: AsyncIterable<WatchEvent>): Promise<void> {
    const signal = this.stopFollowing.signal;
    let events = first;
    while (!signal.aborted) {
      try {
        for await (const e of events) {
          const at = parseOffsetKey(e.key);
          if (!at) continue;
          if (e.type === 'put' && e.value !== null) this.takeStoredOffset({ ...at, value: parseOffsetValue(e.value) });
          else if (e.type === 'delete' && !this.isCoordinator(at.groupId)) {
            const g = this.groups.get(at.groupId);
            const parts = g?.offsets.get(at.topic);
            if (!g || !parts) continue;
            parts.delete(at.partition);
            if (parts.size === 0) g.offsets.delete(at.topic);
            this.maybeRemove(g);
          }
        }
        return; // ended by close()
      } catch (err) {
        if (signal.aborted) return;
        this.opts.logger.warn('following committed offsets: the watch ended; reading them again', { error: (err as Error).message });
        await sleep(FOLLOW_RETRY_MS, signal).catch(() => undefined);
        if (signal.aborted) return;
        events = this.offsetStore.watch(signal);
        try {
          for (const o of await this.offsetStore.load()) this.takeStoredOffset(o);
        } catch (loadErr) {
          this.opts.logger.warn('following committed offsets: reading them failed', { error: (loadErr as Error).message });
        }
      }
    }
  }

  /** An offset another broker stored: taken when newer than the one in memory (see the top of the file). */
  private takeStoredOffset(o: StoredOffset): void {
    // A group this broker coordinates and no longer has was deleted here: it stays deleted.
    const g = this.isCoordinator(o.groupId) ? this.groups.get(o.groupId) : this.getOrCreate(o.groupId);
    const current = g?.offsets.get(o.topic)?.get(o.partition);
    if (g && (!current || o.value.commitTimestamp > current.commitTimestamp)) this.setOffset(g, o.topic, o.partition, o.value);
  }

  private setOffset(g: Group, topic: string, partition: number, value: CommittedOffset): void {
    let parts = g.offsets.get(topic);
    if (!parts) g.offsets.set(topic, parts = new Map());
    parts.set(partition, value);
    g.protocolType ??= '';
  }

  private logEvent(g: Group, e: GroupEvent): void {
    if (e.type === 'rebalanced') {
      this.opts.logger.info('group rebalanced', {
        group: g.groupId, generation: e.generationId, members: e.members, protocol: e.protocol ?? '', leader: e.leader ?? '',
      });
    } else {
      this.opts.logger.info('group member removed', { group: g.groupId, member: e.memberId, reason: e.reason });
    }
  }
}
