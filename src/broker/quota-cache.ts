// The client quotas a broker enforces: loaded from the metadata store's quotas/ keys at start and
// reloaded on every change under them (store watch), the same code in embedded mode (LocalStore) and in
// cluster mode (etcd), so an AlterClientQuotas answered by any broker reaches every broker. The
// QuotaManager it fills is what the server consults per request (src/broker/throttle.ts).
import { QUOTAS_PREFIX, SecurityStore } from '../cluster/security-store.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { Logger } from '../util/logger.js';
import { sleep } from '../util/promise.js';
import { QuotaManager } from './quota-manager.js';

/** How long to wait before watching again after the store's watch failed (etcd away). */
const RETRY_MS = 1000;

export class QuotaCache {
  readonly manager = new QuotaManager();
  private done: Promise<void> = Promise.resolve();

  private constructor(private readonly store: MetadataStore, private readonly logger: Logger, private readonly signal: AbortSignal) {}

  /** Loads the quotas, then keeps them current until `signal` aborts. */
  static async start(store: MetadataStore, logger: Logger, signal: AbortSignal): Promise<QuotaCache> {
    const cache = new QuotaCache(store, logger, signal);
    const events = store.watch(QUOTAS_PREFIX, signal)[Symbol.asyncIterator]();
    await cache.reload();
    cache.done = cache.follow(events);
    return cache;
  }

  /** Resolves once the watch loop has ended (after the signal aborted). */
  closed(): Promise<void> {
    return this.done;
  }

  private async reload(): Promise<void> {
    const entries = await new SecurityStore(this.store).quotas();
    this.manager.setEntries(entries);
  }

  /** Reloads on every change; never rejects (a failing store is logged and watched again). */
  private async follow(events: AsyncIterator<unknown>): Promise<void> {
    while (!this.signal.aborted) {
      try {
        for (;;) {
          const next = await events.next();
          if (next.done || this.signal.aborted) break;
          await this.reload();
          this.logger.info('client quotas reloaded', { entities: this.manager.size });
        }
        if (this.signal.aborted) return;
        throw new Error('the store ended its watch of quotas/');
      } catch (err) {
        if (this.signal.aborted) return;
        this.logger.warn('client quotas: watching the store failed; retrying', { error: (err as Error)?.message ?? String(err), retryMs: RETRY_MS });
        try { await sleep(RETRY_MS, this.signal); } catch { return; }
        events = this.store.watch(QUOTAS_PREFIX, this.signal)[Symbol.asyncIterator]();
        try { await this.reload(); } catch { /* the next round logs it */ }
      }
    }
  }
}
