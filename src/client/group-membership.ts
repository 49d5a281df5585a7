// A consumer-group member's membership (the classic protocol): it finds the coordinator, joins
// (JoinGroup, retried once with the id the broker hands out on MEMBER_ID_REQUIRED), and the member the
// coordinator names leader computes every member's partitions with the chosen assignor and sends them
// with SyncGroup. Heartbeats run on their own timer, independent of how long the caller takes with a
// batch; an answer of REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID makes the member
// rejoin. A caller that does not come back for the next batch within maxPollIntervalMs is taken out of
// the group (LeaveGroup), as Kafka does. The group leader also re-reads the group's topics every
// metadataMaxAgeMs and rejoins when one has a different partition count.
//
// It owns the member id, generation, chosen protocol, coordinator and the "rejoin needed" state; which
// partitions are owned, and when a rebalance runs, is the consumer's (group-consumer.ts).
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
import type { Cluster } from './cluster.js';
import { logDropped } from './dropped-error.js';
import { byTopic, COORDINATOR_MOVED, findCoordinator } from './group-requests.js';
import { topicError } from './topic-error.js';
import type { GroupConsumerOptions, TopicPartition } from './types.js';

/** Answers that mean "rejoin": REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID. */
export const REJOIN_CODES = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

const MEMBER_ID_REQUIRED = 79;
const MAX_JOIN_ATTEMPTS = 30;

export interface MembershipHooks {
  /** The partitions this member owns now (sent as owned partitions by cooperative members). */
  owned(): TopicPartition[];
  /** When the caller took the batch it still holds, or null (max.poll.interval.ms). */
  handedOutAt(): number | null;
}

export class GroupMembership {
  readonly groupId: string;
  private readonly topics: string[];
  private readonly protocols: string[];
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  readonly maxPollIntervalMs: number;

  memberId = '';
  generationId = -1;
  private protocol: string | null = null;
  coordinatorId = -1;
  /** True between a completed rebalance and the next rejoin request. */
  stable = false;
  rejoinNeeded = true;
  /** Aborted when a rebalance is needed: ends the current fetch iteration. */
  generationStop = new AbortController();
  /** A heartbeat answer this member cannot go on from; the consumer throws it. */
  fatal: MqError | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  /** metadata.max.age.ms: re-reads the subscribed topics; a changed partition count makes the member rejoin. */
  private metadataAgeTimer: NodeJS.Timeout | null = null;
  /** The group's subscribed topics while this member is the group's leader (it assigns); null otherwise. */
  private leaderTopics: string[] | null = null;
  /** Partitions per group topic when the last rebalance completed (leader only). */
  private partitionCounts = new Map<string, number>();
  private topicsChecked = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: GroupConsumerOptions,
    private readonly metadataMaxAgeMs: number,
    private readonly closing: AbortSignal,
    private readonly hooks: MembershipHooks,
  ) {
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
  }

  /** The subscribed topics. */
  get subscribed(): string[] {
    return this.topics;
  }

  /** Whether the group's chosen protocol is cooperative (KIP-429). */
  cooperative(): boolean {
    return this.protocol !== null && assignorFor(this.protocol)!.cooperative;
  }

  requestRejoin(forgetMemberId = false): void {
    if (forgetMemberId) this.memberId = '';
    this.rejoinNeeded = true;
    this.stable = false;
    this.generationStop.abort();
  }

  /** The subscribed topics must exist (as with assign(): no auto-creation); checked once, before the first join. */
  async checkTopicsOnce(): Promise<void> {
    if (this.topicsChecked) return;
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
    }, { retries: Number.POSITIVE_INFINITY, maxElapsedMs: 5000, signal: this.closing });
    this.topicsChecked = true;
  }

  /** JoinGroup and SyncGroup, retried; this member's new partitions, or null when stopped. */
  async joinAndSync(stop: AbortSignal): Promise<TopicPartition[] | null> {
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
        if (stop.aborted || this.closing.aborted) return null;
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

  /** The new generation is in place: heartbeats (and, for the leader, partition-count checks) resume. */
  joined(): void {
    this.partitionCounts = this.cachedPartitionCounts();
    this.watchPartitionCounts();
    this.generationStop = new AbortController();
    this.stable = true;
    this.startHeartbeats();
    if (this.rejoinNeeded) this.generationStop.abort(); // revoked partitions: follow-up rebalance
  }

  /** LeaveGroup; a failure is left to the session timeout. */
  async leaveGroup(): Promise<void> {
    try {
      // Not on the group connection: a JoinGroup parked there would hold the LeaveGroup behind it.
      const res = await this.cluster.request<LeaveGroupResponse>(this.coordinatorId, ApiKey.LeaveGroup, { groupId: this.groupId, memberId: this.memberId }, {
        purpose: 'default', timeoutMs: 5000,
      });
      if (res.errorCode !== 0 && res.errorCode !== 25) this.opts.onNotice?.(`group ${this.groupId}: leave failed: ${this.cluster.error(res.errorCode).message}`);
    } catch (err) {
      // The session timeout removes us anyway.
      logDropped(this.cluster.logger, 'group consumer: LeaveGroup failed; the session timeout removes the member', err, { group: this.groupId, member: this.memberId });
    }
    this.memberId = '';
    this.stable = false;
  }

  /** Runs `fn` against the coordinator, looking it up again after NOT_COORDINATOR and the like. */
  async withCoordinator<T>(fn: (coordinatorId: number) => Promise<T>): Promise<T> {
    return this.cluster.retry(async () => {
      if (this.coordinatorId < 0) this.coordinatorId = await findCoordinator(this.cluster, this.groupId);
      try {
        return await fn(this.coordinatorId);
      } catch (err) {
        if (err instanceof MqError && (err.code === 'NOT_COORDINATOR' || err.code === 'COORDINATOR_NOT_AVAILABLE' || err.code === 'NETWORK_EXCEPTION')) this.coordinatorId = -1;
        throw err;
      }
    }, { retries: 10 });
  }

  /** Stops heartbeats and the partition-count checks (the member is closing). */
  stop(): void {
    this.stopHeartbeats();
    if (this.metadataAgeTimer) clearInterval(this.metadataAgeTimer);
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
      ? [...byTopic(this.hooks.owned())].map(([topic, l]) => ({ topic, partitions: l.map((tp) => tp.partition) }))
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

  // ---- heartbeats ----

  private startHeartbeats(): void {
    this.stopHeartbeats();
    if (this.closing.aborted) return; // a rebalance that finished while close() ran
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
    if (this.metadataAgeTimer || this.closing.aborted) return;
    this.metadataAgeTimer = setInterval(() => {
      const topics = this.leaderTopics;
      if (!topics || !this.stable || this.closing.aborted) return;
      this.cluster.refreshMetadata(topics, false).then(() => {
        const now = this.cachedPartitionCounts();
        const changed = topics.filter((t) => now.get(t)! > 0 && now.get(t) !== this.partitionCounts.get(t));
        if (changed.length === 0 || !this.stable) return;
        this.opts.onNotice?.(`group ${this.groupId}: ${changed.map((t) => `${t} now has ${now.get(t)} partitions`).join(', ')}; rejoining`);
        this.requestRejoin();
      }, (err: unknown) => logDropped(this.cluster.logger, 'group consumer: partition-count check failed; the next one tries again', err, { group: this.groupId }));
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
    if (this.heartbeatTimer === null || this.heartbeatInFlight || this.closing.aborted) return;
    const handedOutAt = this.hooks.handedOutAt();
    if (handedOutAt !== null && Date.now() - handedOutAt > this.maxPollIntervalMs) {
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
    } catch (err) {
      // A lost connection: the next heartbeat tries again; the session timeout is the judge.
      logDropped(this.cluster.logger, 'group consumer: heartbeat failed; the next one tries again', err, { group: this.groupId, member: this.memberId });
    } finally {
      this.heartbeatInFlight = false;
    }
  }
}
