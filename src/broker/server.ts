// TCP server speaking Kafka framing. Per connection, requests are handled one at a time in arrival
// order and answered in that order (Kafka's guarantee; clients pipeline). A connection that sends
// garbage -- a bad frame size, an unparsable header or body, an API or version we do not serve -- is
// closed with one log line; the broker and its other connections carry on.
import net from 'node:net';
import { apiSpec } from '../protocol/api.js';
import { encodeApiVersionsFallback } from '../protocol/messages/api-versions.js';
import { FrameDecoder } from '../protocol/frame.js';
import { API_VERSIONS_KEY, decodeRequestHeader, type RequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { deferred } from '../util/promise.js';
import type { BrokerState, Handler } from './request-context.js';

const PAUSE_AT_QUEUED = 32;
const RESUME_AT_QUEUED = 8;

export class Server {
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();

  constructor(private readonly state: BrokerState, private readonly handlers: Map<number, Handler>) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const conn = new ClientConnection(socket, state, handlers, () => this.connections.delete(conn));
      this.connections.add(conn);
    });
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

class ClientConnection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closing = false;
  private readonly idle = deferred<void>();
  readonly peer: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly state: BrokerState,
    private readonly handlers: Map<number, Handler>,
    onClose: () => void,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new FrameDecoder(state.config.socketRequestMaxBytes);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => { /* reset by peer etc.: 'close' follows */ });
    socket.on('close', () => {
      // A peer that goes away in the middle of a frame sent a truncated request: say so once.
      if (!this.closing && this.decoder.buffered > 0) {
        this.state.logger.warn('connection closed mid-request', { peer: this.peer, bytesReceived: this.decoder.buffered });
      }
      this.closing = true;
      this.queue.length = 0;
      this.idle.resolve();
      onClose();
    });
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
    if (frames.length === 0) return;
    this.queue.push(...frames);
    if (this.queue.length >= PAUSE_AT_QUEUED) this.socket.pause();
    if (!this.processing) void this.process();
  }

  private async process(): Promise<void> {
    this.processing = true;
    while (this.queue.length > 0 && !this.socket.destroyed) {
      const frame = this.queue.shift()!;
      if (this.queue.length <= RESUME_AT_QUEUED && this.socket.isPaused() && !this.closing) this.socket.resume();
      await this.handleFrame(frame);
      if (this.socket.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          const done = (): void => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
          this.socket.on('drain', done);
          this.socket.on('close', done);
        });
      }
    }
    this.processing = false;
    if (this.closing) this.idle.resolve();
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
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(r);
    } catch (err) {
      this.refuse(`unreadable request header: ${(err as Error).message}`);
      return;
    }
    let request: unknown;
    try {
      request = spec.request.decode(r, header.apiVersion);
    } catch (err) {
      this.refuse(`malformed ${spec.name} v${header.apiVersion} request: ${(err as Error).message}`);
      return;
    }
    let response: unknown;
    const startedMs = performance.now();
    try {
      response = await handler(request, { header, peer: this.peer, broker: this.state });
    } catch (err) {
      this.state.metrics?.recordRequest(apiKey, (performance.now() - startedMs) / 1000, true);
      this.state.logger.error('request failed', { api: spec.name, peer: this.peer, error: (err as Error).stack ?? String(err) });
      this.socket.destroy();
      return;
    }
    this.state.metrics?.recordRequest(apiKey, (performance.now() - startedMs) / 1000, hasTopLevelError(response));
    if (response === null || this.socket.destroyed) return;
    const w = new Writer(1024);
    spec.response.encode(w, response, header.apiVersion);
    this.respond(header.correlationId, w.toChunks());
  }

  /** Writes one response frame: Size, CorrelationId (response header v0), body chunks. */
  private respond(correlationId: number, body: Buffer[]): void {
    let size = 4;
    for (const b of body) size += b.length;
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
    this.socket.destroy();
  }

  /** Finishes the queued requests (up to graceMs), then closes. */
  async drainAndClose(graceMs: number): Promise<void> {
    this.closing = true;
    this.socket.pause();
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

/** A response whose top-level ErrorCode is set counts as a failed request in the metrics. */
function hasTopLevelError(response: unknown): boolean {
  return response !== null && typeof response === 'object' && ((response as { errorCode?: number }).errorCode ?? 0) !== 0;
}
