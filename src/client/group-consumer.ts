// A consumer-group member (the classic protocol): it finds the coordinator, joins (JoinGroup, retried
// once with the id the broker hands out on MEMBER_ID_REQUIRED), and the member the coordinator names
// leader computes every member's partitions with the chosen assignor and sends them with SyncGroup.
// Heartbeats run on their own timer, independent of how long the caller takes with a batch; an answer of
// REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID makes the member rejoin.
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
import { ApiKey } from '../protocol/api.js';
import {
  decodeConsumerProtocolAssignment, decodeConsumerProtocolSubscription, encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
} from '../protocol/messages/consumer-protocol.js';
import type { HeartbeatResponse } from '../protocol/messages/heartbeat.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/messages/join-group.js';
import type { LeaveGroupResponse } from '../protocol/messages/leave-group.js';
import type { SyncGroupResponse } from '../protocol/messages/sync-group.js';
import { backoffMs } from '../util/backoff.js';
import { MqError } from '../util/mq-error.js';
import { sleep } from '../util/promise.js';
import { compareTopicPartitions, type MemberSubscription } from './assignors/assignor.js';
import { assignorFor, KAFKAJS_ROUND_ROBIN } from './assignors/index.js';
import { Cluster, metadataMaxAgeMs, type ClusterOptions } from './cluster.js';
import { fetcherOptions } from './consumer.js';
import { Fetcher } from './fetcher.js';
import { byTopic, commitOffsets, COORDINATOR_MOVED, fetchCommittedOffsets, findCoordinator } from './group-requests.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import { topicError } from './topic-error.js';
import type { ConsumedRecord, GroupConsumer, GroupConsumerOptions, TopicPartition, TopicPartitionOffset } from './types.js';

/** Answers that mean "rejoin": REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID. */
export const REJOIN_CODES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

const MEMBER_ID_REQUIRED = 79;
const MAX_JOIN_ATTEMPTS = 30;

/** Creates a group member; iterate batches() or records() to join and consume. */
export function createGroupConsumer(opts: GroupConsumerOptions): GroupConsumer {
  return new ClassicGroupConsumer(opts);
}

const tpKey = (tp: TopicPartition): string => partitionKey(tp.topic, tp.partition);
const describeTps = (list: TopicPartition[]): string => (list.length === 0 ? '(none)' : list.map((tp) => `${tp.topic}-${tp.partition}`).join(' '));

class ClassicGroupConsumer implements GroupConsumer {
  private readonly cluster: Cluster;
  private readonly fetcher: Fetcher;
  private readonly groupId: string;
  private readonly topics: string[];
  private readonly protocols: string[];
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly maxPollRecords: number;
  private readonly autoCommitIntervalMs: number;
  private readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  private readonly isolationLevel: 0 | 1;

  memberId = '';
  generationId = -1;
  private protocol: string | null = null;
  private coordinatorId = -1;
  private owned: TopicPartition[] = [];
  private stable = false;
  private rejoinNeeded = true;
  /** Aborted when a rebalance is needed: ends the current fetch iteration. */
  private generationStop = new AbortController();
  /** Next offset after what was handed out, per partition. */
  private readonly consumed = new Map<string, TopicPartitionOffset>();
  private readonly committed = new Map<string, number>();
  private lastAutoCommitAt = Date.now();
  /** Set while the caller holds a batch (for max.poll.interval.ms). */
  private handedOutAt: number | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** metadata.max.age.ms: re-reads the subscribed topics; a changed partition count makes the member rejoin. */
  private metadataAgeTimer: NodeJS.Timeout | null = null;
  private readonly metadataMaxAgeMs: number;
  /** The group's subscribed topics while this member is the group's leader (it assigns); null otherwise. */
  private leaderTopics: string[] | null = null;
  /** Partitions per group topic when the last rebalance completed (leader only). */
  private partitionCounts = new Map<string, number>();
  private heartbeatInFlight = false;
  /** A cooperative rebalance running while owned partitions are still consumed. */
  private joining: Promise<TopicPartition[] | null> | null = null;
  /** Aborts when `joining` settles. */
  private joined: AbortSignal = AbortSignal.abort();
  private fatal: MqError | null = null;
  private topicsChecked = false;
  private readonly closing = new AbortController();
  private closePromise: Promise<void> | null = null;

  constructor(private readonly opts: GroupConsumerOptions) {
    if (!opts.groupId) throw new MqError('INVALID_GROUP_ID', 'a group id is required');
    if (!opts.topics || opts.topics.length === 0) throw new MqError('INVALID_REQUEST', 'subscribe to at least one topic');
    this.cluster = new Cluster(opts as ClusterOptions);
    this.fetcher = new Fetcher(this.cluster, fetcherOptions(opts, 'latest'));
    this.groupId = opts.groupId;
    this.topics = [...new Set(opts.topics)];
    this.protocols = [...new Set(opts.assignors ?? ['range', KAFKAJS_ROUND_ROBIN])];
    for (const name of this.protocols) {
      if (!assignorFor(name)) {
        throw new MqError('INVALID_ARGUMENT', `unknown assignor '${name}': use range, roundrobin or cooperative-sticky`);
      }
    }
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    // Frequent heartbeats (a fifteenth of the session) let a rebalance reach every member soon after it starts.
    this.heartbeatIntervalMs = Math.max(10, Math.min(opts.heartbeatIntervalMs ?? 3000, Math.floor(this.sessionTimeoutMs / 15)));
    this.maxPollIntervalMs = opts.maxPollIntervalMs ?? 300_000;
    this.maxPollRecords = opts.maxPollRecords ?? 500;
    this.autoCommitIntervalMs = opts.autoCommitIntervalMs ?? 0;
    this.autoOffsetReset = opts.autoOffsetReset ?? 'latest';
    this.isolationLevel = opts.isolationLevel ?? 0;
    this.metadataMaxAgeMs = metadataMaxAgeMs(opts);
  }

  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  async *records(opts: { signal?: AbortSignal } = {}): AsyncGenerator<ConsumedRecord> {
    for await (const batch of this.batches(opts)) yield* batch;
  }

  async *batches(opts: { signal?: AbortSignal } = {}): AsyncGenerator<ConsumedRecord[]> {
    if (this.closing.signal.aborted) throw new MqError('CLIENT_CLOSED', 'the consumer is closed');
    const stop = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    try {
      for (;;) {
        if (stop.aborted) return;
        if (this.fatal) throw this.fatal;
        if ((this.rejoinNeeded || !this.stable) && this.cooperative() && this.owned.length > 0) {
          // KIP-429: keep consuming what we own while the group rebalances.
          if (!this.joining) {
            const joined = new AbortController();
            this.joining = this.joinAndSync(stop).finally(() => joined.abort());
            this.joined = joined.signal;
            this.joining.catch(() => undefined); // awaited below; this only marks it handled meanwhile
          }
          yield* this.handOut(AbortSignal.any([stop, this.joined]));
          if (stop.aborted) return; // close() ends the join by closing the connections
          const assignment = await this.joining.finally(() => { this.joining = null; });
          if (assignment === null) return;
          await this.completeRebalance(assignment);
          continue;
        }
        if (this.rejoinNeeded || !this.stable) {
          await this.rebalance(stop);
          if (stop.aborted) return;
          continue;
        }
        yield* this.handOut(AbortSignal.any([stop, this.generationStop.signal]));
      }
    } catch (err) {
      // close() (or the caller's signal) ends the iteration; what failed because of it is no error.
      if (stop.aborted) return;
      throw err;
    } finally {
      this.handedOutAt = null;
    }
  }

  /** Fetches and hands out batches of at most maxPollRecords until `fetchStop` aborts. */
  private async *handOut(fetchStop: AbortSignal): AsyncGenerator<ConsumedRecord[]> {
    for await (const batch of this.fetcher.batches(fetchStop)) {
      for (let i = 0; i < batch.records.length; i += this.maxPollRecords) {
        const chunk = batch.records.slice(i, i + this.maxPollRecords);
        const last = chunk[chunk.length - 1];
        this.consumed.set(tpKey(last), { topic: last.topic, partition: last.partition, offset: last.offset + 1 });
        this.handedOutAt = Date.now();
        yield chunk;
        this.handedOutAt = null;
        if (fetchStop.aborted) return;
        await this.maybeAutoCommit();
      }
      if (fetchStop.aborted) return;
    }
  }

  private cooperative(): boolean {
    return this.protocol !== null && assignorFor(this.protocol)!.cooperative;
  }

  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    const list = offsets ?? this.uncommitted();
    if (list.length === 0) return;
    const send = () => this.withCoordinator(() => commitOffsets(this.cluster, this.coordinatorId, this.groupId, this.generationId, this.memberId, list));
    try {
      await send();
    } catch (err) {
      const joining = this.joining;
      if (joining && err instanceof MqError && (err.code === 'REBALANCE_IN_PROGRESS' || err.code === 'ILLEGAL_GENERATION')) {
        // A cooperative rebalance reached CompletingRebalance: commit again in the new generation.
        await joining.catch(() => undefined);
        await send().catch((again: unknown) => {
          if (again instanceof MqError && REJOIN_CODES.has(again.code)) this.requestRejoin(again.code === 'UNKNOWN_MEMBER_ID');
          throw again;
        });
      } else {
        if (err instanceof MqError && REJOIN_CODES.has(err.code)) this.requestRejoin(err.code === 'UNKNOWN_MEMBER_ID');
        throw err;
      }
    }
    for (const o of list) this.committed.set(tpKey(o), o.offset);
  }

  commitAsync(offsets?: TopicPartitionOffset[]): void {
    this.commit(offsets).catch((err: unknown) => this.opts.onNotice?.(`group ${this.groupId}: commit failed: ${(err as Error).message}`));
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing.abort();
      this.stopHeartbeats();
      if (this.metadataAgeTimer) clearInterval(this.metadataAgeTimer);
      try {
        if (this.stable && this.autoCommitIntervalMs > 0) await this.commit().catch(() => undefined);
        if (this.owned.length > 0) await this.revoke(this.owned);
        if (this.memberId && this.coordinatorId >= 0) await this.leaveGroup();
      } finally {
        await this.cluster.close();
      }
    })();
    return this.closePromise;
  }

  // ---- membership ----

  private requestRejoin(forgetMemberId = false): void {
    if (forgetMemberId) this.memberId = '';
    this.rejoinNeeded = true;
    this.stable = false;
    this.generationStop.abort();
  }

  /** Revoke (eager), JoinGroup, SyncGroup, then positions for the new partitions. */
  private async rebalance(stop: AbortSignal): Promise<void> {
    await this.cluster.connect();
    if (!this.topicsChecked) await this.checkTopics();
    if (!this.cooperative() && this.owned.length > 0) {
      if (this.autoCommitIntervalMs > 0) await this.commit().catch(() => undefined);
      await this.revoke(this.owned);
    }
    const assignment = await this.joinAndSync(stop);
    if (assignment !== null) await this.completeRebalance(assignment);
  }

  /** Applies a new assignment between batches, then resumes heartbeats (and fetching). */
  private async completeRebalance(assignment: TopicPartition[]): Promise<void> {
    await this.applyAssignment(assignment);
    this.partitionCounts = this.cachedPartitionCounts();
    this.watchPartitionCounts();
    this.generationStop = new AbortController();
    this.stable = true;
    this.startHeartbeats();
    if (this.rejoinNeeded) this.generationStop.abort(); // revoked partitions: follow-up rebalance
  }

  /** JoinGroup and SyncGroup, retried; this member's new partitions, or null when stopped. */
  private async joinAndSync(stop: AbortSignal): Promise<TopicPartition[] | null> {
    this.stopHeartbeats();
    for (let attempt = 0; ; attempt++) {
      if (stop.aborted) return null;
      this.rejoinNeeded = false;
      this.stable = false;
      try {
        if (this.coordinatorId < 0) this.coordinatorId = await findCoordinator(this.cluster, this.groupId);
        const join = await this.joinGroup();
        return await this.syncGroup(join);
      } catch (err) {
        if (!(err instanceof MqError)) throw err;
        if (stop.aborted || this.closing.signal.aborted) return null;
        if (err.code === 'UNKNOWN_MEMBER_ID') this.memberId = '';
        const retry = err.retriable || REJOIN_CODES.has(err.code) || err.code === 'MEMBER_ID_REQUIRED';
        if (!retry || attempt >= MAX_JOIN_ATTEMPTS) throw err;
        if (err.retriable && err.code !== 'REBALANCE_IN_PROGRESS') this.coordinatorId = -1;
        if (!REJOIN_CODES.has(err.code)) {
          try {
            await sleep(backoffMs(attempt, { maxMs: 1000 }), stop);
          } catch {
            return null;
          }
        }
      }
    }
  }

  /** The subscribed topics must exist (as with assign(): no auto-creation); a just-created one may lack leaders for a moment. */
  private async checkTopics(): Promise<void> {
    await this.cluster.retry(async () => {
      const res = await this.cluster.refreshMetadata(this.topics, false);
      for (const name of this.topics) {
        const t = res.topics.find((x) => x.name === name);
        if (!t || t.errorCode === 3) {
          throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`, {
            hint: `List topics with \`mq topics list\`, or create it with \`mq topics create ${name}\`.`,
          });
        }
        if (t.errorCode !== 0) throw topicError(t.errorCode, name);
      }
    }, { retries: Number.POSITIVE_INFINITY, maxElapsedMs: 5000, signal: this.closing.signal });
    this.topicsChecked = true;
  }

  private async joinGroup(): Promise<JoinGroupResponse> {
    for (let i = 0; ; i++) {
      const body: JoinGroupRequest = {
        groupId: this.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.maxPollIntervalMs,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: this.protocols.map((name) => ({ name, metadata: this.subscription(name) })),
      };
      const res = await this.cluster.request<JoinGroupResponse>(this.coordinatorId, ApiKey.JoinGroup, body, {
        purpose: 'group', timeoutMs: this.maxPollIntervalMs + 5000,
      });
      if (res.errorCode === MEMBER_ID_REQUIRED && i < 2) {
        this.memberId = res.memberId;
        continue;
      }
      if (res.errorCode !== 0) {
        const err = this.cluster.error(res.errorCode, `join group '${this.groupId}'`);
        if (res.errorCode === 23) {
          throw new MqError(err.code, `group '${this.groupId}' uses a protocol this consumer does not offer (offered: ${this.protocols.join(', ')})`, {
            hint: 'Pick an assignor the other members offer (--assignor); kafkajs members use roundrobin.',
          });
        }
        throw err;
      }
      this.memberId = res.memberId;
      this.generationId = res.generationId;
      this.protocol = res.protocolName;
      return res;
    }
  }

  /** This member's subscription for protocol `name` (v1 with owned partitions for cooperative ones). */
  private subscription(name: string): Buffer {
    const cooperative = assignorFor(name)!.cooperative;
    const ownedPartitions = cooperative
      ? [...byTopic(this.owned)].map(([topic, l]) => ({ topic, partitions: l.map((tp) => tp.partition) }))
      : [];
    return encodeConsumerProtocolSubscription({ topics: this.topics, userData: null, ownedPartitions, generationId: -1, rackId: null }, cooperative ? 1 : 0);
  }

  private async syncGroup(join: JoinGroupResponse): Promise<TopicPartition[]> {
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    this.leaderTopics = null;
    if (join.leader === join.memberId) {
      assignments = await this.computeAssignment(join);
      const topics = new Set<string>();
      for (const m of join.members) for (const t of decodeConsumerProtocolSubscription(m.metadata).topics) topics.add(t);
      this.leaderTopics = [...topics];
    }
    const res = await this.cluster.request<SyncGroupResponse>(this.coordinatorId, ApiKey.SyncGroup, {
      groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null, assignments,
    }, { purpose: 'group', timeoutMs: this.maxPollIntervalMs + 5000 });
    if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `sync group '${this.groupId}'`);
    const decoded = decodeConsumerProtocolAssignment(res.assignment);
    const out: TopicPartition[] = [];
    for (const a of decoded.assignedPartitions) for (const partition of a.partitions) out.push({ topic: a.topic, partition });
    return out.sort(compareTopicPartitions);
  }

  /** Leader: every member's partitions with the chosen assignor. */
  private async computeAssignment(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = assignorFor(join.protocolName);
    if (!assignor) throw new MqError('INCONSISTENT_GROUP_PROTOCOL', `the coordinator chose protocol '${join.protocolName}', which mq does not implement`);
    const members: MemberSubscription[] = join.members.map((m) => {
      const sub = decodeConsumerProtocolSubscription(m.metadata);
      const ownedPartitions: TopicPartition[] = [];
      for (const o of sub.ownedPartitions) for (const partition of o.partitions) ownedPartitions.push({ topic: o.topic, partition });
      return { memberId: m.memberId, topics: sub.topics, ownedPartitions };
    });
    const topics = [...new Set(members.flatMap((m) => m.topics))];
    await this.cluster.refreshMetadata(topics, false);
    // Assignors count ids 0..n-1; a deleted (decommissioned, expired) partition is a gap in the
    // metadata and is dropped from what they hand out.
    const counts = new Map<string, number>();
    const gone = new Set<string>();
    for (const t of topics) {
      const meta = this.cluster.topic(t);
      const n = meta?.partitionCount ?? 0;
      if (n > 0) counts.set(t, n);
      if (meta && meta.partitions.length < n) for (const p of meta.unavailable) if (!this.cluster.isDecommissioned(t, p)) gone.add(`${t}\0${p}`);
    }
    const result = assignor.assign(members, counts);
    const present = (tp: TopicPartition): boolean => gone.size === 0 || !gone.has(`${tp.topic}\0${tp.partition}`);
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeConsumerProtocolAssignment({
        assignedPartitions: [...byTopic((result.get(m.memberId) ?? []).filter(present))].map(([topic, l]) => ({ topic, partitions: l.map((tp) => tp.partition) })),
        userData: null,
      }, 0),
    }));
  }

  /** Revokes what is gone, starts what is new (committed offset, else autoOffsetReset). */
  private async applyAssignment(assigned: TopicPartition[]): Promise<void> {
    const now = new Set(assigned.map(tpKey));
    const had = new Set(this.owned.map(tpKey));
    const revoked = this.owned.filter((tp) => !now.has(tpKey(tp)));
    const added = assigned.filter((tp) => !had.has(tpKey(tp)));
    if (revoked.length > 0) {
      if (this.autoCommitIntervalMs > 0) await this.commit(revoked.map((tp) => this.consumed.get(tpKey(tp))!).filter(Boolean)).catch(() => undefined);
      await this.revoke(revoked);
      // KIP-429: what we gave up can go to its new owner only in another rebalance.
      this.rejoinNeeded = true;
    }
    // Kept partitions continue from what was handed out (a fetch answer may have been dropped half-used).
    const kept = assigned.filter((tp) => had.has(tpKey(tp)));
    const keptPositions = kept.map((tp) => this.consumed.get(tpKey(tp))).filter((x): x is TopicPartitionOffset => x !== undefined);
    if (keptPositions.length > 0) this.fetcher.add(keptPositions.map((o) => ({ topic: o.topic, partition: o.partition, fetchOffset: o.offset })));
    this.owned = assigned;
    await this.cluster.refreshMetadata(this.topics, false);
    if (added.length > 0) {
      const positions = await this.startPositions(added);
      this.fetcher.add(positions.map((o) => ({ topic: o.topic, partition: o.partition, fetchOffset: o.offset })));
      for (const o of positions) this.consumed.set(tpKey(o), o);
      await this.opts.onAssign?.(added);
    }
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    const gone = new Set(partitions.map(tpKey));
    this.owned = this.owned.filter((tp) => !gone.has(tpKey(tp)));
    this.fetcher.remove(partitions);
    for (const k of gone) { this.consumed.delete(k); this.committed.delete(k); }
    await this.opts.onRevoke?.(partitions);
  }

  /** Committed offsets of `partitions`; where none is committed, the autoOffsetReset end. */
  private async startPositions(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const committed = await this.withCoordinator(() => fetchCommittedOffsets(this.cluster, this.coordinatorId, this.groupId, partitions));
    const missing = partitions.filter((tp) => (committed.get(tpKey(tp)) ?? -1) < 0);
    let resets = new Map<string, { offset: number }>();
    if (missing.length > 0) {
      if (this.autoOffsetReset === 'none') {
        throw new MqError('NO_COMMITTED_OFFSET', `group '${this.groupId}' has no committed offset for ${describeTps(missing)} and auto offset reset is none`, {
          hint: 'Pass --auto-offset-reset earliest or latest, or set offsets with `mq groups reset-offsets`.',
        });
      }
      const timestamp = this.autoOffsetReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
      resets = await listOffsets(this.cluster, missing.map((tp) => ({ ...tp, timestamp })), { isolationLevel: this.isolationLevel });
      this.opts.onNotice?.(`group ${this.groupId}: no committed offset for ${describeTps(missing)}; starting at the ${this.autoOffsetReset} offset`);
    }
    return partitions.map((tp) => {
      const c = committed.get(tpKey(tp)) ?? -1;
      if (c >= 0) this.committed.set(tpKey(tp), c);
      return { ...tp, offset: c >= 0 ? c : resets.get(tpKey(tp))!.offset };
    });
  }

  private async leaveGroup(): Promise<void> {
    try {
      // Not on the group connection: a JoinGroup parked there would hold the LeaveGroup behind it.
      const res = await this.cluster.request<LeaveGroupResponse>(this.coordinatorId, ApiKey.LeaveGroup, { groupId: this.groupId, memberId: this.memberId }, {
        purpose: 'default', timeoutMs: 5000,
      });
      if (res.errorCode !== 0 && res.errorCode !== 25) this.opts.onNotice?.(`group ${this.groupId}: leave failed: ${this.cluster.error(res.errorCode).message}`);
    } catch {
      // The session timeout removes us anyway.
    }
    this.memberId = '';
    this.stable = false;
  }

  /** Runs `fn` against the coordinator, looking it up again after NOT_COORDINATOR and the like. */
  private async withCoordinator<T>(fn: () => Promise<T>): Promise<T> {
    return this.cluster.retry(async () => {
      if (this.coordinatorId < 0) this.coordinatorId = await findCoordinator(this.cluster, this.groupId);
      try {
        return await fn();
      } catch (err) {
        if (err instanceof MqError && (err.code === 'NOT_COORDINATOR' || err.code === 'COORDINATOR_NOT_AVAILABLE' || err.code === 'NETWORK_EXCEPTION')) this.coordinatorId = -1;
        throw err;
      }
    }, { retries: 10 });
  }

  private uncommitted(): TopicPartitionOffset[] {
    const owned = new Set(this.owned.map(tpKey));
    return [...this.consumed.entries()]
      .filter(([k, o]) => owned.has(k) && this.committed.get(k) !== o.offset)
      .map(([, o]) => o);
  }

  private async maybeAutoCommit(): Promise<void> {
    if (this.autoCommitIntervalMs <= 0 || Date.now() - this.lastAutoCommitAt < this.autoCommitIntervalMs) return;
    this.lastAutoCommitAt = Date.now();
    this.commitAsync();
  }

  // ---- heartbeats ----

  private startHeartbeats(): void {
    this.stopHeartbeats();
    if (this.closing.signal.aborted) return; // a rebalance that finished while close() ran
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs);
  }

  private cachedPartitionCounts(): Map<string, number> {
    return new Map((this.leaderTopics ?? []).map((t) => [t, this.cluster.topic(t)?.partitions.length ?? 0]));
  }

  /**
   * The group leader re-reads the group's topics every metadataMaxAgeMs; when one has more (or fewer)
   * partitions than at the last rebalance it rejoins, which makes the coordinator rebalance the group
   * so the new partitions are assigned (Kafka's clients do the same; only the leader's rejoin counts).
   */
  private watchPartitionCounts(): void {
    if (this.metadataAgeTimer || this.closing.signal.aborted) return;
    this.metadataAgeTimer = setInterval(() => {
      const topics = this.leaderTopics;
      if (!topics || !this.stable || this.closing.signal.aborted) return;
      this.cluster.refreshMetadata(topics, false).then(() => {
        const now = this.cachedPartitionCounts();
        const changed = topics.filter((t) => now.get(t)! > 0 && now.get(t) !== this.partitionCounts.get(t));
        if (changed.length === 0 || !this.stable) return;
        this.opts.onNotice?.(`group ${this.groupId}: ${changed.map((t) => `${t} now has ${now.get(t)} partitions`).join(', ')}; rejoining`);
        this.requestRejoin();
      }, () => undefined);
    }, this.metadataMaxAgeMs);
    this.metadataAgeTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  // Heartbeats go on after a rebalance was announced, until rebalance() starts: the caller may still be
  // busy with a batch, and the session must not expire meanwhile.
  private async heartbeat(): Promise<void> {
    if (this.heartbeatTimer === null || this.heartbeatInFlight || this.closing.signal.aborted) return;
    if (this.handedOutAt !== null && Date.now() - this.handedOutAt > this.maxPollIntervalMs) {
      this.opts.onNotice?.(`group ${this.groupId}: no poll for ${this.maxPollIntervalMs} ms (max poll interval); leaving the group`);
      this.stopHeartbeats();
      await this.leaveGroup();
      this.requestRejoin(true);
      return;
    }
    this.heartbeatInFlight = true;
    try {
      const res = await this.cluster.request<HeartbeatResponse>(this.coordinatorId, ApiKey.Heartbeat, {
        groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null,
      }, { purpose: 'group', timeoutMs: this.sessionTimeoutMs });
      if (res.errorCode === 0 || this.heartbeatTimer === null) return;
      const err = this.cluster.error(res.errorCode);
      if (this.rejoinNeeded && err.code === 'REBALANCE_IN_PROGRESS') return;
      if (REJOIN_CODES.has(err.code)) {
        this.requestRejoin(err.code === 'UNKNOWN_MEMBER_ID');
      } else if (COORDINATOR_MOVED.has(res.errorCode)) {
        this.coordinatorId = -1;
        this.requestRejoin();
      } else {
        this.fatal = err;
        this.requestRejoin();
      }
    } catch {
      // A lost connection: the next heartbeat tries again; the session timeout is the judge.
    } finally {
      this.heartbeatInFlight = false;
    }
  }
}
