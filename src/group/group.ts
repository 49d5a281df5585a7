// The membership state machine of one consumer group (Kafka's classic protocol), driven by the
// requests of its members and by `tick(nowMs)` for the timeouts. Time is always passed in, so the
// whole machine runs under a fake clock in tests.
//
//   Empty --join--> PreparingRebalance --all members joined / rebalance timeout--> CompletingRebalance
//   CompletingRebalance --leader's SyncGroup--> Stable
//   Stable | CompletingRebalance --join with new metadata, leader rejoin, leave, session expiry--> PreparingRebalance
//   PreparingRebalance --nobody left--> Empty;  Empty --DeleteGroups, or no offsets left--> Dead (forgotten)
//
// JoinGroup answers are parked until the rebalance completes (every known member rejoined, or the
// rebalance timeout passed and the missing ones were removed); an empty group that gets its first
// member also waits `initialRebalanceDelayMs` (extended by each new joiner, capped by the rebalance
// timeout) so members starting together land in one generation. Followers' SyncGroup answers are
// parked until the leader sends the assignment.
import { ErrorCode } from '../protocol/error-codes.js';
import { decodeConsumerProtocolSubscription } from '../protocol/messages/consumer-protocol.js';
import type { JoinGroupResponse } from '../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../protocol/messages/sync-group.js';
import { Member, type MemberProtocol } from './member.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** A committed offset as stored: `groups/<group>/offsets/<topic>/<partition>`. */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface JoinParams {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  /** JoinGroup v4+: a member without an id gets one with MEMBER_ID_REQUIRED and must join again. */
  requireKnownMemberId: boolean;
}

export interface SyncParams {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberRef { memberId: string; groupInstanceId: string | null; generationId: number }

/** What the group reports when a rebalance completes or a member is dropped (for the broker's log). */
export type GroupEvent =
  | { type: 'rebalanced'; generationId: number; members: number; protocol: string | null; leader: string | null }
  | { type: 'member-removed'; memberId: string; reason: 'left' | 'session-timeout' | 'rebalance-timeout' | 'sync-timeout' };

export interface GroupSettings {
  initialRebalanceDelayMs: number;
  /** A fresh member id; Kafka's form is `<client id or instance id>-<uuid>`. */
  newMemberId(prefix: string): string;
  onEvent?(group: Group, event: GroupEvent): void;
}

export function joinError(errorCode: number, memberId = ''): JoinGroupResponse {
  return { throttleTimeMs: 0, errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

export function syncError(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) };
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  /** "consumer" for consumer groups; "" for groups that only hold offsets committed without membership. */
  protocolType: string | null = null;
  /** The protocol (assignor) chosen for the current generation. */
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Committed offsets by topic, then partition. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** group.instance.id -> member id of the static member holding it. */
  private readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with the time they expire unless the member joins. */
  private readonly pendingMembers = new Map<string, number>();
  private joinNotBeforeMs = 0;
  private joinDeadlineMs = 0;
  private syncDeadlineMs = 0;
  private initialDelay = false;

  constructor(readonly groupId: string, private readonly settings: GroupSettings) {}

  /** No members and none about to join: the group only holds offsets (or nothing). */
  get isEmpty(): boolean {
    return this.members.size === 0 && this.pendingMembers.size === 0;
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0;
  }

  /**
   * The topics the members subscribe to, read from their consumer-protocol metadata (of the chosen
   * protocol, or each member's first before one is chosen); null when a member's cannot be read.
   */
  subscribedTopics(): Set<string> | null {
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const metadata = this.protocolName !== null ? m.metadataFor(this.protocolName) : m.protocols[0]?.metadata;
      try {
        for (const t of decodeConsumerProtocolSubscription(metadata ?? Buffer.alloc(0)).topics) topics.add(t);
      } catch {
        return null;
      }
    }
    return topics;
  }

  // --- JoinGroup ---

  join(p: JoinParams, nowMs: number): Promise<JoinGroupResponse> {
    if (this.state === 'Dead') return Promise.resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId));
    if (!this.supportsProtocols(p.protocolType, p.protocols, p.memberId)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId));
    }
    if (p.memberId === '') {
      if (p.groupInstanceId !== null) return this.joinStaticUnknown(p, nowMs);
      const memberId = this.settings.newMemberId(p.clientId);
      if (p.requireKnownMemberId) {
        this.pendingMembers.set(memberId, nowMs + p.sessionTimeoutMs);
        return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMemberAndRebalance(memberId, p, nowMs);
    }
    if (this.pendingMembers.delete(p.memberId)) return this.addMemberAndRebalance(p.memberId, p, nowMs);
    const m = this.members.get(p.memberId);
    if (!m) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId));
    if (this.isFenced(p.memberId, p.groupInstanceId)) return Promise.resolve(joinError(ErrorCode.FENCED_INSTANCE_ID, p.memberId));
    m.lastHeartbeatMs = nowMs;
    switch (this.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndPark(m, p, nowMs);
      case 'CompletingRebalance':
        // The member missed the join answer (a retry): same metadata gets the same answer again.
        if (m.sameProtocols(p.protocols)) return Promise.resolve(this.joinResponse(m));
        return this.updateMemberAndPark(m, p, nowMs);
      case 'Stable':
        // A follower with unchanged metadata just learns the current generation; the leader rejoining
        // (it wants to reassign) or changed metadata (new subscription) starts a rebalance.
        if (m.memberId !== this.leaderId && m.sameProtocols(p.protocols)) return Promise.resolve(this.joinResponse(m));
        return this.updateMemberAndPark(m, p, nowMs);
      default:
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId));
    }
  }

  /** A static member (group.instance.id) joining without a member id: new, or a restart replacing its old id. */
  private joinStaticUnknown(p: JoinParams, nowMs: number): Promise<JoinGroupResponse> {
    const instanceId = p.groupInstanceId!;
    const oldId = this.staticMembers.get(instanceId);
    const old = oldId === undefined ? undefined : this.members.get(oldId);
    const newId = this.settings.newMemberId(instanceId);
    if (!old) return this.addMemberAndRebalance(newId, p, nowMs);
    // The old incarnation is fenced: whatever it still waits on fails, and its id stops working.
    old.answerJoin(joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.answerSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(old.memberId);
    old.memberId = newId;
    this.members.set(newId, old);
    this.staticMembers.set(instanceId, newId);
    if (this.leaderId === oldId) this.leaderId = newId;
    this.updateMember(old, p, nowMs);
    if (this.state === 'Stable' && old.sameProtocols(p.protocols)) {
      // A restarted static member with the same subscription takes its old place without a rebalance.
      return Promise.resolve(this.joinResponse(old));
    }
    old.protocols = p.protocols;
    return this.park(old, nowMs);
  }

  private addMemberAndRebalance(memberId: string, p: JoinParams, nowMs: number): Promise<JoinGroupResponse> {
    const m = new Member(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs,
      effectiveRebalanceTimeout(p), p.protocols, nowMs);
    this.members.set(memberId, m);
    if (p.groupInstanceId !== null) this.staticMembers.set(p.groupInstanceId, memberId);
    this.protocolType = p.protocolType;
    this.leaderId ??= memberId;
    if (this.state === 'PreparingRebalance' && this.initialDelay) {
      // Kafka's InitialDelayedJoin: each newcomer during the initial delay extends it, up to the rebalance timeout.
      this.joinNotBeforeMs = Math.min(nowMs + this.settings.initialRebalanceDelayMs, this.joinDeadlineMs);
    }
    return this.park(m, nowMs);
  }

  private updateMember(m: Member, p: JoinParams, nowMs: number): void {
    m.clientId = p.clientId;
    m.clientHost = p.clientHost;
    m.sessionTimeoutMs = p.sessionTimeoutMs;
    m.rebalanceTimeoutMs = effectiveRebalanceTimeout(p);
    m.lastHeartbeatMs = nowMs;
  }

  private updateMemberAndPark(m: Member, p: JoinParams, nowMs: number): Promise<JoinGroupResponse> {
    this.updateMember(m, p, nowMs);
    m.protocols = p.protocols;
    return this.park(m, nowMs);
  }

  /** Parks the member's JoinGroup, starts a rebalance if none is running, and completes it if it can. */
  private park(m: Member, nowMs: number): Promise<JoinGroupResponse> {
    const answer = new Promise<JoinGroupResponse>((resolve) => {
      // A second JoinGroup from the same member (another connection, after a client-side timeout)
      // replaces the first; the first is told to rejoin.
      m.answerJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
      m.awaitingJoin = resolve;
    });
    if (this.state !== 'PreparingRebalance') this.prepareRebalance(nowMs);
    this.tryCompleteJoin(nowMs);
    return answer;
  }

  private prepareRebalance(nowMs: number): void {
    if (this.state === 'CompletingRebalance') {
      // The assignment being distributed is void: parked followers must rejoin.
      for (const m of this.members.values()) {
        m.assignment = Buffer.alloc(0);
        m.answerSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    const fromEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    const timeoutMs = this.rebalanceTimeoutMs();
    this.joinDeadlineMs = nowMs + timeoutMs;
    this.initialDelay = fromEmpty && this.settings.initialRebalanceDelayMs > 0;
    this.joinNotBeforeMs = this.initialDelay ? nowMs + Math.min(this.settings.initialRebalanceDelayMs, timeoutMs) : nowMs;
  }

  private tryCompleteJoin(nowMs: number): void {
    if (this.state !== 'PreparingRebalance') return;
    let allJoined = this.pendingMembers.size === 0;
    for (const m of this.members.values()) if (!m.awaitingJoin) allJoined = false;
    if ((allJoined && nowMs >= this.joinNotBeforeMs) || nowMs >= this.joinDeadlineMs) this.completeJoin(nowMs);
  }

  private completeJoin(nowMs: number): void {
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin) this.removeMember(m, nowMs, 'rebalance-timeout', false);
    }
    this.initialDelay = false;
    this.generationId++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      this.settings.onEvent?.(this, { type: 'rebalanced', generationId: this.generationId, members: 0, protocol: null, leader: null });
      return;
    }
    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = 'CompletingRebalance';
    this.syncDeadlineMs = nowMs + this.rebalanceTimeoutMs();
    for (const m of this.members.values()) {
      m.synced = false;
      m.lastHeartbeatMs = nowMs;
      m.answerJoin(this.joinResponse(m));
    }
    this.settings.onEvent?.(this, {
      type: 'rebalanced', generationId: this.generationId, members: this.members.size,
      protocol: this.protocolName, leader: this.leaderId,
    });
  }

  private joinResponse(m: Member): JoinGroupResponse {
    const protocol = this.protocolName ?? '';
    const isLeader = m.memberId === this.leaderId;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: this.generationId,
      protocolName: protocol,
      leader: this.leaderId ?? '',
      memberId: m.memberId,
      members: isLeader
        ? [...this.members.values()].map((x) => ({
          memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: x.metadataFor(protocol),
        }))
        : [],
    };
  }

  /**
   * Whether a member offering `protocols` of `protocolType` can be in this group: the group is
   * empty, or the type matches and at least one of the protocols is offered by every other member.
   */
  private supportsProtocols(protocolType: string, protocols: MemberProtocol[], memberId: string): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    const others = [...this.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return true;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /** Kafka's vote: among protocols every member offers, each member votes for its most preferred; most votes wins. */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0].protocols.map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((q) => q.name === name)));
    if (candidates.length === 0) return members[0].protocols[0]?.name ?? '';
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!;
      votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  private rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  // --- SyncGroup, Heartbeat, LeaveGroup ---

  sync(p: SyncParams, nowMs: number): Promise<SyncGroupResponse> {
    const error = this.checkMember(p);
    if (error !== 0) return Promise.resolve(syncError(error));
    const m = this.members.get(p.memberId)!;
    m.lastHeartbeatMs = nowMs;
    switch (this.state) {
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable':
        return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, assignment: m.assignment });
      case 'CompletingRebalance': {
        m.synced = true;
        const answer = new Promise<SyncGroupResponse>((resolve) => {
          m.answerSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          m.awaitingSync = resolve;
        });
        if (m.memberId === this.leaderId) {
          const byMember = new Map(p.assignments.map((a) => [a.memberId, a.assignment]));
          this.state = 'Stable';
          for (const x of this.members.values()) {
            x.assignment = byMember.get(x.memberId) ?? Buffer.alloc(0);
            x.answerSync({ throttleTimeMs: 0, errorCode: 0, assignment: x.assignment });
          }
        }
        return answer;
      }
      default:
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  heartbeat(p: MemberRef, nowMs: number): number {
    const error = this.checkMember(p);
    if (error !== 0) return error;
    this.members.get(p.memberId)!.lastHeartbeatMs = nowMs;
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  leave(memberId: string, nowMs: number): number {
    if (this.pendingMembers.delete(memberId)) {
      this.tryCompleteJoin(nowMs);
      return 0;
    }
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(m, nowMs, 'left', true);
    return 0;
  }

  /**
   * Whether a member may commit offsets: a standalone commit (generation < 0, no member id) while the
   * group has no members, or a member of the current generation outside CompletingRebalance (commits
   * during PreparingRebalance are how members save progress before they give partitions up).
   */
  checkCommit(p: MemberRef, nowMs: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (p.generationId < 0 && this.state === 'Empty') return 0;
    if (this.isFenced(p.memberId, p.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const m = this.members.get(p.memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (p.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeatMs = nowMs;
    return 0;
  }

  private checkMember(p: MemberRef): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (this.isFenced(p.memberId, p.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (!this.members.has(p.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (p.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return 0;
  }

  /** A request naming a group.instance.id that now belongs to another member id comes from a replaced incarnation. */
  private isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  private removeMember(m: Member, nowMs: number, reason: 'left' | 'session-timeout' | 'rebalance-timeout' | 'sync-timeout', rebalance: boolean): void {
    m.answerJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.answerSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    this.members.delete(m.memberId);
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === m.memberId) {
      this.staticMembers.delete(m.groupInstanceId);
    }
    if (this.leaderId === m.memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.settings.onEvent?.(this, { type: 'member-removed', memberId: m.memberId, reason });
    if (!rebalance) return;
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance(nowMs);
    this.tryCompleteJoin(nowMs);
  }

  // --- time ---

  /** Applies every timeout due at `nowMs`: session expiry, pending member ids, rebalance and sync deadlines. */
  tick(nowMs: number): void {
    for (const [id, expiresMs] of this.pendingMembers) if (nowMs >= expiresMs) this.pendingMembers.delete(id);
    for (const m of [...this.members.values()]) {
      // Parked members are alive: they are waiting on us.
      if (m.awaitingJoin || m.awaitingSync) continue;
      if (this.members.has(m.memberId) && nowMs >= m.lastHeartbeatMs + m.sessionTimeoutMs) {
        this.removeMember(m, nowMs, 'session-timeout', true);
      }
    }
    if (this.state === 'CompletingRebalance' && nowMs >= this.syncDeadlineMs) {
      // Kafka's pending-sync timeout: members that never sent SyncGroup (the leader above all) are dropped.
      const missing = [...this.members.values()].filter((m) => !m.synced);
      for (const m of missing) this.removeMember(m, nowMs, 'sync-timeout', true);
    }
    this.tryCompleteJoin(nowMs);
  }

  /** Answers every parked request with `errorCode` (shutdown, deletion). */
  abortParked(errorCode: number): void {
    for (const m of this.members.values()) {
      m.answerJoin(joinError(errorCode, m.memberId));
      m.answerSync(syncError(errorCode));
    }
  }
}

/** JoinGroup v0 has no rebalance timeout (decoded as -1): the session timeout stands in for it. */
function effectiveRebalanceTimeout(p: JoinParams): number {
  return p.rebalanceTimeoutMs >= 0 ? p.rebalanceTimeoutMs : p.sessionTimeoutMs;
}
