// queued.max.request.bytes: the memory set aside for requests being received, over all connections.
// Like Kafka's memory pool, a frame claims its whole declared size as soon as its size is read, and a
// connection whose frame finds the pool full stops being read (muted) until claims are given back --
// a frame completed and handled, a connection closed. As in Kafka's non-strict pool a frame is admitted
// while any room is left, so one request as large as socket.request.max.bytes always fits. A muted
// connection holds only the bytes it already has; the kernel's socket buffer holds what its peer sends
// meanwhile. 20 peers each sending 10 MiB of a declared 100 MiB frame thus make the broker hold one
// frame's bytes, not 200 MiB, and the read timeout (socket.request.read.timeout.ms) drops each.

export interface RequestMemoryUser {
  /** Stop reading: the pool is full. */
  mute(): void;
  /** The pool has room again. */
  unmute(): void;
}

export class RequestMemory {
  private used = 0;
  private readonly held = new Map<RequestMemoryUser, number>();
  private readonly muted = new Set<RequestMemoryUser>();

  constructor(readonly limitBytes: number) {}

  /** Bytes claimed over all connections. */
  get usedBytes(): number {
    return this.used;
  }

  /**
   * Records what `user` needs now: `claimBytes` for its frame in progress (0 between frames), of which
   * it has `bufferedBytes`. Mutes it when the others' claims leave no room.
   */
  set(user: RequestMemoryUser, claimBytes: number, bufferedBytes: number): void {
    const before = this.held.get(user) ?? 0;
    let now = claimBytes;
    if (claimBytes > 0 && !this.muted.has(user) && before < claimBytes && this.used - before >= this.limitBytes) {
      this.muted.add(user);
      user.mute();
    }
    if (this.muted.has(user)) now = bufferedBytes;
    if (now === 0) this.held.delete(user);
    else this.held.set(user, now);
    this.used += now - before;
    if (now < before) this.wake();
  }

  /** A connection that closed gives back what it held. */
  release(user: RequestMemoryUser): void {
    this.muted.delete(user);
    this.set(user, 0, 0);
  }

  /** Room again: every muted connection reads on and claims anew (those that find no room are muted again). */
  private wake(): void {
    if (this.used >= this.limitBytes || this.muted.size === 0) return;
    const waiting = [...this.muted];
    this.muted.clear();
    for (const u of waiting) u.unmute();
  }
}
