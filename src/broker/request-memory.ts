// queued.max.request.bytes: the bytes of partly received request frames held over all connections.
// Kafka keeps a memory pool for requests and mutes a channel it cannot allocate for; here each
// connection reports what its frame decoder holds, and while the total is past the limit every
// connection holding a partial frame stops reading (the kernel's socket buffer, not this process,
// then holds what the peer sends). Freed bytes -- a frame completed, a connection closed -- wake them.
// A frame that can never finish is dropped by the read timeout, which is what frees a stuck pool.

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

  /** Bytes held over all connections. */
  get usedBytes(): number {
    return this.used;
  }

  /** Records that `user` now holds `bytes`; mutes it when it holds some and the pool is past its limit. */
  set(user: RequestMemoryUser, bytes: number): void {
    const before = this.held.get(user) ?? 0;
    if (bytes === 0) this.held.delete(user);
    else this.held.set(user, bytes);
    this.used += bytes - before;
    if (bytes > 0 && this.used > this.limitBytes) {
      if (!this.muted.has(user)) { this.muted.add(user); user.mute(); }
    } else if (bytes < before) {
      this.wake();
    }
  }

  /** A connection that closed gives back what it held. */
  release(user: RequestMemoryUser): void {
    this.muted.delete(user);
    this.set(user, 0);
  }

  private wake(): void {
    if (this.used > this.limitBytes || this.muted.size === 0) return;
    const waiting = [...this.muted];
    this.muted.clear();
    for (const u of waiting) u.unmute();
  }
}
