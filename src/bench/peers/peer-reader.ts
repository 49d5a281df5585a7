// The common shape of the peer readers in `bench/compare.sh`: one TCP connection on which the peer
// delivers stored records. Two uses:
//   readAll - consume throughput: read `count` records from the stream's start, as fast as the peer
//             hands them out (each subclass asks for batches and asks again as they complete);
//   follow  - end-to-end latency: hand every newly stored record's value to a callback until close().
// Subclasses parse the peer's text protocol and call deliver() once per record value. Every wait is
// bounded by a deadline; a protocol error or a closed connection fails the run.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ReadRun {
  records: number;
  elapsedMs: number;
  timedOut: boolean;
}

/** Called with the buffer holding a record's value and the value's start and end in it. */
export type OnValue = (buf: Buffer, start: number, end: number) => void;

export abstract class PeerReader {
  protected socket!: net.Socket;
  protected received = 0;
  private failure: Error | null = null;
  private closing = false;
  private wake: (() => void) | null = null;
  private lastDeliveryAt = 0;
  private onValue: OnValue | null = null;

  constructor(protected readonly host: string, protected readonly port: number) {}

  async connect(): Promise<void> {
    this.socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    await new Promise<void>((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('error', reject); });
    this.socket.on('error', () => undefined); // reported through 'close'
    this.socket.on('data', (chunk: Buffer) => {
      const before = this.received;
      try {
        this.parse(chunk);
      } catch (err) {
        this.failure ??= err as Error;
        this.socket.destroy();
      }
      if (this.received !== before) this.lastDeliveryAt = performance.now();
      this.notify();
    });
    this.socket.on('close', () => {
      if (!this.closing) this.failure ??= new Error(`${this.host}:${this.port} closed the connection`);
      this.notify();
    });
    await this.handshake();
  }

  close(): void {
    this.closing = true;
    this.socket?.destroy();
  }

  /** Anything to do once connected (e.g. a protocol greeting). */
  protected abstract handshake(): Promise<void>;
  /** Consumes delivered bytes, calling deliver() once per record (errors throw). */
  protected abstract parse(chunk: Buffer): void;
  /** Starts the deliveries: 'all' from the stream's start (at least `count` records), 'new' as they arrive. */
  protected abstract start(mode: 'all' | 'new', count: number): Promise<void>;

  protected deliver(buf: Buffer, start: number, end: number): void {
    this.received++;
    this.onValue?.(buf, start, end);
  }

  protected fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
  }

  /** Waits until `done()` holds, the connection fails, or the deadline passes; false on the deadline. */
  protected async until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      if (this.failure) throw this.failure;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(() => { if (this.wake === resolve) { this.wake = null; resolve(); } }, left).unref();
      });
    }
    return true;
  }

  /** Reads `count` records from the stream's start; timed from the first request to the last record. */
  async readAll(count: number, timeoutMs: number): Promise<ReadRun> {
    this.received = 0;
    const started = performance.now();
    await this.start('all', count);
    const done = await this.until(() => this.received >= count, started + timeoutMs);
    return { records: Math.min(this.received, count), elapsedMs: (this.lastDeliveryAt || performance.now()) - started, timedOut: !done };
  }

  /** Hands each new record's value to `onValue` until close(). */
  async follow(onValue: OnValue): Promise<void> {
    this.onValue = onValue;
    await this.start('new', 0);
  }

  /** How many records were delivered since readAll/follow started. */
  get deliveredCount(): number { return this.received; }

  /** Waits until `n` records were delivered (follow), at most until `deadline`; false on the deadline. */
  waitForDelivered(n: number, deadline: number): Promise<boolean> {
    return this.until(() => this.received >= n, deadline);
  }
}
