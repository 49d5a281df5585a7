// A broker's registration in the metadata store: `brokers/<id>` = JSON BrokerInfo, attached to a lease
// that this class keeps alive (every TTL/3). The key vanishes when the broker dies, which is how the
// controller notices.
//
// Events (EventEmitter, since several parts of a broker listen):
//   'registered' ({ leaseId, brokerEpoch })  the key is ours; the broker may act as a leader
//   'lost' (MqError)                          the store says the lease or the key is gone: stop acting as
//                                             leader (fence) until the next 'registered', which follows
//                                             automatically once re-registration succeeds
//   'unconfirmed' ()                          no keep-alive has been confirmed for a whole TTL (the store is
//                                             unreachable); the lease may have expired without us knowing
// 'lost' is only raised on the store's word, so an etcd outage alone does not fence a broker: nobody can
// elect a replacement meanwhile, and the lease is refreshed when etcd comes back (etcd extends every
// lease by its TTL when it starts or elects a new leader). Listeners must not fence on 'unconfirmed'.
//
// Controlled shutdown: announceShutdown() rewrites the registration with `shuttingDown: true` under the
// same lease; the controller then moves leadership away and drops the broker from ISRs. The broker
// epoch stays the one of the original registration (the broker keeps leading what it leads until the
// controller has moved it), though the key's version grows with that write.
//
// The broker epoch is the version of the registration key after our write: it grows with every
// (re-)registration, so requests from an older incarnation can be told apart (Kafka's broker epoch).
import { EventEmitter } from 'node:events';
import { backoffMs } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { KeyValue, MetadataStore, StoreLease, WatchEvent } from './metadata-store.js';

export interface BrokerInfo {
  brokerId: number;
  host: string;
  port: number;
  adminPort: number | null;
  rack: string | null;
  /** Each listener's advertised address by name; host/port above are the inter-broker listener's. */
  listeners?: Record<string, { host: string; port: number }>;
  startTimeMs: number;
  /** Set by a controlled shutdown: the controller moves leadership away and drops it from ISRs. */
  shuttingDown?: boolean;
}

/** A live broker as read from the store; `brokerEpoch` is its registration key's version. */
export interface RegisteredBroker extends BrokerInfo { brokerEpoch: number }

export interface BrokerRegistryOptions {
  /** Lease time-to-live: how soon a dead broker is noticed (and how long an etcd hiccup may last). */
  ttlSeconds?: number;
  /**
   * The lease of this broker's previous run (persisted by the caller): a registration still held by it
   * is a leftover of this very broker after a crash and is taken over at once instead of waited out.
   */
  previousLeaseId?: string;
  /** How long to wait for a registration held by another lease to expire before BROKER_ID_IN_USE. */
  takeoverWaitMs?: number;
  logger?: Logger;
}

export const BROKERS_PREFIX = 'brokers/';

/** The registrations in the store now (what tools outside the brokers read: host, ports, rack). */
export async function readRegistrations(store: MetadataStore): Promise<BrokerInfo[]> {
  return (await store.range(BROKERS_PREFIX)).map((kv) => JSON.parse(kv.value) as BrokerInfo);
}

export class BrokerRegistry extends EventEmitter {
  private readonly key: string;
  private readonly ttlSeconds: number;
  private readonly takeoverWaitMs: number;
  private readonly logger: Logger;
  private previousLeaseId: string | undefined;
  private superseded: string | null = null;
  /** Bumped on every loss and on close: loops of an older generation stop. */
  private generation = 0;
  private current: { lease: StoreLease; brokerEpoch: number } | null = null;
  private keyWatch: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly closing = new AbortController();

  constructor(private readonly store: MetadataStore, private info: BrokerInfo, opts: BrokerRegistryOptions = {}) {
    super();
    if (!store.grantLease) throw new MqError('INVALID_CONFIG', 'this metadata store offers no leases');
    this.key = BrokerRegistry.key(info.brokerId);
    this.ttlSeconds = opts.ttlSeconds ?? 6;
    this.takeoverWaitMs = opts.takeoverWaitMs ?? this.ttlSeconds * 1000 + 2000;
    this.previousLeaseId = opts.previousLeaseId;
    this.logger = opts.logger ?? silentLogger;
  }

  static key(brokerId: number): string {
    return `${BROKERS_PREFIX}${brokerId}`;
  }

  /** Every registered (live) broker, by id. */
  static async list(store: MetadataStore): Promise<RegisteredBroker[]> {
    const kvs = await store.range(BROKERS_PREFIX);
    return kvs.map((kv) => ({ ...(JSON.parse(kv.value) as BrokerInfo), brokerEpoch: kv.version })).sort((a, b) => a.brokerId - b.brokerId);
  }

  get registered(): boolean { return this.current !== null; }
  get leaseId(): string | null { return this.current?.lease.id ?? null; }
  get brokerEpoch(): number | null { return this.current?.brokerEpoch ?? null; }
  /**
   * The lease of this broker's previous run whose registration we took over (it may still hold other
   * keys of ours, such as `controller`, until it runs out); null when there was none.
   */
  get supersededLeaseId(): string | null { return this.superseded; }

  /**
   * Registers once (waiting up to takeoverWaitMs for a leftover registration to expire) and starts
   * keeping it alive. Rejects with BROKER_ID_IN_USE when another live process holds the id.
   */
  async register(): Promise<void> {
    if (this.closing.signal.aborted) throw new MqError('STORE_CLOSED', 'the broker registry is closed');
    if (this.current) return;
    const claimed = await this.claim();
    this.activate(claimed);
  }

  /** Whether announceShutdown() was called. */
  get shuttingDown(): boolean { return this.info.shuttingDown === true; }

  /**
   * Controlled shutdown: rewrites the registration with `shuttingDown: true` (same lease), so the
   * controller moves leadership away from this broker. Later re-registrations keep the flag. Resolves
   * once the store has it, or at once while the broker is not registered (the next registration
   * carries it); rejects when the store cannot be reached.
   */
  async announceShutdown(): Promise<void> {
    if (this.info.shuttingDown) return;
    this.info = { ...this.info, shuttingDown: true };
    const cur = this.current;
    if (!cur || this.closing.signal.aborted) return;
    const kv = await this.store.get(this.key);
    if (!kv || kv.lease !== cur.lease.id) return; // lost meanwhile; the re-registration carries the flag
    // A failed compare: the key was deleted or overwritten meanwhile; the key watch or keep-alive loses
    // the registration, and the re-registration carries the flag.
    await this.store.txn([{ key: this.key, version: kv.version }], [{ put: { key: this.key, value: JSON.stringify(this.info), lease: cur.lease.id } }]);
    this.logger.info('broker announced controlled shutdown', { broker: this.info.brokerId });
  }

  /** Stops keeping the lease alive; by default also revokes it, so the key disappears at once. */
  async close(opts: { deregister?: boolean } = {}): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.generation++;
    this.stopLoops();
    const cur = this.current;
    this.current = null;
    if (cur && (opts.deregister ?? true)) {
      await cur.lease.revoke().catch((err: unknown) => this.logger.warn('could not revoke the broker lease', { error: (err as Error).message }));
    }
  }

  private activate(claimed: { lease: StoreLease; brokerEpoch: number }): void {
    const gen = ++this.generation;
    this.current = claimed;
    this.previousLeaseId = claimed.lease.id;
    this.keepAliveLoop(gen, claimed.lease, Date.now());
    this.watchOwnKey(gen, claimed);
    this.logger.info('broker registered', { broker: this.info.brokerId, lease: claimed.lease.id, brokerEpoch: claimed.brokerEpoch });
    this.emit('registered', { leaseId: claimed.lease.id, brokerEpoch: claimed.brokerEpoch });
  }

  /** Waits until the key is free (or held by our previous lease), then writes it under a new lease. */
  private async claim(): Promise<{ lease: StoreLease; brokerEpoch: number }> {
    const deadline = Date.now() + this.takeoverWaitMs;
    for (;;) {
      if (this.closing.signal.aborted) throw new MqError('STORE_CLOSED', 'the broker registry is closed');
      const watching = new AbortController();
      const changes = this.store.watch(this.key, watching.signal)[Symbol.asyncIterator]();
      try {
        const cur = await this.store.get(this.key);
        if (cur && cur.lease !== undefined && cur.lease !== this.previousLeaseId) {
          const leftMs = deadline - Date.now();
          if (leftMs <= 0) {
            throw new MqError('BROKER_ID_IN_USE', `broker id ${this.info.brokerId} is registered by another live process (${cur.value})`, {
              hint: 'give each broker its own --id',
            });
          }
          await this.firstOf(changes.next(), leftMs);
          continue;
        }
        const lease = await this.store.grantLease!(this.ttlSeconds);
        // Read at the last moment: an announceShutdown() meanwhile must be in the registration.
        const value = JSON.stringify(this.info);
        const ok = await this.store.txn([{ key: this.key, version: cur?.version ?? 0 }], [{ put: { key: this.key, value, lease: lease.id } }])
          .catch(async (err: unknown) => { await lease.revoke().catch(() => {}); throw err; });
        const mine = ok ? await this.store.get(this.key) : null;
        if (mine && mine.lease === lease.id) {
          if (cur?.lease !== undefined) this.superseded = cur.lease;
          return { lease, brokerEpoch: mine.version };
        }
        await lease.revoke().catch(() => {});
      } finally {
        watching.abort();
      }
    }
  }

  /** Renews every TTL/3 (every 500 ms at most while unconfirmed); loses the registration on the store's word. */
  private keepAliveLoop(gen: number, lease: StoreLease, lastConfirmedMs: number): void {
    const periodMs = Math.max(100, (lease.ttlSeconds * 1000) / 3);
    let warned = false;
    const tick = async (): Promise<void> => {
      let alive: boolean | null = null;
      try {
        alive = await lease.keepAlive();
      } catch (err) {
        this.logger.debug('lease keep-alive failed', { error: (err as Error).message });
      }
      if (gen !== this.generation) return;
      if (alive === false) {
        this.lose(gen, new MqError('LEASE_LOST', `the registration lease of broker ${this.info.brokerId} expired`, { retriable: true }));
        return;
      }
      if (alive) { lastConfirmedMs = Date.now(); warned = false; }
      else if (!warned && Date.now() - lastConfirmedMs > lease.ttlSeconds * 1000) {
        warned = true;
        this.logger.warn('broker lease not confirmed for a whole TTL; the metadata store is unreachable', { broker: this.info.brokerId });
        this.emit('unconfirmed');
      }
      this.timer = setTimeout(() => { void tick(); }, alive ? periodMs : Math.min(periodMs, 500));
    };
    this.timer = setTimeout(() => { void tick(); }, periodMs);
  }

  /** Someone deleting or overwriting our key (an operator, a duplicate id) also ends the registration. */
  private watchOwnKey(gen: number, claimed: { brokerEpoch: number }): void {
    const ac = new AbortController();
    this.keyWatch = ac;
    void (async () => {
      try {
        for await (const ev of this.store.watch(this.key, ac.signal) as AsyncIterable<WatchEvent>) {
          if (ev.key !== this.key) continue;
          // Our own announceShutdown() rewrite (another process with our id has another address or start time).
          if (ev.type === 'put' && this.info.shuttingDown && ev.value === JSON.stringify(this.info)) continue;
          if (ev.type === 'delete' || (ev.version !== undefined && ev.version !== claimed.brokerEpoch)) {
            this.lose(gen, new MqError('LEASE_LOST', `the registration of broker ${this.info.brokerId} was ${ev.type === 'delete' ? 'deleted' : 'overwritten'}`, { retriable: true }));
            return;
          }
        }
      } catch (err) {
        // The keep-alive loop still notices a lost lease; a broken watch alone is not a loss.
        if (gen === this.generation) this.logger.warn('watch on own registration ended', { error: (err as Error).message });
      }
    })();
  }

  private lose(gen: number, err: MqError): void {
    if (gen !== this.generation || this.closing.signal.aborted) return;
    this.generation++;
    this.stopLoops();
    const old = this.current;
    this.current = null;
    this.logger.warn('broker registration lost; fencing until re-registered', { broker: this.info.brokerId, reason: err.message });
    this.emit('lost', err);
    // If only the key went away, the lease may still hold other keys (a controller claim): end it.
    void old?.lease.revoke().catch(() => {});
    void this.reregister();
  }

  private async reregister(): Promise<void> {
    for (let attempt = 0; !this.closing.signal.aborted; attempt++) {
      try {
        const claimed = await this.claim();
        if (this.closing.signal.aborted) { await claimed.lease.revoke().catch(() => {}); return; }
        this.activate(claimed);
        return;
      } catch (err) {
        if (this.closing.signal.aborted) return;
        this.logger.warn('broker re-registration failed; retrying', { broker: this.info.brokerId, error: (err as Error).message });
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoffMs(attempt, { initialMs: 200, maxMs: 2000 }));
          this.closing.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
        });
      }
    }
  }

  private stopLoops(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.keyWatch?.abort();
    this.keyWatch = null;
  }

  /** Resolves on `p` or after `ms`, whichever comes first (or when the registry closes). */
  private firstOf(p: Promise<IteratorResult<WatchEvent>>, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(t); this.closing.signal.removeEventListener('abort', done); resolve(); };
      const t = setTimeout(done, ms);
      this.closing.signal.addEventListener('abort', done, { once: true });
      p.then(done, done);
    });
  }
}

/** Parses a registration value (for callers that watch `brokers/` themselves). */
export function parseBrokerInfo(kv: Pick<KeyValue, 'value'>): BrokerInfo {
  return JSON.parse(kv.value) as BrokerInfo;
}
