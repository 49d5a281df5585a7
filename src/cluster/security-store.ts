// Users, ACLs and client quotas in the metadata store, the same keys in both modes (LocalStore in
// embedded mode, etcd in cluster mode; DESIGN.md "Wave 2"):
//
//   users/<name>                          {"SCRAM-SHA-256": {"salt": B64, "iterations": N, "storedKey": B64, "serverKey": B64}, ...}
//   acls/<type>/<pattern>/<name>          [{"principal": "User:alice", "host": "*", "operation": "Read", "permission": "Allow"}, ...]
//   quotas/<user>/<client-id>             {"producer_byte_rate": 1048576, ...}
//
// <name> parts are URI-encoded (group names may hold '/'); in quota keys "-" means the component is
// absent and "~" the default entity (both are escaped when they are real names). Every change is a
// compare-and-swap on the one key it edits, so two admins editing one user or resource at once both land
// or one retries. Readers call the list methods; brokers keep a copy and refresh it on watch().
import { MqError } from '../util/mq-error.js';
import type { AclBinding, AclFilter } from '../security/acl.js';
import { matchesFilter } from '../security/acl.js';
import type { QuotaEntity, QuotaEntry, QuotaKey } from '../security/quota.js';
import { QUOTA_KEYS } from '../security/quota.js';
import { SCRAM_MECHANISMS, type ScramCredential, type ScramMechanism } from '../security/scram.js';
import type { MetadataStore, WatchEvent } from './metadata-store.js';

export const USERS_PREFIX = 'users/';
export const ACLS_PREFIX = 'acls/';
export const QUOTAS_PREFIX = 'quotas/';

interface StoredCredential { salt: string; iterations: number; storedKey: string; serverKey: string }
type StoredUser = Partial<Record<ScramMechanism, StoredCredential>>;
type StoredAcl = Pick<AclBinding, 'principal' | 'host' | 'operation' | 'permission'>;

const enc = (s: string): string => encodeURIComponent(s).replace(/~/g, '%7E').replace(/^-$/, '%2D');
const dec = (s: string): string => decodeURIComponent(s);

/** How many times an edit re-reads and retries when another writer changed the key first. */
const CAS_ATTEMPTS = 20;

export class SecurityStore {
  constructor(private readonly store: MetadataStore) {}

  // ---- users --------------------------------------------------------------------------------

  async credential(user: string, mechanism: ScramMechanism): Promise<ScramCredential | null> {
    const kv = await this.store.get(USERS_PREFIX + enc(user));
    const c = kv === null ? undefined : (JSON.parse(kv.value) as StoredUser)[mechanism];
    return c === undefined ? null : {
      mechanism, salt: Buffer.from(c.salt, 'base64'), iterations: c.iterations,
      storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64'),
    };
  }

  /** Every user with the mechanisms (and iterations) it has credentials for, sorted by name. */
  async users(): Promise<{ user: string; credentials: { mechanism: ScramMechanism; iterations: number }[] }[]> {
    return (await this.store.range(USERS_PREFIX)).map((kv) => {
      const stored = JSON.parse(kv.value) as StoredUser;
      return {
        user: dec(kv.key.slice(USERS_PREFIX.length)),
        credentials: SCRAM_MECHANISMS.filter((m) => stored[m] !== undefined).map((m) => ({ mechanism: m, iterations: stored[m]!.iterations })),
      };
    });
  }

  /** Creates or replaces one mechanism's credential of `user`. */
  async putCredential(user: string, credential: ScramCredential): Promise<void> {
    if (user === '') throw new MqError('INVALID_REQUEST', 'a user name cannot be empty');
    await this.edit<StoredUser>(USERS_PREFIX + enc(user), (stored) => ({
      ...(stored ?? {}),
      [credential.mechanism]: {
        salt: credential.salt.toString('base64'), iterations: credential.iterations,
        storedKey: credential.storedKey.toString('base64'), serverKey: credential.serverKey.toString('base64'),
      },
    }));
  }

  /** Deletes one mechanism's credential; false when the user had none for it (RESOURCE_NOT_FOUND). */
  async deleteCredential(user: string, mechanism: ScramMechanism): Promise<boolean> {
    let found = false;
    await this.edit<StoredUser>(USERS_PREFIX + enc(user), (stored) => {
      found = stored?.[mechanism] !== undefined;
      if (!found) return stored;
      const rest = { ...stored };
      delete rest[mechanism];
      return Object.keys(rest).length === 0 ? null : rest;
    });
    return found;
  }

  // ---- ACLs ---------------------------------------------------------------------------------

  async acls(): Promise<AclBinding[]> {
    return (await this.store.range(ACLS_PREFIX)).flatMap((kv) => {
      const [type, pattern, name] = kv.key.slice(ACLS_PREFIX.length).split('/');
      return (JSON.parse(kv.value) as StoredAcl[]).map((a): AclBinding => ({
        resourceType: type as AclBinding['resourceType'], patternType: pattern as AclBinding['patternType'], resourceName: dec(name), ...a,
      }));
    });
  }

  /** Adds bindings (validated by the caller); one already present is not added twice. */
  async createAcls(bindings: readonly AclBinding[]): Promise<void> {
    const byKey = new Map<string, AclBinding[]>();
    for (const b of bindings) byKey.set(aclKey(b), [...(byKey.get(aclKey(b)) ?? []), b]);
    for (const [key, adds] of byKey) {
      await this.edit<StoredAcl[]>(key, (stored) => {
        const list = [...(stored ?? [])];
        for (const b of adds) {
          const entry: StoredAcl = { principal: b.principal, host: b.host, operation: b.operation, permission: b.permission };
          if (!list.some((e) => sameAcl(e, entry))) list.push(entry);
        }
        return list;
      });
    }
  }

  /** Removes what each filter selects; returns, per filter, the bindings it removed. */
  async deleteAcls(filters: readonly AclFilter[]): Promise<AclBinding[][]> {
    const removed: AclBinding[][] = filters.map(() => []);
    const keys = new Set((await this.acls()).filter((b) => filters.some((f) => matchesFilter(b, f))).map(aclKey));
    for (const key of keys) {
      const [type, pattern, name] = key.slice(ACLS_PREFIX.length).split('/');
      let hitsHere: AclBinding[][] = [];
      await this.edit<StoredAcl[]>(key, (stored) => {
        hitsHere = filters.map(() => []); // a retried edit starts over
        const keep: StoredAcl[] = [];
        for (const e of stored ?? []) {
          const b: AclBinding = { resourceType: type as AclBinding['resourceType'], patternType: pattern as AclBinding['patternType'], resourceName: dec(name), ...e };
          const hits = filters.map((f) => matchesFilter(b, f));
          hits.forEach((hit, i) => { if (hit) hitsHere[i].push(b); });
          if (!hits.some(Boolean)) keep.push(e);
        }
        return keep.length === 0 ? null : keep;
      });
      hitsHere.forEach((list, i) => removed[i].push(...list));
    }
    return removed;
  }

  // ---- quotas -------------------------------------------------------------------------------

  async quotas(): Promise<QuotaEntry[]> {
    return (await this.store.range(QUOTAS_PREFIX)).map((kv) => {
      const [user, clientId] = kv.key.slice(QUOTAS_PREFIX.length).split('/');
      const entity: QuotaEntity = {};
      if (user !== '-') entity.user = user === '~' ? null : dec(user);
      if (clientId !== '-') entity.clientId = clientId === '~' ? null : dec(clientId);
      return { entity, values: JSON.parse(kv.value) as QuotaEntry['values'] };
    });
  }

  /** Sets (value) or removes (null) quota keys of one entity; an entity left with none is deleted. */
  async alterQuota(entity: QuotaEntity, changes: Partial<Record<QuotaKey, number | null>>): Promise<void> {
    if (entity.user === undefined && entity.clientId === undefined) throw new MqError('INVALID_REQUEST', 'a quota entity names a user, a client-id or both');
    for (const [key, value] of Object.entries(changes)) {
      if (!(QUOTA_KEYS as readonly string[]).includes(key)) throw new MqError('INVALID_CONFIG', `unknown quota key ${key} (known: ${QUOTA_KEYS.join(', ')})`);
      if (value !== null && (!Number.isFinite(value) || value <= 0)) throw new MqError('INVALID_CONFIG', `quota ${key}=${value}: must be a number above 0`);
    }
    await this.edit<QuotaEntry['values']>(quotaKey(entity), (stored) => {
      const next: QuotaEntry['values'] = { ...(stored ?? {}) };
      for (const [key, value] of Object.entries(changes) as [QuotaKey, number | null][]) {
        if (value === null) delete next[key];
        else next[key] = value;
      }
      return Object.keys(next).length === 0 ? null : next;
    });
  }

  /** Changes to users, ACLs and quotas (a broker reloads its copy on each). */
  async *watch(signal: AbortSignal): AsyncGenerator<WatchEvent> {
    const streams = [USERS_PREFIX, ACLS_PREFIX, QUOTAS_PREFIX].map((p) => this.store.watch(p, signal)[Symbol.asyncIterator]());
    const pending = new Map(streams.map((s, i) => [i, s.next().then((r) => ({ i, r }))]));
    while (pending.size > 0 && !signal.aborted) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) { pending.delete(i); continue; }
      pending.set(i, streams[i].next().then((next) => ({ i, r: next })));
      yield r.value;
    }
  }

  /** Read-modify-write of one JSON key by compare-and-swap; `change` returning null deletes the key. */
  private async edit<T>(key: string, change: (stored: T | null) => T | null): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const kv = await this.store.get(key);
      const next = change(kv === null ? null : (JSON.parse(kv.value) as T));
      const ops = next === null ? (kv === null ? [] : [{ delete: key }]) : [{ put: { key, value: JSON.stringify(next) } }];
      if (ops.length === 0) return;
      if (await this.store.txn([{ key, version: kv?.version ?? 0 }], ops)) return;
    }
    throw new MqError('CONCURRENT_MODIFICATION', `${key} kept changing under ${CAS_ATTEMPTS} attempts to edit it; try again`, { retriable: true });
  }
}

function aclKey(b: Pick<AclBinding, 'resourceType' | 'patternType' | 'resourceName'>): string {
  return `${ACLS_PREFIX}${b.resourceType}/${b.patternType}/${enc(b.resourceName)}`;
}

function sameAcl(a: StoredAcl, b: StoredAcl): boolean {
  return a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permission === b.permission;
}

function quotaKey(e: QuotaEntity): string {
  const part = (v: string | null | undefined): string => (v === undefined ? '-' : v === null ? '~' : enc(v));
  return `${QUOTAS_PREFIX}${part(e.user)}/${part(e.clientId)}`;
}
