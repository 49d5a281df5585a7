// One TCP connection to a broker. Requests are pipelined: many may be in flight, each matched to its
// response by correlation id (the broker answers in order, but matching by id keeps us honest).
//
//   request frame  := Size INT32, RequestHeader v1, Body       (header.ts, body = the API's request struct)
//   response frame := Size INT32, CorrelationId INT32, Body    (response header v0, body = response struct)
// (a flexible version has RequestHeader v2 and response header v1: each adds a tagged-field section)
//
// Writes are coalesced per tick: frames queued in the same tick go out under one cork()/uncork(), so a
// burst of requests becomes one writev. A request that outlives its timeout rejects with
// REQUEST_TIMED_OUT; its late response, if any, is dropped. When the socket fails or closes, every
// request in flight rejects with a retriable NETWORK_EXCEPTION.
//
// Security (ConnectionOptions.security, librdkafka's settings): SSL and SASL_SSL dial with TLS
// (tls-connect.ts). SASL_PLAINTEXT and SASL_SSL authenticate before anything else is sent: once the
// connection is up, ApiVersions (does the listener offer SASL?), then SaslHandshake + SaslAuthenticate
// (sasl-client.ts); requests made meanwhile wait. When the broker grants a session lifetime, the
// connection re-authenticates at 85% of it (KIP-368), again holding new requests until it is done.
// Authentication failures are fatal (not retriable), as in librdkafka.
import net from 'node:net';
import tls from 'node:tls';
import type { Codec } from '../protocol/codec.js';
import { FrameDecoder } from '../protocol/frame.js';
import { skipTaggedFields } from '../protocol/flexible.js';
import { API_VERSIONS_KEY, encodeRequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { ApiKey } from '../protocol/api.js';
import type { ApiVersionsResponse } from '../protocol/messages/api-versions.js';
import { MqError } from '../util/mq-error.js';
import { deferred, type Deferred } from '../util/promise.js';
import { apiSchemas, type ApiSchemas } from './api-schemas.js';
import { authenticateSasl, type SaslRequest } from './sasl-client.js';
import type { ClientSecurity } from './security-options.js';
import { tlsConnectOptions, tlsError } from './tls-connect.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId?: string;
  /** Default for request(); default 30000. */
  requestTimeoutMs?: number;
  /** TCP connection establishment; default 5000. */
  connectTimeoutMs?: number;
  /** Largest response frame accepted; default 256 MiB. */
  maxFrameBytes?: number;
  /** Codecs per API key; defaults to the protocol registry. Tests inject their own. */
  schemas?: ApiSchemas;
  /** TLS and SASL settings (security.protocol and the rest); plaintext when absent. */
  security?: ClientSecurity;
}

/** Re-authenticate once this share of the session lifetime has passed (Kafka's clients pick 85-95%). */
const REAUTH_AT = 0.85;

interface InFlight {
  apiKey: number;
  version: number;
  codec: Codec<unknown>;
  /** Response header v1: tagged fields before the body. */
  flexible: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | null;
  /** Set when the caller gave up (timeout); the response is then read and dropped. */
  abandoned: boolean;
}

const CONNECT_HINT = 'Is a broker running there? Start one with `mq broker start`, or point -b/--bootstrap at one.';
const MAX_CORRELATION_ID = 0x7fffffff;

export class Connection {
  readonly host: string;
  readonly port: number;
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly schemas: ApiSchemas;
  private readonly socket: net.Socket | tls.TLSSocket;
  private readonly security: ClientSecurity | undefined;
  /** The TCP connection is up (for TLS: the handshake may still be running). */
  private tcpConnected = false;
  /** Resolves once usable (TLS handshake done); rejects with the failure. */
  private readonly opened = deferred<void>();
  /** Set while SASL runs (first time or re-authentication): requests wait for it. */
  private authGate: Deferred<void> | null = null;
  /** SASL has succeeded once on this connection. */
  private authenticated = false;
  private reauthTimer: NodeJS.Timeout | null = null;
  /** A response other than ApiVersions arrived (the listener accepts us). */
  private answered = false;
  private readonly decoder: FrameDecoder;
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 0;
  private outbox: { chunks: Buffer[]; onWritten?: (err?: Error | null) => void }[] = [];
  private flushScheduled = false;
  private connected = false;
  private failure: MqError | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private readonly closedPromise: Promise<void>;

  constructor(opts: ConnectionOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.clientId = opts.clientId ?? 'mq';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.schemas = opts.schemas ?? apiSchemas;
    this.decoder = new FrameDecoder(opts.maxFrameBytes ?? 256 * 1024 * 1024, { preallocate: true });
    const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.security = opts.security;
    const protocol = this.security?.protocol ?? 'PLAINTEXT';
    const useTls = protocol === 'SSL' || protocol === 'SASL_SSL';
    if (useTls && !this.security?.tls) throw new MqError('INVALID_CONFIG', `security.protocol ${protocol} needs its TLS settings`);
    if (protocol.startsWith('SASL_') && !this.security?.sasl) throw new MqError('INVALID_CONFIG', `security.protocol ${protocol} needs sasl.username and sasl.password`);
    this.opened.promise.catch(() => undefined);
    if (this.security?.sasl) this.holdRequests();

    // tlsConnectOptions throws (INVALID_CONFIG) before any socket exists when a file cannot be used.
    this.socket = useTls ? tls.connect(tlsConnectOptions(this.security!.tls!, opts.host, opts.port)) : net.connect({ host: opts.host, port: opts.port });
    this.socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.connectTimer = setTimeout(() => {
      this.fail(this.tcpConnected
        ? new MqError('NETWORK_EXCEPTION', `TLS handshake with ${this.address} timed out after ${connectTimeoutMs} ms: is security.protocol right for this listener?`, { retriable: true })
        : this.connectError(`timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    this.socket.once('connect', () => { this.tcpConnected = true; });
    this.socket.once(useTls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.clearConnectTimer();
      this.opened.resolve();
      if (this.security?.sasl) void this.authenticate();
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.errorFor(err)));
    this.socket.on('close', () => this.fail(this.closeError()));
  }

  /** "host:port" */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once the socket failed or was closed; a closed connection never reopens. */
  get closed(): boolean {
    return this.failure !== null;
  }

  /** Resolves once the connection is up (TLS handshake and SASL done); rejects with the connection error. */
  async ready(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.opened.promise;
    if (this.authGate) await this.authGate.promise;
  }

  /** Sends a request and resolves with the decoded response body (after SASL, when it is running). */
  request<Res>(apiKey: number, version: number, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.authGate) return this.authGate.promise.then(() => this.request<Res>(apiKey, version, body, opts));
    return this.sendRequest<Res>(apiKey, version, body, opts);
  }

  /** request() without waiting for SASL: the SASL exchange itself uses it. */
  private sendRequest<Res>(apiKey: number, version: number, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    let schema: ReturnType<ApiSchemas>;
    let correlationId: number;
    let chunks: Buffer[];
    try {
      schema = this.schemas(apiKey);
      correlationId = this.takeCorrelationId();
      chunks = this.encodeFrame(apiKey, version, correlationId, schema.request, body, isFlexible(schema.flexibleFrom, version));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Res>((resolve, reject) => {
      const entry: InFlight = {
        apiKey, version, codec: schema.response, flexible: isFlexible(schema.flexibleFrom, version) && apiKey !== API_VERSIONS_KEY,
        resolve: resolve as (v: unknown) => void, reject, timer: null, abandoned: false,
      };
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      entry.timer = setTimeout(() => {
        entry.timer = null;
        entry.abandoned = true;
        reject(new MqError('REQUEST_TIMED_OUT', `request ${apiKey} v${version} to ${this.address} timed out after ${timeoutMs} ms`, { retriable: true }));
      }, timeoutMs);
      this.inFlight.set(correlationId, entry);
      this.enqueue(chunks);
    });
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once written to the socket. */
  send(apiKey: number, version: number, body: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.authGate) return this.authGate.promise.then(() => this.send(apiKey, version, body));
    let chunks: Buffer[];
    try {
      const schema = this.schemas(apiKey);
      chunks = this.encodeFrame(apiKey, version, this.takeCorrelationId(), schema.request, body, isFlexible(schema.flexibleFrom, version));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.enqueue(chunks, (err) => (err ? reject(this.failure ?? this.errorFor(err)) : resolve()));
    });
  }

  /** Closes the socket; requests still in flight reject with NETWORK_EXCEPTION. */
  async close(): Promise<void> {
    if (!this.failure) {
      this.fail(new MqError('NETWORK_EXCEPTION', `connection to ${this.address} was closed by the client`, { retriable: true }));
    }
    await this.closedPromise;
  }

  /** From now on request() and send() wait until SASL is done. */
  private holdRequests(): void {
    const gate = deferred<void>();
    gate.promise.catch(() => undefined);
    this.authGate = gate;
  }

  /**
   * SASL on this connection: the first time after ApiVersions shows the listener offers it, later as
   * KIP-368 re-authentication. Requests wait (holdRequests) until it is done; a failure closes the
   * connection with the reason, and the waiting requests get it.
   */
  private async authenticate(): Promise<void> {
    const sasl = this.security!.sasl!;
    const req: SaslRequest = (apiKey, version, body) => this.sendRequest(apiKey, version, body);
    try {
      if (!this.authenticated) {
        const av = await req<ApiVersionsResponse>(ApiKey.ApiVersions, 0, {});
        if (av.errorCode === 0 && !av.apiKeys.some((k) => k.apiKey === ApiKey.SaslHandshake)) {
          throw new MqError('ILLEGAL_SASL_STATE', `the broker at ${this.address} does not offer SASL: is security.protocol right for this listener?`, {
            hint: 'Use security.protocol=plaintext or ssl for a listener without SASL (or upgrade the broker).',
          });
        }
      }
      const lifetimeMs = await authenticateSasl(req, sasl, this.address);
      this.authenticated = true;
      const gate = this.authGate;
      this.authGate = null;
      gate?.resolve();
      this.scheduleReauthentication(lifetimeMs);
    } catch (err) {
      this.fail(err instanceof MqError ? err : new MqError('SASL_AUTHENTICATION_FAILED', `SASL with ${this.address} failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  private scheduleReauthentication(lifetimeMs: number): void {
    if (!(lifetimeMs > 0) || this.failure) return;
    this.reauthTimer = setTimeout(() => {
      this.reauthTimer = null;
      if (this.failure) return;
      this.holdRequests();
      void this.authenticate();
    }, Math.max(1, Math.floor(lifetimeMs * REAUTH_AT)));
    this.reauthTimer.unref();
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id === MAX_CORRELATION_ID ? 0 : id + 1;
    return id;
  }

  private encodeFrame(apiKey: number, version: number, correlationId: number, codec: Codec<unknown>, body: unknown, flexible: boolean): Buffer[] {
    const w = new Writer(512);
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: this.clientId }, flexible);
    codec.encode(w, body, version);
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(w.length, 0);
    const chunks = w.toChunks();
    chunks.unshift(size);
    return chunks;
  }

  private enqueue(chunks: Buffer[], onWritten?: (err?: Error | null) => void): void {
    this.outbox.push({ chunks, onWritten });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.outbox;
    this.outbox = [];
    if (this.failure) {
      for (const p of pending) p.onWritten?.(this.failure);
      return;
    }
    this.socket.cork();
    for (const { chunks, onWritten } of pending) {
      for (let i = 0; i < chunks.length - 1; i++) this.socket.write(chunks[i]);
      this.socket.write(chunks[chunks.length - 1], onWritten);
    }
    this.socket.uncork();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(new MqError('NETWORK_EXCEPTION', `bad response frame from ${this.address}: ${(err as Error).message}`, { retriable: true, cause: err }));
      return;
    }
    for (const frame of frames) {
      if (frame.length < 4) {
        this.fail(new MqError('NETWORK_EXCEPTION', `response from ${this.address} is shorter than its header`, { retriable: true }));
        return;
      }
      const correlationId = frame.readInt32BE(0);
      const entry = this.inFlight.get(correlationId);
      if (!entry) {
        this.fail(new MqError('NETWORK_EXCEPTION', `response from ${this.address} has unknown correlation id ${correlationId}`, { retriable: true }));
        return;
      }
      this.inFlight.delete(correlationId);
      if (entry.apiKey !== API_VERSIONS_KEY) this.answered = true;
      if (entry.timer) clearTimeout(entry.timer);
      if (entry.abandoned) continue;
      try {
        const r = new Reader(frame, 4);
        if (entry.flexible) skipTaggedFields(r);
        entry.resolve(entry.codec.decode(r, entry.version));
      } catch (err) {
        entry.reject(new MqError('NETWORK_EXCEPTION', `cannot decode response to request ${entry.apiKey} v${entry.version} from ${this.address}: ${(err as Error).message}`, { cause: err }));
      }
    }
  }

  /** Records the first failure, rejects everything in flight and tears the socket down. */
  private fail(err: MqError): void {
    if (this.failure) return;
    this.failure = err;
    this.clearConnectTimer();
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.reauthTimer = null;
    this.opened.reject(err);
    const gate = this.authGate;
    this.authGate = null;
    gate?.reject(err);
    for (const entry of this.inFlight.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(err);
    }
    this.inFlight.clear();
    const pending = this.outbox;
    this.outbox = [];
    for (const p of pending) p.onWritten?.(err);
    this.socket.destroy();
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private connectError(reason: string, cause?: unknown): MqError {
    return new MqError('NETWORK_EXCEPTION', `cannot connect to ${this.address}: ${reason}`, { retriable: true, hint: CONNECT_HINT, cause });
  }

  /** Why the socket closed, for the requests it fails. */
  private closeError(): MqError {
    if (this.authGate && this.connected) {
      // Closed while SASL ran: the listener probably speaks another protocol (TLS, or no SASL).
      return new MqError('NETWORK_EXCEPTION', `the broker at ${this.address} closed the connection during SASL: is security.protocol right for this listener?`, {
        retriable: this.authenticated, hint: 'A SASL_SSL listener needs security.protocol=sasl_ssl (and SASL_PLAINTEXT sasl_plaintext); check the broker\'s listeners.',
      });
    }
    if (this.tcpConnected && !this.connected) {
      return new MqError('NETWORK_EXCEPTION', `the broker at ${this.address} closed the connection during the TLS handshake: is security.protocol right for this listener?`, {
        retriable: true, hint: 'A listener without TLS needs security.protocol=plaintext or sasl_plaintext.',
      });
    }
    if (this.connected && !this.answered && !this.security?.sasl && this.inFlight.size > 0) {
      // The first real request was refused by closing: a SASL listener does that before authentication
      // (and a TLS one on the first bytes). A broker that stopped just then reads the same; hence "if".
      return new MqError('NETWORK_EXCEPTION', `the broker at ${this.address} closed the connection before answering the first request: if this listener uses SASL or TLS, set security.protocol`, {
        retriable: true, hint: 'For a SASL listener set security.protocol=sasl_plaintext or sasl_ssl, sasl.mechanism, sasl.username and sasl.password (-X or --command-config).',
      });
    }
    return this.connected
      ? new MqError('NETWORK_EXCEPTION', `connection to ${this.address} was closed`, { retriable: true })
      : this.connectError('connection closed');
  }

  private errorFor(err: NodeJS.ErrnoException): MqError {
    if (this.security?.tls) {
      const t = tlsError(err, this.host, this.address, this.security.tls);
      if (t) return t;
      if (this.tcpConnected && !this.connected) return this.closeError();
    }
    if (!this.connected) {
      const reason =
        err.code === 'ECONNREFUSED' ? 'connection refused'
        : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'host not found'
        : err.code === 'ETIMEDOUT' ? 'timed out'
        : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' ? 'host unreachable'
        : err.message;
      return this.connectError(reason, err);
    }
    const what = err.code === 'ECONNRESET' ? 'was reset by the broker' : err.code === 'EPIPE' ? 'was closed by the broker' : `failed: ${err.message}`;
    return new MqError('NETWORK_EXCEPTION', `connection to ${this.address} ${what}`, { retriable: true, cause: err });
  }
}

function isFlexible(flexibleFrom: number | undefined, version: number): boolean {
  return flexibleFrom !== undefined && version >= flexibleFrom;
}
