// What the leader of a replicated partition knows about its followers: each one's log end offset (the
// offset of its latest fetch), when it last fetched and when it was last caught up; from these the
// in-sync replica set (ISR) and the high watermark. Pure state with the time passed in, so the rules are
// unit-tested without a clock.
//
// Rules (Kafka's):
// - Caught up: a fetch at offset >= the leader's log end offset at that fetch makes the follower caught
//   up now; a fetch at offset >= the leader's log end offset at its PREVIOUS fetch makes it caught up as
//   of that previous fetch. A follower in the ISR not caught up for replicaLagTimeMaxMs (or more than
//   replicaLagMaxMessages behind, when set) is out of sync.
// - A follower outside the ISR joins once its log end offset reaches the high watermark and the start
//   of the current leader epoch.
// - high watermark = the smallest log end offset over the ISR (the leader's own included), never
//   decreasing while leader. An ISR change being written counts in its larger form (Kafka's "maximal
//   ISR"): a joining follower counts from the moment the change is asked for, a leaving one until the
//   store confirms it, so an acknowledged offset is always on every replica any controller could elect.
// - On becoming leader the followers' positions are unknown (the high watermark cannot advance past an
//   ISR member until it fetches) and every follower counts as caught up now.

export interface FollowerPosition {
  /** The offset of its latest fetch; -1 until it fetches from this leader. */
  logEndOffset: number;
  lastFetchTimeMs: number;
  lastCaughtUpTimeMs: number;
  /** The leader's log end offset at the follower's previous fetch. */
  lastFetchLeaderLogEndOffset: number;
}

export interface LagLimits {
  replicaLagTimeMaxMs: number;
  /** -1: not used. */
  replicaLagMaxMessages: number;
}

export class LeaderState {
  /** The ISR as stored (what the controller elects from). */
  isr: number[];
  /** The ISR change being written to the store, if any. */
  pendingIsr: number[] | null = null;
  highWatermark: number;
  readonly followers = new Map<number, FollowerPosition>();

  constructor(
    readonly localId: number,
    public replicas: number[],
    isr: number[],
    /** Where this replica last knew the high watermark (it never starts above its own log end). */
    highWatermark: number,
    /** The log end offset when this replica became leader: the first offset of its epoch. */
    readonly leaderEpochStartOffset: number,
    nowMs: number,
  ) {
    this.isr = [...isr];
    this.highWatermark = highWatermark;
    for (const id of replicas) {
      if (id !== localId) this.followers.set(id, { logEndOffset: -1, lastFetchTimeMs: nowMs, lastCaughtUpTimeMs: nowMs, lastFetchLeaderLogEndOffset: -1 });
    }
  }

  /** The ISR the high watermark is computed over: the stored one plus a pending change's members. */
  maximalIsr(): number[] {
    const p = this.pendingIsr;
    if (p === null) return this.isr;
    const out = [...this.isr];
    for (const id of p) if (!out.includes(id)) out.push(id);
    return out;
  }

  /** Records a follower's fetch at `fetchOffset` while the leader's log ends at `leaderLogEndOffset`. */
  updateFollower(id: number, fetchOffset: number, leaderLogEndOffset: number, nowMs: number): void {
    let f = this.followers.get(id);
    if (!f) {
      f = { logEndOffset: -1, lastFetchTimeMs: nowMs, lastCaughtUpTimeMs: nowMs, lastFetchLeaderLogEndOffset: -1 };
      this.followers.set(id, f);
    }
    if (fetchOffset >= leaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (f.lastFetchLeaderLogEndOffset >= 0 && fetchOffset >= f.lastFetchLeaderLogEndOffset) {
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    }
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    f.lastFetchTimeMs = nowMs;
  }

  /** Recomputes the high watermark; true when it moved forward. */
  updateHighWatermark(leaderLogEndOffset: number): boolean {
    let min = leaderLogEndOffset;
    for (const id of this.maximalIsr()) {
      if (id === this.localId) continue;
      const leo = this.followers.get(id)?.logEndOffset ?? -1;
      if (leo < min) min = leo;
    }
    if (min > this.highWatermark) {
      this.highWatermark = min;
      return true;
    }
    return false;
  }

  /** The ISR with follower `id` added, when it qualifies to join (and no change is pending); else null. */
  expandedIsr(id: number): number[] | null {
    if (this.pendingIsr !== null || this.isr.includes(id) || !this.replicas.includes(id)) return null;
    const leo = this.followers.get(id)?.logEndOffset ?? -1;
    if (leo < this.highWatermark || leo < this.leaderEpochStartOffset) return null;
    return this.replicas.filter((r) => r === id || this.isr.includes(r));
  }

  /** The ISR members (never the leader) that are out of sync at `nowMs`. */
  outOfSyncReplicas(leaderLogEndOffset: number, nowMs: number, limits: LagLimits): number[] {
    const out: number[] = [];
    for (const id of this.isr) {
      if (id === this.localId) continue;
      const f = this.followers.get(id);
      if (!f) { out.push(id); continue; }
      const lagging = nowMs - f.lastCaughtUpTimeMs > limits.replicaLagTimeMaxMs;
      const behind = limits.replicaLagMaxMessages > 0 && f.logEndOffset >= 0 && leaderLogEndOffset - f.logEndOffset > limits.replicaLagMaxMessages;
      if (lagging || behind) out.push(id);
    }
    return out;
  }

  /** The ISR without the out-of-sync members, when some are and no change is pending; else null. */
  shrunkIsr(leaderLogEndOffset: number, nowMs: number, limits: LagLimits): number[] | null {
    if (this.pendingIsr !== null) return null;
    const out = this.outOfSyncReplicas(leaderLogEndOffset, nowMs, limits);
    if (out.length === 0) return null;
    return this.isr.filter((id) => !out.includes(id));
  }

  /** Adopts an ISR read from the store (the controller's change, or our own write echoed). */
  adoptIsr(isr: number[], replicas: number[] = this.replicas): void {
    this.isr = [...isr];
    if (replicas !== this.replicas) {
      this.replicas = [...replicas];
      for (const id of this.followers.keys()) if (!replicas.includes(id)) this.followers.delete(id);
    }
  }
}
