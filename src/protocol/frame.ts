// Frame := Size INT32, Payload[Size]. FrameDecoder turns a stream of socket chunks into whole
// payloads. It checks Size against `maxFrameBytes` as soon as the 4 size bytes arrive, before any of
// the body is buffered, so an oversized request costs no memory.
//
// By default the chunks of a frame are kept until its last byte arrives and then joined (one copy, and
// for that moment twice the frame's size in memory). With `preallocate` (the client, reading a broker's
// large fetch answers) a frame over PREALLOCATE_FROM bytes gets its buffer as soon as its size is known
// and each chunk is copied in as it arrives, so a 1 MiB answer costs 1 MiB plus one socket chunk. The
// broker does not preallocate: a peer could declare a large size and send nothing.
import { MqError } from '../util/mq-error.js';

/** Frames at least this large are preallocated (with `preallocate`); smaller ones usually fit one chunk. */
const PREALLOCATE_FROM = 64 * 1024;

export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** With preallocate: the payload being filled, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(private readonly maxFrameBytes: number, private readonly opts: { preallocate?: boolean } = {}) {}

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.frame === null ? this.pendingBytes : 4 + this.filled;
  }

  /**
   * Bytes the frame being received will take once whole (its 4 size bytes plus the size it declares), or
   * what is buffered while the size is not known yet; 0 between frames.
   */
  get pendingFrameBytes(): number {
    if (this.frame !== null) return 4 + this.frame.length;
    if (this.pendingBytes < 4) return this.pendingBytes;
    return 4 + this.peekSize();
  }

  /**
   * Feeds a chunk; returns the payloads completed by it (views into received memory).
   * Throws MqError INVALID_REQUEST (negative size) or MESSAGE_TOO_LARGE (size over the limit).
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (this.frame !== null) {
      chunk = this.fill(chunk, out);
      if (chunk.length === 0) return out;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.pendingBytes < 4) break;
      const head = this.peekSize();
      if (head < 0) throw new MqError('INVALID_REQUEST', `frame size ${head} is negative`);
      if (head > this.maxFrameBytes) {
        throw new MqError('MESSAGE_TOO_LARGE', `frame of ${head} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
      }
      if (this.pendingBytes < 4 + head) {
        if (this.opts.preallocate && head >= PREALLOCATE_FROM) this.startFrame(head);
        break;
      }
      const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      out.push(all.subarray(4, 4 + head));
      const rest = all.subarray(4 + head);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return out;
  }

  /** Moves what has arrived of a frame of `size` bytes into a buffer of its own (pending holds less than the frame). */
  private startFrame(size: number): void {
    const frame = Buffer.allocUnsafe(size);
    let skip = 4;
    let at = 0;
    for (const c of this.pending) {
      const from = Math.min(skip, c.length);
      skip -= from;
      at += c.copy(frame, at, from);
    }
    this.frame = frame;
    this.filled = at;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Copies the start of `chunk` into the frame being filled; completes it into `out`; returns the rest of `chunk`. */
  private fill(chunk: Buffer, out: Buffer[]): Buffer {
    const frame = this.frame!;
    const n = Math.min(chunk.length, frame.length - this.filled);
    chunk.copy(frame, this.filled, 0, n);
    this.filled += n;
    if (this.filled === frame.length) {
      out.push(frame);
      this.frame = null;
      this.filled = 0;
    }
    return chunk.subarray(n);
  }

  private peekSize(): number {
    const first = this.pending[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [joined];
    return joined.readInt32BE(0);
  }
}
