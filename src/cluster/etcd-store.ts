// The cluster-mode MetadataStore: etcd v3 through the npm `etcd3` client, every key under
// `/mq/<cluster>/` (DESIGN.md "Metadata in etcd").
//
// Versions are etcd's mod_revision: the store-wide revision of the key's last write. It grows on every
// write and is never reused, even after a delete and re-create (etcd's own per-key `version` restarts at
// 1 then, which would let a stale compare-and-swap succeed). For a missing key etcd compares every
// revision as 0, so "version 0" is checked as create_revision == 0, i.e. absent.
//
// Reconnects: a unary call that finds etcd unreachable is retried a few times over about a second, then
// fails with a retriable MqError('STORE_UNAVAILABLE') for the caller to retry. Watches survive a lost
// connection: etcd3 re-creates the watch from the revision after the last one delivered, so nothing is
// missed or repeated (unless etcd compacted that history away; then the watch ends with a retriable
// MqError('WATCH_COMPACTED') and the caller re-reads and watches again).
import { Etcd3, EtcdLeaseInvalidError, isRecoverableError } from 'etcd3';
import type { ICompare, IKeyValue, IOptions, IRequestOp, IResponseHeader, Watcher } from 'etcd3';
import { MqError } from '../util/mq-error.js';
import type { KeyValue, MetadataStore, StoreLease, StoreOp, WatchEvent } from './metadata-store.js';
import { assertDistinctKeys } from './assert-distinct-keys.js';
import { OpenEtcdCalls } from './open-etcd-calls.js';
import { etcdClientOptions, explainConnectFailure, type EtcdSecurity } from './etcd-security.js';

type FaultHandling = NonNullable<IOptions['faultHandling']>;

export interface EtcdStoreOptions {
  /** etcd client URLs, e.g. `http://127.0.0.1:2379` (a comma-separated string or a list). */
  endpoints: string | string[];
  /** Keys live under `/mq/<cluster>/`, so several mq clusters can share one etcd. */
  cluster?: string;
  /** Deadline of each unary call to etcd. */
  requestTimeoutMs?: number;
  /** How long to try before failing a call while etcd is unreachable. */
  retryForMs?: number;
  /** User and password, CA and client certificate for an etcd with auth and TLS (etcd-security.ts). */
  security?: EtcdSecurity;
}

/** Keys per range request when paging through a large prefix (all pages read at one revision). */
const RANGE_PAGE_KEYS = 1000;

export class EtcdStore implements MetadataStore {
  private readonly prefix: Buffer;
  /** The highest etcd revision seen in any response; watches start right after it. */
  private revision = 0;
  /** Stops every open watch (close() ends them all). */
  private readonly watchStops = new Set<() => void>();
  private closed = false;

  private constructor(private readonly client: Etcd3, readonly cluster: string, private readonly calls: OpenEtcdCalls) {
    this.prefix = Buffer.from(`/mq/${cluster}/`);
  }

  /** Connects and makes one read, so an unreachable etcd fails here with a clear error. */
  static async connect(opts: EtcdStoreOptions): Promise<EtcdStore> {
    const hosts = (typeof opts.endpoints === 'string' ? opts.endpoints.split(',') : opts.endpoints).map((h) => h.trim()).filter((h) => h);
    if (hosts.length === 0) throw new MqError('INVALID_CONFIG', 'no etcd endpoints given', { hint: 'pass --etcd http://HOST:2379[,URL]' });
    const requestTimeoutMs = opts.requestTimeoutMs ?? 5000;
    const secured = await etcdClientOptions(opts.security, hosts);
    const calls = new OpenEtcdCalls();
    const client = new Etcd3({
      hosts,
      ...secured,
      dialTimeout: requestTimeoutMs,
      defaultCallOptions: (ctx) => ({ interceptors: [calls.interceptor], ...(ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }) }),
      // Large ranges (every committed offset of a big group) exceed gRPC's 4 MiB default.
      grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
      faultHandling: faultHandling(opts.retryForMs ?? 1500),
    });
    const store = new EtcdStore(client, opts.cluster ?? 'default', calls);
    try {
      await store.get('');
    } catch (err) {
      client.close();
      calls.cancelAll('etcd is unreachable');
      const { message, hint, retriable } = await explainConnectFailure(err, hosts, opts.security);
      throw new MqError(retriable ? 'STORE_UNAVAILABLE' : 'STORE_ACCESS_DENIED', message, { retriable, cause: err, hint });
    }
    return store;
  }

  async get(key: string): Promise<KeyValue | null> {
    const res = await this.call(() => this.client.kv.range({ key: this.full(key) }));
    this.seen(res.header);
    return res.kvs.length > 0 ? this.toKeyValue(res.kvs[0]) : null;
  }

  async range(prefix: string): Promise<KeyValue[]> {
    const out: KeyValue[] = [];
    const end = prefixEnd(this.full(prefix));
    let from = this.full(prefix);
    let atRevision: string | undefined;
    for (;;) {
      const res = await this.call(() => this.client.kv.range({
        key: from, range_end: end, limit: RANGE_PAGE_KEYS, sort_order: 'Ascend', sort_target: 'Key',
        ...(atRevision === undefined ? {} : { revision: atRevision }),
      }));
      this.seen(res.header);
      atRevision ??= res.header.revision;
      for (const kv of res.kvs) out.push(this.toKeyValue(kv));
      if (!res.more || res.kvs.length === 0) return out;
      from = Buffer.concat([res.kvs[res.kvs.length - 1].key, Buffer.from([0])]);
    }
  }

  async put(key: string, value: string): Promise<void> {
    const res = await this.call(() => this.client.kv.put({ key: this.full(key), value: Buffer.from(value) }));
    this.seen(res.header);
  }

  async delete(key: string): Promise<void> {
    const res = await this.call(() => this.client.kv.deleteRange({ key: this.full(key) }));
    this.seen(res.header);
  }

  /**
   * Note: if the connection breaks after etcd applied a transaction but before the answer arrived, the
   * retry sees its own write and returns false; callers re-read after false anyway.
   */
  async txn(compares: { key: string; version: number }[], ops: StoreOp[]): Promise<boolean> {
    assertDistinctKeys(ops);
    const compare: ICompare[] = compares.map((c) => (c.version === 0
      ? { key: this.full(c.key), target: 'Create', result: 'Equal', create_revision: 0 }
      : { key: this.full(c.key), target: 'Mod', result: 'Equal', mod_revision: c.version }));
    const success: IRequestOp[] = ops.map((op) => ('put' in op
      ? { request_put: { key: this.full(op.put.key), value: Buffer.from(op.put.value), ...(op.put.lease === undefined ? {} : { lease: op.put.lease }) } }
      : { request_delete_range: { key: this.full(op.delete) } }));
    const res = await this.call(() => this.client.kv.txn({ compare, success, failure: [] }));
    this.seen(res.header);
    return res.succeeded;
  }

  watch(prefix: string, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const queue: WatchEvent[] = [];
    let failure: unknown = null;
    let ended = false;
    let wake: (() => void) | null = null;
    const notify = (): void => { const w = wake; wake = null; w?.(); };
    const start = this.full(prefix);
    // Start right after the newest revision this store has seen, so a change that happened after our
    // last read is delivered even though the watch is created asynchronously.
    const builder = this.client.watch().inRange({ start, end: prefixEnd(start) }).startRevision(String(this.revision + 1));
    let watcher: Watcher | null = null;
    const stop = (): void => {
      ended = true;
      notify();
      this.watchStops.delete(stop);
      if (watcher) {
        const w = watcher;
        watcher = null;
        void w.cancel().catch(() => {});
      }
    };
    if (signal.aborted || this.closed) ended = true;
    else {
      signal.addEventListener('abort', stop, { once: true });
      // watcher() attaches at once (create() would resolve a tick after 'connected', and an event
      // arriving in that tick would find no listener).
      const w = builder.watcher();
      watcher = w;
      this.watchStops.add(stop);
      w.on('data', (res) => {
        this.seen(res.header);
        for (const ev of res.events) {
          const key = ev.kv.key.subarray(this.prefix.length).toString();
          if (ev.type === 'Put') queue.push({ type: 'put', key, value: ev.kv.value.toString(), version: Number(ev.kv.mod_revision) });
          else queue.push({ type: 'delete', key, value: null });
        }
        notify();
      });
      w.on('error', (err: Error) => {
        failure = /compact/i.test(err.message)
          ? new MqError('WATCH_COMPACTED', `watch on ${prefix} fell behind etcd's compacted history; re-read and watch again`, { retriable: true, cause: err })
          : new MqError('STORE_ERROR', `watch on ${prefix} was cancelled by etcd: ${err.message}`, { retriable: true, cause: err });
        notify();
      });
    }
    return (async function* events(): AsyncGenerator<WatchEvent> {
      try {
        for (;;) {
          if (queue.length > 0) { yield queue.shift()!; continue; }
          if (ended) return;
          if (failure) throw failure;
          await new Promise<void>((resolve) => { wake = resolve; });
        }
      } finally {
        signal.removeEventListener('abort', stop);
        stop();
      }
    })();
  }

  async grantLease(ttlSeconds: number): Promise<StoreLease> {
    const res = await this.call(() => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }));
    if (res.error) throw new MqError('STORE_UNAVAILABLE', `etcd refused a lease: ${res.error}`, { retriable: true });
    this.seen(res.header);
    const id = res.ID;
    return {
      id,
      ttlSeconds: Number(res.TTL),
      keepAlive: () => this.keepAliveOnce(id, ttlSeconds),
      revoke: async () => {
        try {
          await this.call(() => this.client.leaseClient.leaseRevoke({ ID: id }));
        } catch (err) {
          if (!(err instanceof MqError && err.code === 'LEASE_NOT_FOUND')) throw err;
        }
      },
    };
  }

  /** One keep-alive round trip on a short-lived stream; false when etcd says the lease is gone. */
  private async keepAliveOnce(id: string, ttlSeconds: number): Promise<boolean> {
    const stream = await this.call(() => this.client.leaseClient.leaseKeepAlive());
    try {
      const res = await new Promise<{ TTL: string; header: IResponseHeader }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new MqError('STORE_UNAVAILABLE', 'lease keep-alive got no answer', { retriable: true })), ttlSeconds * 1000);
        stream.on('data', (r) => { clearTimeout(timer); resolve(r); });
        stream.on('error', (e: unknown) => { clearTimeout(timer); reject(mapEtcdError(e)); });
        stream.write({ ID: id });
      });
      this.seen(res.header);
      return Number(res.TTL) > 0;
    } finally {
      stream.end();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.watchStops]) stop();
    this.client.close();
    // A stream etcd never answered (it hangs, or the network dropped it silently) would hold the channel open.
    this.calls.cancelAll('the metadata store was closed');
  }

  private full(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key)]);
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    const out: KeyValue = { key: kv.key.subarray(this.prefix.length).toString(), value: kv.value.toString(), version: Number(kv.mod_revision) };
    if (kv.lease && kv.lease !== '0') out.lease = kv.lease;
    return out;
  }

  private seen(header: IResponseHeader | undefined): void {
    const rev = Number(header?.revision ?? 0);
    if (rev > this.revision) this.revision = rev;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new MqError('STORE_CLOSED', 'the etcd store is closed');
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err);
    }
  }
}

/** The first key after every key starting with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) { end[i]++; return end.subarray(0, i + 1); }
  }
  return Buffer.from([0]); // every key
}

/** etcd3's errors as MqErrors: connection trouble is retriable, a vanished lease is LEASE_NOT_FOUND. */
function mapEtcdError(err: unknown): MqError {
  if (err instanceof MqError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof EtcdLeaseInvalidError || /lease not found/i.test(msg)) {
    return new MqError('LEASE_NOT_FOUND', `etcd lease not found: ${msg}`, { cause: err });
  }
  if (err instanceof Error && (isRecoverableError(err) || /deadline|unavailable|connect|closed|cancel/i.test(msg))) {
    return new MqError('STORE_UNAVAILABLE', `etcd is unavailable: ${msg}`, { retriable: true, cause: err });
  }
  return new MqError('STORE_ERROR', `etcd failed: ${msg}`, { cause: err });
}

/**
 * Replaces etcd3's defaults: its per-host circuit breaker refuses every call for 5 s after three
 * failures (too long after etcd comes back) and its watch backoff grows to 30 s. Here: no breaker, a
 * retry of recoverable errors every 100-250 ms for `retryForMs`, and watch reconnects at most 500 ms apart.
 */
function faultHandling(retryForMs: number): FaultHandling {
  const noEvent = (): { dispose(): void } => ({ dispose() {} });
  const ctx = (): { signal: AbortSignal; attempt: number } => ({ signal: new AbortController().signal, attempt: 0 });
  const passThrough = { _altReturn: undefined as never, onSuccess: noEvent, onFailure: noEvent, execute: async <T>(fn: (c: ReturnType<typeof ctx>) => PromiseLike<T> | T): Promise<T> => fn(ctx()) };
  const retrying = {
    ...passThrough,
    async execute<T>(fn: (c: ReturnType<typeof ctx>) => PromiseLike<T> | T): Promise<T> {
      const deadline = Date.now() + retryForMs;
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn({ signal: new AbortController().signal, attempt });
        } catch (err) {
          if (!(err instanceof Error) || !isRecoverableError(err) || Date.now() >= deadline) throw err;
          await new Promise((r) => setTimeout(r, Math.min(250, 100 * (attempt + 1))));
        }
      }
    },
  };
  const backoff = (ms: number): { duration: number; next(): unknown } => ({ duration: ms, next: () => backoff(Math.min(500, ms * 2)) });
  return {
    host: () => passThrough as unknown as ReturnType<NonNullable<FaultHandling['host']>>,
    global: retrying as unknown as FaultHandling['global'],
    watchBackoff: backoff(50) as unknown as FaultHandling['watchBackoff'],
  };
}
