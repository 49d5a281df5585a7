// The common shape of the peer clients in `bench/compare.sh`: one TCP connection, requests written in
// chunks of ~64 KiB, at most `window` unacknowledged, each acknowledgement timed from its request's
// send. Bounded by count and by timeoutMs. Every peer's publish request is a protocol-specific head,
// the value and CRLF, so a subclass only gives its head and counts the acknowledgements in the bytes
// that come back.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Histogram } from '../histogram.js';
import { Pacer } from '../pacer.js';

const CHUNK_BYTES = 64 * 1024;

export interface PublishRun {
  records: number;
  elapsedMs: number;
  latency: Histogram;
  timedOut: boolean;
}

/** A paced run (end-to-end latency): how many records went out and how many the peer acknowledged. */
export interface PacedRun { sent: number; acked: number; timedOut: boolean }

export abstract class PipelinedPublisher {
  protected socket!: net.Socket;
  /** When set, encode() writes performance.now() as float64 LE into the value's first 8 bytes. */
  protected stampSendTime = false;
  private onAcks: ((n: number) => void) | null = null;
  private failure: Error | null = null;

  constructor(
    protected readonly host: string,
    protected readonly port: number,
    /** The bytes before each value (the request line or RESP array header). */
    private readonly head: Buffer,
    protected readonly value: Buffer,
  ) {}

  /** Connects and runs the protocol's handshake. */
  async connect(): Promise<void> {
    this.socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    await new Promise<void>((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('error', reject); });
    this.socket.on('data', (chunk: Buffer) => {
      try {
        const n = this.parse(chunk);
        if (n > 0) this.onAcks?.(n);
      } catch (err) {
        this.failure ??= err as Error;
        this.socket.destroy();
      }
    });
    this.socket.on('close', () => { this.failure ??= new Error(`${this.host}:${this.port} closed the connection`); this.onAcks?.(0); });
    await this.handshake();
  }

  close(): void { this.socket?.destroy(); }

  /** Anything to do before publishing (e.g. create the stream). */
  protected abstract handshake(): Promise<void>;
  /** Bytes of one request: head, value, CRLF. */
  private requestBytes(): number { return this.head.length + this.value.length + 2; }

  /** Writes one request into `out` at `at` (the value stamped with its send time when asked); returns the position after it. */
  private encode(out: Buffer, at: number): number {
    at += this.head.copy(out, at);
    if (this.stampSendTime) {
      this.value.copy(out, at);
      out.writeDoubleLE(performance.now(), at);
      at += this.value.length;
    } else {
      at += this.value.copy(out, at);
    }
    out[at++] = 13;
    out[at++] = 10;
    return at;
  }
  /** Consumes response bytes; returns how many acknowledgements they completed (errors throw). */
  protected abstract parse(chunk: Buffer): number;

  /** Publishes `count` records with at most `window` outstanding. */
  async publish(count: number, window: number, timeoutMs: number): Promise<PublishRun> {
    const latency = new Histogram();
    const sentAt = new Float64Array(count);
    let sent = 0;
    let acked = 0;
    let lastAckAt = 0;
    let wake: (() => void) | null = null;
    this.onAcks = (n) => {
      const now = performance.now();
      for (let k = 0; k < n && acked < sent; k++) latency.record(now - sentAt[acked++]);
      if (n > 0) lastAckAt = now;
      if (wake) { const w = wake; wake = null; w(); }
    };
    const per = this.requestBytes();
    const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, per));
    const started = performance.now();
    const deadline = started + timeoutMs;
    while (acked < count && performance.now() < deadline) {
      if (this.failure) throw this.failure;
      if (sent < count && sent - acked < window) {
        let at = 0;
        const now = performance.now();
        while (sent < count && sent - acked < window && at + per <= chunk.length) {
          sentAt[sent] = now;
          at = this.encode(chunk, at);
          sent++;
        }
        const flushed = this.socket.write(Buffer.from(chunk.subarray(0, at)));
        if (!flushed) await new Promise((resolve) => this.socket.once('drain', resolve));
        else await new Promise((resolve) => setImmediate(resolve));
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(() => { if (wake === resolve) { wake = null; resolve(); } }, Math.max(1, deadline - performance.now())).unref();
        });
      }
    }
    this.onAcks = null;
    return { records: acked, elapsedMs: (lastAckAt || performance.now()) - started, latency, timedOut: acked < count };
  }

  /**
   * Publishes at `ratePerSec` for `durationMs` (record i is due i / rate s after the start; records
   * due together go out in one write), each value stamped with its send time, then waits for the
   * outstanding acknowledgements. Bounded by timeoutMs from the start.
   */
  async publishPaced(ratePerSec: number, durationMs: number, timeoutMs: number): Promise<PacedRun> {
    let sent = 0;
    let acked = 0;
    let wake: (() => void) | null = null;
    this.onAcks = (n) => {
      acked += n;
      if (wake) { const w = wake; wake = null; w(); }
    };
    const per = this.requestBytes();
    const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, per));
    const started = performance.now();
    const pacer = new Pacer(ratePerSec, started);
    const end = started + durationMs;
    const deadline = started + timeoutMs;
    this.stampSendTime = true;
    try {
      for (let now = started; now < end && now < deadline; now = performance.now()) {
        if (this.failure) throw this.failure;
        const due = Math.floor(((now - started) * ratePerSec) / 1000) + 1;
        let at = 0;
        while (sent < due && at + per <= chunk.length) { at = this.encode(chunk, at); sent++; }
        if (at > 0 && !this.socket.write(Buffer.from(chunk.subarray(0, at)))) await new Promise((resolve) => this.socket.once('drain', resolve));
        const waitMs = pacer.waitMs(sent);
        await new Promise((resolve) => (waitMs > 0 ? setTimeout(resolve, waitMs) : setImmediate(resolve)));
      }
      while (acked < sent && performance.now() < deadline) {
        if (this.failure) throw this.failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(() => { if (wake === resolve) { wake = null; resolve(); } }, Math.max(1, deadline - performance.now())).unref();
        });
      }
    } finally {
      this.stampSendTime = false;
      this.onAcks = null;
    }
    return { sent, acked, timedOut: acked < sent };
  }
}
