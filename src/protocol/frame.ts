// Frame := Size INT32, Payload[Size]. FrameDecoder turns a stream of socket chunks into whole
// payloads. It checks Size against `maxFrameBytes` as soon as the 4 size bytes arrive, before any of
// the body is buffered, so an oversized request costs no memory.
import { MqError } from '../util/mq-error.js';

export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /**
   * Bytes the frame being received will take once whole (its 4 size bytes plus the size it declares), or
   * what is buffered while the size is not known yet; 0 between frames.
   */
  get pendingFrameBytes(): number {
    if (this.pendingBytes < 4) return this.pendingBytes;
    return 4 + this.peekSize();
  }

  /**
   * Feeds a chunk; returns the payloads completed by it (views into received memory).
   * Throws MqError INVALID_REQUEST (negative size) or MESSAGE_TOO_LARGE (size over the limit).
   */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.pendingBytes < 4) break;
      const head = this.peekSize();
      if (head < 0) throw new MqError('INVALID_REQUEST', `frame size ${head} is negative`);
      if (head > this.maxFrameBytes) {
        throw new MqError('MESSAGE_TOO_LARGE', `frame of ${head} bytes exceeds socket.request.max.bytes (${this.maxFrameBytes})`);
      }
      if (this.pendingBytes < 4 + head) break;
      const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      out.push(all.subarray(4, 4 + head));
      const rest = all.subarray(4 + head);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return out;
  }

  private peekSize(): number {
    const first = this.pending[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [joined];
    return joined.readInt32BE(0);
  }
}
