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
import net from 'node:net';
import type { Codec } from '../protocol/codec.js';
import { FrameDecoder } from '../protocol/frame.js';
import { skipTaggedFields } from '../protocol/flexible.js';
import { API_VERSIONS_KEY, encodeRequestHeader } from '../protocol/header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { MqError } from '../util/mq-error.js';
import { apiSchemas, type ApiSchemas } from './api-schemas.js';

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
}

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
  private readonly socket: net.Socket;
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

    this.socket = net.connect({ host: opts.host, port: opts.port });
    this.socket.setNoDelay(true);
    this.closedPromise = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.connectTimer = setTimeout(() => {
      this.fail(this.connectError(`timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    this.socket.once('connect', () => {
      this.connected = true;
      this.clearConnectTimer();
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(this.errorFor(err)));
    this.socket.on('close', () => {
      this.fail(
        this.connected
          ? new MqError('NETWORK_EXCEPTION', `connection to ${this.address} was closed`, { retriable: true })
          : this.connectError('connection closed'),
      );
    });
  }

  /** "host:port" */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once the socket failed or was closed; a closed connection never reopens. */
  get closed(): boolean {
    return this.failure !== null;
  }

  /** Resolves once the TCP connection is up; rejects with the connection error. */
  async ready(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.connected) return;
    await new Promise<void>((resolve, reject) => {
      const onConnect = (): void => { this.socket.off('close', onClose); resolve(); };
      const onClose = (): void => { this.socket.off('connect', onConnect); reject(this.failure); };
      this.socket.once('connect', onConnect);
      this.socket.once('close', onClose);
    });
  }

  /** Sends a request and resolves with the decoded response body. */
  request<Res>(apiKey: number, version: number, body: unknown, opts: { timeoutMs?: number } = {}): Promise<Res> {
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

  private errorFor(err: NodeJS.ErrnoException): MqError {
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
