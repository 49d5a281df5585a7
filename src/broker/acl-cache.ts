// The broker's authorizer when authorizer.enabled: an AclAuthorizer (super.users,
// allow.everyone.if.no.acl.found) holding every ACL binding of the metadata store, reloaded whole on
// each change under acls/ (security-store.ts). The same code serves embedded mode (LocalStore) and
// cluster mode (etcd): both stores offer watch(). The watch starts before the first load, so a change
// made between the two is not missed; if the watch fails (etcd unreachable) it is re-opened with backoff
// and the bindings reloaded, and until then the last bindings loaded keep deciding.
import { ACLS_PREFIX, SecurityStore } from '../cluster/security-store.js';
import type { MetadataStore } from '../cluster/metadata-store.js';
import type { SecurityConfig } from '../config/config.js';
import { AclAuthorizer } from '../security/acl.js';
import { backoffMs } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import { sleep } from '../util/promise.js';

export class AclCache {
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();

  private constructor(readonly authorizer: AclAuthorizer, private readonly store: MetadataStore, private readonly logger: Logger) {}

  /** Loads the bindings and keeps them current until close(). */
  static async open(store: MetadataStore, security: SecurityConfig, logger: Logger): Promise<AclCache> {
    const cache = new AclCache(new AclAuthorizer({ superUsers: security.superUsers, allowEveryoneIfNoAclFound: security.allowEveryoneIfNoAclFound }), store, logger);
    const changes = store.watch(ACLS_PREFIX, cache.abort.signal)[Symbol.asyncIterator]();
    await cache.reload();
    cache.running = cache.follow(changes);
    logger.info('authorizer enabled', { superUsers: security.superUsers.join(';') || '(none)', allowEveryoneIfNoAclFound: security.allowEveryoneIfNoAclFound });
    return cache;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async reload(): Promise<void> {
    this.authorizer.setBindings(await new SecurityStore(this.store).acls());
  }

  private async follow(changes: AsyncIterator<unknown>): Promise<void> {
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        for (;;) {
          const next = await changes.next();
          if (next.done || signal.aborted) break;
          await this.reload();
          attempt = 0;
        }
        if (signal.aborted) return;
        throw new Error('the watch on acls/ ended');
      } catch (err) {
        if (signal.aborted) return;
        this.logger.warn('ACL watch failed; retrying (the bindings loaded last still apply)', { error: (err as Error).message });
        await sleep(backoffMs(attempt, { initialMs: 200, maxMs: 5000 }), signal).catch(() => {});
        if (signal.aborted) return;
        changes = this.store.watch(ACLS_PREFIX, signal)[Symbol.asyncIterator]();
        await this.reload().catch(() => {});
      }
    }
  }
}
