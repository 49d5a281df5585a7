// TCP server speaking Kafka framing, on one or more listeners (src/broker/listener-plan.ts): PLAINTEXT,
// SSL (TLS), SASL_PLAINTEXT and SASL_SSL. Per connection, requests are handled one at a time in arrival
// order and answered in that order (Kafka's guarantee; clients pipeline). A connection that sends
// garbage -- a bad frame size, an unparsable header or body, an API or version we do not serve -- is
// closed with one log line; the broker and its other connections carry on. Nothing a peer sends may end
// the process: a failure while handling or encoding one request closes that one connection.
//
// Security: a TLS listener wraps each accepted socket in TLS with the current certificate (reloaded when
// its files change: new connections get the new one); with ssl.client.auth a client certificate's subject
// is the principal on an SSL listener. On a SASL listener a connection may send only ApiVersions,
// SaslHandshake and SaslAuthenticate until it has authenticated (src/broker/connection-auth.ts); anything
// else closes it, as Kafka does.
//
// Limits on what peers can make the broker hold: max.connections and max.connections.per.ip at accept;
// connections.max.idle.ms for a silent connection; socket.request.read.timeout.ms for a frame that does
// not arrive whole (a peer trickling a byte a second) and for a TLS handshake; queued.max.request.bytes
// over the frames being received (src/broker/request-memory.ts); and a connection whose responses the
// peer does not read stops being read itself (Kafka mutes the channel), so unsent bytes stay at about one
// response.
import net from 'node:net';
import tls from 'node:tls';
import { SecurityStore } from '../cluster/security-store.js';
import { apiSpec, ApiKey, isFlexible } from '../protocol/api.js';
import { encodeApiVersionsFallback } from '../protocol/messages/api-versions.js';
import { FrameDecoder } from '../protocol/frame.js';
import { API_VERSIONS_KEY, decodeRequestHeader, type RequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { loadTlsOptions, principalOfCertificate, watchTlsFiles, type TlsServerOptions } from '../security/tls-material.js';
import { deferred } from '../util/promise.js';
import { AuditLog } from '../security/audit.js';
import { ConnectionAuth } from './connection-auth.js';
import type { ListenerPlan, PlannedListener } from './listener-plan.js';
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
/** The requests a SASL listener serves before authentication. */
const SASL_PHASE_APIS = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** A listener once bound (port 0 resolved), with where clients are told to dial it. */
export interface BoundListener {
  name: string;
  protocol: PlannedListener['protocol'];
  host: string;
  port: number;
  advertisedHost: string;
  advertisedPort: number;
}

export class Server {
  private readonly servers: { listener: PlannedListener; server: net.Server }[];
  private readonly connections = new Set<ClientConnection>();
  private readonly perIp = new Map<string, number>();
  private readonly memory: RequestMemory;
  /** The SCRAM credentials (only read on SASL listeners). */
  private users: SecurityStore | null = null;
  private readonly refusedAtAccept = new WeakSet<net.Socket>();
  private tlsWatch: { close(): void } | null = null;
  /** Failed TLS handshakes and SASL authentications, rate-limited (src/security/audit.ts). */
  private readonly audit: AuditLog;

  constructor(private readonly state: BrokerState, private readonly handlers: Map<number, Handler>, private readonly plan: ListenerPlan) {
    this.memory = new RequestMemory(state.config.queuedMaxRequestBytes);
    this.audit = state.audit ?? new AuditLog(state.logger);
    this.servers = plan.listeners.map((listener) => ({ listener, server: this.createListenerServer(listener) }));
  }

  private createListenerServer(listener: PlannedListener): net.Server {
    if (!listener.tls) {
      return net.createServer({ noDelay: true }, (socket) => {
        if (this.admit(socket)) this.open(socket, listener, { principal: ANONYMOUS, host: socket.remoteAddress ?? '', listener: listener.name });
      });
    }
    // The secure context is set once the files are read (listen()); rejectUnauthorized stays false so a
    // refused client certificate is logged here rather than dropped silently inside the handshake.
    const server = tls.createServer({
      noDelay: true, rejectUnauthorized: false, requestCert: this.plan.tls?.clientAuth !== 'none',
      handshakeTimeout: this.state.config.socketRequestReadTimeoutMs,
    });
    server.on('connection', (socket: net.Socket) => { this.admit(socket); });
    server.on('secureConnection', (secure: tls.TLSSocket) => this.acceptSecure(secure, listener));
    server.on('tlsClientError', (err: Error, secure: tls.TLSSocket) => {
      if (secure.remoteAddress === undefined || this.refusedAtAccept.has(secure)) return;
      if (this.state.metrics) this.state.metrics.refusedConnections++;
      const hint = tlsHint(err);
      this.audit.authenticationFailed({
        principal: 'unknown', host: `${secure.remoteAddress}:${secure.remotePort}`, mechanism: `TLS handshake on ${listener.name}`,
        reason: hint === undefined ? err.message : `${err.message} (${hint})`,
      });
    });
    return server;
  }

  /** max.connections and max.connections.per.ip, at TCP accept (before any TLS handshake); false: refused. */
  private admit(socket: net.Socket): boolean {
    const c = this.state.config;
    const ip = socket.remoteAddress ?? '';
    const fromIp = this.perIp.get(ip) ?? 0;
    const over = this.connections.size >= c.maxConnections ? `max.connections (${c.maxConnections})`
      : fromIp >= c.maxConnectionsPerIp ? `max.connections.per.ip (${c.maxConnectionsPerIp})` : null;
    if (over !== null) {
      if (this.state.metrics) this.state.metrics.refusedConnections++;
      this.state.logger.warn('connection refused', { peer: `${ip}:${socket.remotePort}`, reason: `${over} reached` });
      this.refusedAtAccept.add(socket);
      socket.on('error', () => { /* reset by peer: nothing to do */ });
      socket.destroy();
      return false;
    }
    this.perIp.set(ip, fromIp + 1);
    socket.once('close', () => {
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
    return true;
  }

  /** A TLS connection whose handshake completed: check the client certificate, then serve it. */
  private acceptSecure(secure: tls.TLSSocket, listener: PlannedListener): void {
    const session: Session = { principal: ANONYMOUS, host: secure.remoteAddress ?? '', listener: listener.name };
    const cert = secure.getPeerX509Certificate();
    if (this.state.config.security.ssl.clientAuth === 'required' && (!secure.authorized || cert === undefined)) {
      if (this.state.metrics) this.state.metrics.refusedConnections++;
      this.audit.authenticationFailed({
        principal: 'unknown', host: `${secure.remoteAddress}:${secure.remotePort}`, mechanism: `TLS client certificate on ${listener.name}`,
        reason: cert === undefined ? 'no certificate (ssl.client.auth=required)' : `certificate refused: ${String(secure.authorizationError)}`,
      });
      secure.on('error', () => { /* closing */ });
      secure.destroy();
      return;
    }
    // On an SSL listener a verified client certificate names the principal; on SASL_SSL, SASL does.
    if (listener.mechanisms.length === 0 && secure.authorized && cert !== undefined) session.principal = principalOfCertificate(cert);
    this.open(secure, listener, session);
  }

  private open(socket: net.Socket, listener: PlannedListener, session: Session): void {
    const auth = listener.mechanisms.length === 0 ? null : new ConnectionAuth(session, {
      mechanisms: listener.mechanisms,
      users: this.users ??= new SecurityStore(this.state.authority.store),
      maxReauthMs: this.state.config.security.connectionsMaxReauthMs,
      onFailure: ({ mechanism, reason }) => this.audit.authenticationFailed({
        principal: 'unknown', host: `${session.host}:${socket.remotePort}`, mechanism: `${mechanism ?? 'SASL'} on ${listener.name}`, reason,
      }),
    });
    const conn = new ClientConnection(socket, this.state, this.handlers, this.memory, listener, session, auth, () => this.connections.delete(conn));
    this.connections.add(conn);
  }

  /** The requests being handled right now, for the log line of an error that escaped them. */
  inFlightRequests(): string[] {
    return [...this.connections].flatMap((c) => (c.inFlight === null ? [] : [c.inFlight]));
  }

  /** Loads the TLS material (when a listener uses TLS) and binds every listener; closes what bound if one fails. */
  async listen(): Promise<BoundListener[]> {
    if (this.plan.tls !== null) {
      const settings = this.plan.tls;
      const tlsServers = this.servers.filter((s) => s.listener.tls).map((s) => s.server as tls.Server);
      const apply = (options: TlsServerOptions): void => {
        for (const server of tlsServers) server.setSecureContext(options);
      };
      const options = await loadTlsOptions(settings);
      apply(options);
      this.tlsWatch = watchTlsFiles(settings, (next) => {
        apply(next);
        this.state.logger.info('TLS certificate reloaded', { certificate: settings.certificateLocation });
      }, (err) => this.state.logger.warn('TLS certificate files changed but do not load; still serving the previous ones', { error: err.message }));
    }
    const bound: BoundListener[] = [];
    try {
      for (const { listener, server } of this.servers) {
        const at = await listenOn(server, listener.host, listener.port);
        bound.push({
          name: listener.name, protocol: listener.protocol, host: at.host, port: at.port,
          advertisedHost: listener.advertisedHost,
          // An advertised port 0 (or an unset one on a port-0 listener) is the port the system gave.
          advertisedPort: listener.advertisedPort === 0 ? at.port : listener.advertisedPort,
        });
      }
    } catch (err) {
      await this.close(0);
      const failed = this.servers[bound.length].listener;
      Object.assign(err as object, { listener: failed });
      throw err;
    }
    return bound;
  }

  /** Stops accepting, lets each connection finish the requests it has, then closes it. */
  async close(graceMs = 5000): Promise<void> {
    this.tlsWatch?.close();
    this.tlsWatch = null;
    const closed = this.servers.map(({ server }) => new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    }));
    await Promise.all([...this.connections].map((c) => c.drainAndClose(graceMs)));
    await Promise.all(closed);
  }
}

function listenOn(server: net.Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address() as net.AddressInfo;
      resolve({ host: addr.address, port: addr.port });
    });
  });
}

/** What to tell the operator about a failed TLS handshake, where the error says something common. */
function tlsHint(err: Error): string | undefined {
  const m = err.message;
  if (/wrong version number|http request|unknown protocol/i.test(m)) return 'the client does not speak TLS: set its security.protocol to SSL or SASL_SSL, or connect it to a PLAINTEXT listener';
  if (/certificate/i.test(m)) return 'the client refused or did not present a certificate: check ssl.ca.location on the client and ssl.client.auth here';
  return undefined;
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
  /** "Api vN correlation C from PEER" while a request of this connection is being handled. */
  inFlight: string | null = null;
  private seenBytes = false;
  /** Set by a handler that refused something it cannot answer (RequestContext.closeAfterResponse). */
  private closeAfterResponse: string | null = null;
  /** RequestContext.closeAfterResponse, made once rather than per request. */
  private readonly closeAfterThisResponse = (reason: string): void => { this.closeAfterResponse = reason; };

  constructor(
    private readonly socket: net.Socket,
    private readonly state: BrokerState,
    private readonly handlers: Map<number, Handler>,
    private readonly memory: RequestMemory,
    private readonly listener: PlannedListener,
    private readonly session: Session,
    private readonly auth: ConnectionAuth | null,
    onClose: () => void,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
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
    if (!this.seenBytes) {
      this.seenBytes = true;
      // A TLS ClientHello (record type 22, version 3.x) on a listener without TLS: say so, not "frame too large".
      if (!this.listener.tls && chunk.length >= 2 && chunk[0] === 0x16 && chunk[1] === 0x03) {
        this.refuse(`TLS handshake on ${this.listener.protocol} listener ${this.listener.name}: the client uses security.protocol=SSL or SASL_SSL; point it at a TLS listener or set it to ${this.listener.protocol}`);
        return;
      }
    }
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
    if (this.auth?.rawTokens) {
      await this.handleRawToken(frame);
      return;
    }
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
    if (this.auth !== null && !SASL_PHASE_APIS.has(apiKey)) {
      const why = this.auth.refusal(Date.now());
      if (why !== null) {
        this.refuse(`${spec.name} ${why} on ${this.listener.protocol} listener ${this.listener.name} (${this.session.principal})`);
        return;
      }
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
      const pending = handler(request, {
        header, peer: this.peer, broker: this.state, session: this.session, auth: this.auth,
        closeAfterResponse: this.closeAfterThisResponse,
      });
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
    if (this.closeAfterResponse !== null && response === null) {
      // No response to carry the refusal (Produce with acks=0): closing the connection is how the client learns of it.
      this.state.logger.warn('closing connection', { peer: this.peer, reason: this.closeAfterResponse });
      this.closeAfterWrites();
      return;
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
    if (this.auth?.failed) this.closeAfterWrites();
  }

  /** After SaslHandshake v0: a bare token frame in, a bare token frame out (no header either way). */
  private async handleRawToken(token: Buffer): Promise<void> {
    let reply: Buffer;
    try {
      ({ reply } = await this.auth!.authenticate(token, Date.now()));
    } catch {
      this.closeAfterWrites(); // logged by the authenticator's failure hook; v0 has no way to say why
      return;
    }
    const head = Buffer.allocUnsafe(4);
    head.writeInt32BE(reply.length, 0);
    this.socket.write(Buffer.concat([head, reply]));
  }

  /** Sends what is written, then closes (a failed authentication's answer must reach the client). */
  private closeAfterWrites(): void {
    this.closing = true;
    this.queue.length = 0;
    this.clearReadTimer();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
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
