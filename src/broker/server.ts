// TCP server speaking Kafka framing. Per connection, requests are handled one at a time in arrival
// order and answered in that order (Kafka's guarantee; clients pipeline). A connection that sends
// garbage -- a bad frame size, an unparsable header or body, an API or version we do not serve -- is
// closed with one log line; the broker and its other connections carry on. Nothing a peer sends may end
// the process: a failure while handling or encoding one request closes that one connection.
//
// Limits on what peers can make the broker hold: max.connections and max.connections.per.ip at accept;
// connections.max.idle.ms for a silent connection; socket.request.read.timeout.ms for a frame that does
// not arrive whole (a peer trickling a byte a second); queued.max.request.bytes over the frames being
// received (src/broker/request-memory.ts); and a connection whose responses the peer does not
// read stops being read itself (Kafka mutes the channel), so unsent bytes stay at about one response.
import net from 'node:net';
import { apiSpec, isFlexible } from '../protocol/api.js';
import { encodeApiVersionsFallback } from '../protocol/messages/api-versions.js';
import { FrameDecoder } from '../protocol/frame.js';
import { API_VERSIONS_KEY, decodeRequestHeader, type RequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { deferred } from '../util/promise.js';
import { ANONYMOUS, type BrokerState, type Handler, type Session } from './request-context.js';

import { RequestMemory, type RequestMemoryUser } from './request-memory.js';
import { ConnectionHold, quotaThrottleMs } from './throttle.js';

const PAUSE_AT_QUEUED = 32;
const RESUME_AT_QUEUED = 8;
/** A response frame's Size is an INT32. */
const MAX_FRAME_BYTES = 2 ** 31 - 1;
/** The tagged-field section of a response header v1, with none. */
const EMPTY_TAGGED_FIELDS = Buffer.from([0]);
/**
 * Most array elements one request may decode over all its arrays (src/protocol/reader.ts): every list a
 * client sends stays far below, and a 10 MB frame of empty names can no longer become millions of objects.
 */
export const MAX_REQUEST_ELEMENTS = 200_000;

export class Server {
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();
  private readonly perIp = new Map<string, number>();
  private readonly memory: RequestMemory;

  constructor(private readonly state: BrokerState, private readonly handlers: Map<number, Handler>) {
    this.memory = new RequestMemory(state.config.queuedMaxRequestBytes);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  private accept(socket: net.Socket): void {
    const c = this.state.config;
    const ip = socket.remoteAddress ?? '';
    const fromIp = this.perIp.get(ip) ?? 0;
    const over = this.connections.size >= c.maxConnections ? `max.connections (${c.maxConnections})`
      : fromIp >= c.maxConnectionsPerIp ? `max.connections.per.ip (${c.maxConnectionsPerIp})` : null;
    if (over !== null) {
      if (this.state.metrics) this.state.metrics.refusedConnections++;
      this.state.logger.warn('connection refused', { peer: `${ip}:${socket.remotePort}`, reason: `${over} reached` });
      socket.on('error', () => { /* reset by peer: nothing to do */ });
      socket.destroy();
      return;
    }
    this.perIp.set(ip, fromIp + 1);
    const conn = new ClientConnection(socket, this.state, this.handlers, this.memory, () => {
      this.connections.delete(conn);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
    this.connections.add(conn);
  }

  /** The requests being handled right now, for the log line of an error that escaped them. */
  inFlightRequests(): string[] {
    return [...this.connections].flatMap((c) => (c.inFlight === null ? [] : [c.inFlight]));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as net.AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stops accepting, lets each connection finish the requests it has, then closes it. */
  async close(graceMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drainAndClose(graceMs)));
    await closed;
  }
}

class ClientConnection implements RequestMemoryUser {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closing = false;
  private readonly idle = deferred<void>();
  /** Why reading is paused, if it is: too many queued frames, an unsent response, a full request pool, a quota. */
  private readonly pausedFor = new Set<PauseReason>();
  /** Client quotas (src/broker/throttle.ts): how long to hold the connection after the last response. */
  private throttleMs = 0;
  private readonly hold = new ConnectionHold();
  private readTimer: NodeJS.Timeout | null = null;
  readonly peer: string;
  readonly session: Session;
  /** "Api vN correlation C from PEER" while a request of this connection is being handled. */
  inFlight: string | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly state: BrokerState,
    private readonly handlers: Map<number, Handler>,
    private readonly memory: RequestMemory,
    onClose: () => void,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.session = { principal: ANONYMOUS, host: socket.remoteAddress ?? '', listener: 'PLAINTEXT' };
    this.decoder = new FrameDecoder(state.config.socketRequestMaxBytes);
    socket.setTimeout(state.config.connectionsMaxIdleMs);
    socket.on('timeout', () => this.onIdle());
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => { /* reset by peer etc.: 'close' follows */ });
    socket.on('close', () => {
      // A peer that goes away in the middle of a frame sent a truncated request: say so once.
      if (!this.closing && this.decoder.buffered > 0) {
        this.state.logger.warn('connection closed mid-request', { peer: this.peer, bytesReceived: this.decoder.buffered });
      }
      this.closing = true;
      this.queue.length = 0;
      this.clearReadTimer();
      this.memory.release(this);
      this.hold.release();
      this.idle.resolve();
      onClose();
    });
  }

  mute(): void { this.pause('memory'); }
  unmute(): void { this.resume('memory'); }

  private pause(why: PauseReason): void {
    this.pausedFor.add(why);
    this.socket.pause();
  }

  private resume(why: PauseReason): void {
    this.pausedFor.delete(why);
    if (this.pausedFor.size === 0 && !this.closing && !this.socket.destroyed) this.socket.resume();
  }

  private onIdle(): void {
    // No bytes either way for connections.max.idle.ms. A request parked in its handler (a long poll)
    // is not idleness: look again after another period. A peer that has not read our response for
    // that long is (Kafka closes such a muted channel too).
    if (this.closing) return;
    const notReading = this.pausedFor.has('unsent');
    if (!notReading && (this.processing || this.queue.length > 0)) {
      this.socket.setTimeout(this.state.config.connectionsMaxIdleMs);
      return;
    }
    this.refuse(notReading
      ? `response not read for connections.max.idle.ms (${this.state.config.connectionsMaxIdleMs} ms)`
      : `idle for connections.max.idle.ms (${this.state.config.connectionsMaxIdleMs} ms)`);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.refuse((err as Error).message);
      return;
    }
    this.memory.set(this, this.decoder.pendingFrameBytes, this.decoder.buffered);
    this.watchPartialFrame(frames.length > 0);
    if (frames.length === 0) return;
    this.queue.push(...frames);
    if (this.queue.length >= PAUSE_AT_QUEUED) this.pause('queue');
    if (!this.processing) void this.process();
  }

  /**
   * socket.request.read.timeout.ms, from the first byte of a frame: a frame still not whole by then
   * closes the connection (whatever the pace the peer sends at, it cannot hold a frame open for ever).
   */
  private watchPartialFrame(completedOne: boolean): void {
    if (this.decoder.buffered === 0 || completedOne) this.clearReadTimer();
    if (this.decoder.buffered === 0 || this.readTimer !== null) return;
    const timeoutMs = this.state.config.socketRequestReadTimeoutMs;
    this.readTimer = setTimeout(() => {
      this.readTimer = null;
      if (this.closing || this.decoder.buffered === 0) return;
      this.refuse(`request not received whole within socket.request.read.timeout.ms (${timeoutMs} ms): ${this.decoder.buffered} bytes so far`);
    }, timeoutMs);
    this.readTimer.unref();
  }

  private clearReadTimer(): void {
    if (this.readTimer !== null) clearTimeout(this.readTimer);
    this.readTimer = null;
  }

  /** Handles queued frames in order; never rejects (it runs as `void this.process()`). */
  private async process(): Promise<void> {
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        const frame = this.queue.shift()!;
        if (this.queue.length <= RESUME_AT_QUEUED) this.resume('queue');
        await this.handleFrame(frame);
        if (this.throttleMs > 0) {
          // Over a client quota: the response is sent; read nothing more from this client until it has waited.
          this.pause('throttle');
          await this.hold.wait(this.throttleMs);
          this.throttleMs = 0;
          this.resume('throttle');
        }
        if (this.socket.writableNeedDrain) {
          // The peer is not reading what we send: stop reading it until it does.
          this.pause('unsent');
          await new Promise<void>((resolve) => {
            const done = (): void => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
            this.socket.on('drain', done);
            this.socket.on('close', done);
          });
          this.resume('unsent');
        }
      }
    } catch (err) {
      this.state.logger.error('closing connection', { peer: this.peer, reason: 'request processing failed', request: this.inFlight, error: (err as Error)?.stack ?? String(err) });
      this.closing = true;
      this.queue.length = 0;
      this.socket.destroy();
    } finally {
      this.inFlight = null;
      this.processing = false;
      if (this.closing) this.idle.resolve();
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (frame.length < 8) {
      this.refuse(`request of ${frame.length} bytes is shorter than a request header`);
      return;
    }
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const spec = apiSpec(apiKey);
    const handler = this.handlers.get(apiKey);
    if (!spec || !handler || apiVersion < spec.minVersion || apiVersion > spec.maxVersion) {
      // Like Kafka, answer an ApiVersions we cannot parse from its first 8 bytes alone, in v0 form,
      // so the client retries with a version we serve (librdkafka starts with v3).
      if (apiKey === API_VERSIONS_KEY) {
        this.respond(frame.readInt32BE(4), [encodeApiVersionsFallback()]);
        return;
      }
      const what = spec ? `${spec.name} v${apiVersion} (supported: v${spec.minVersion}-v${spec.maxVersion})` : `API key ${apiKey}`;
      this.refuse(`unsupported request ${what}`);
      return;
    }
    const r = new Reader(frame);
    r.elementBudget = MAX_REQUEST_ELEMENTS;
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(r, isFlexible(spec, apiVersion));
    } catch (err) {
      this.refuse(`unreadable request header: ${(err as Error).message}`);
      return;
    }
    const what = `${spec.name} v${header.apiVersion} correlation ${header.correlationId} from ${this.peer}`;
    this.inFlight = what;
    let request: unknown;
    try {
      request = spec.request.decode(r, header.apiVersion);
    } catch (err) {
      this.refuse(`malformed ${spec.name} v${header.apiVersion} request: ${(err as Error).message}`);
      return;
    }
    let response: unknown;
    const startedMs = performance.now();
    const quotas = this.state.quotas;
    let loopMs = 0;
    try {
      const pending = handler(request, { header, peer: this.peer, broker: this.state, session: this.session });
      if (quotas && !quotas.empty) loopMs = performance.now() - startedMs;
      response = await pending;
    } catch (err) {
      this.state.metrics?.recordRequest(apiKey, (performance.now() - startedMs) / 1000, true);
      this.state.logger.error('request failed', { api: spec.name, peer: this.peer, error: (err as Error).stack ?? String(err) });
      this.socket.destroy();
      return;
    }
    this.state.metrics?.recordRequest(apiKey, (performance.now() - startedMs) / 1000, hasTopLevelError(response));
    if (quotas && !quotas.empty && !this.socket.destroyed) {
      this.throttleMs = quotaThrottleMs(quotas, this.state.metrics, {
        apiKey, principal: this.session.principal, clientId: header.clientId, request, response, requestBytes: frame.length, loopMs,
      }, Date.now());
    }
    if (response === null || this.socket.destroyed) return;
    let body: Buffer[];
    try {
      const w = new Writer(1024);
      spec.response.encode(w, response, header.apiVersion);
      body = w.toChunks();
    } catch (err) {
      // A value the wire cannot carry (a string over 32,767 bytes, a count past INT32): the bug is ours,
      // the cost is this one connection.
      this.refuse(`${what}: the response could not be encoded: ${(err as Error).message}`);
      return;
    }
    this.inFlight = null;
    // Response header v1 (an empty tagged-field section) for flexible versions; ApiVersions keeps v0.
    if (isFlexible(spec, header.apiVersion) && apiKey !== API_VERSIONS_KEY) body.unshift(EMPTY_TAGGED_FIELDS);
    this.respond(header.correlationId, body);
  }

  /** Writes one response frame: Size, CorrelationId, body chunks (a v1 header's tags lead the body); sized first. */
  private respond(correlationId: number, body: Buffer[]): void {
    let size = 4;
    for (const b of body) size += b.length;
    if (size > MAX_FRAME_BYTES) {
      this.refuse(`response of ${size} bytes is larger than a frame can be (${MAX_FRAME_BYTES})`);
      return;
    }
    const head = Buffer.allocUnsafe(8);
    head.writeInt32BE(size, 0);
    head.writeInt32BE(correlationId, 4);
    this.socket.cork();
    this.socket.write(head);
    for (const b of body) this.socket.write(b);
    process.nextTick(() => this.socket.uncork());
  }

  private refuse(reason: string): void {
    if (this.state.metrics) this.state.metrics.refusedConnections++;
    this.state.logger.warn('closing connection', { peer: this.peer, reason });
    this.closing = true;
    this.queue.length = 0;
    this.clearReadTimer();
    this.socket.destroy();
  }

  /** Finishes the queued requests (up to graceMs), then closes. */
  async drainAndClose(graceMs: number): Promise<void> {
    this.closing = true;
    this.socket.pause();
    this.hold.release();
    if (!this.processing) this.idle.resolve();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    await this.idle.promise;
    clearTimeout(timer);
    // Flush what is written, then close without waiting for the peer's FIN (reading is paused).
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) { resolve(); return; }
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
      this.socket.end(() => this.socket.destroy());
    });
  }
}

type PauseReason = 'queue' | 'unsent' | 'memory' | 'throttle';

/** A response whose top-level ErrorCode is set counts as a failed request in the metrics. */
function hasTopLevelError(response: unknown): boolean {
  return response !== null && typeof response === 'object' && ((response as { errorCode?: number }).errorCode ?? 0) !== 0;
}
