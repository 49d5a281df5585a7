// The embedded-mode MetadataStore: one process, persisted in `<data>/meta/store.json`.
// The file is a JSON object { "<key>": { "value": "...", "version": N } }; every change rewrites it to a
// temporary file, fsyncs it and renames it over the old one, so a crash leaves either the old or the
// new state, never a torn file. Versions come from one store-wide revision counter (the highest version
// in the file on open), so they are never reused. Leases live in memory only: keys attached to one are
// not written to the file (they belong to this process and die with it).
import { EventEmitter, on } from 'node:events';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MqError } from '../util/mq-error.js';
import { assertDistinctKeys } from './assert-distinct-keys.js';
import type { KeyValue, MetadataStore, StoreLease, StoreOp, WatchEvent } from './metadata-store.js';

interface Entry { value: string; version: number; lease?: string }
interface LocalLease { ttlSeconds: number; timer: NodeJS.Timeout; keys: Set<string> }

export class LocalStore implements MetadataStore {
  private readonly events = new EventEmitter();
  private writing: Promise<void> = Promise.resolve();
  private revision = 0;
  private readonly leases = new Map<string, LocalLease>();
  private nextLeaseId = 1;

  private constructor(private readonly file: string, private readonly data: Map<string, Entry>) {
    this.events.setMaxListeners(0);
    for (const e of data.values()) this.revision = Math.max(this.revision, e.version);
  }

  /** Opens (or creates) the store in `<dataDir>/meta/`. */
  static async open(dataDir: string): Promise<LocalStore> {
    const dir = join(dataDir, 'meta');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'store.json');
    const data = new Map<string, Entry>();
    let text: string | null = null;
    try { text = await readFile(file, 'utf8'); } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      let obj: Record<string, Entry>;
      try { obj = JSON.parse(text); } catch (err) {
        throw new MqError('KAFKA_STORAGE_ERROR', `metadata file ${file} is unreadable: ${(err as Error).message}`);
      }
      for (const [k, e] of Object.entries(obj)) if (e.lease === undefined) data.set(k, e);
    }
    return new LocalStore(file, data);
  }

  async get(key: string): Promise<KeyValue | null> {
    const e = this.data.get(key);
    return e ? { key, ...e } : null;
  }

  async range(prefix: string): Promise<KeyValue[]> {
    const out: KeyValue[] = [];
    for (const [key, e] of this.data) if (key.startsWith(prefix)) out.push({ key, ...e });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string, value: string): Promise<void> {
    await this.txn([], [{ put: { key, value } }]);
  }

  async delete(key: string): Promise<void> {
    await this.txn([], [{ delete: key }]);
  }

  async txn(compares: { key: string; version: number }[], ops: StoreOp[]): Promise<boolean> {
    assertDistinctKeys(ops);
    for (const c of compares) {
      if ((this.data.get(c.key)?.version ?? 0) !== c.version) return false;
    }
    for (const op of ops) {
      if ('put' in op && op.put.lease !== undefined && !this.leases.has(op.put.lease)) {
        throw new MqError('LEASE_NOT_FOUND', `lease ${op.put.lease} does not exist (expired or revoked)`);
      }
    }
    // What the ops replace, to undo them in memory when the write fails (a full disk): the store must
    // not answer with state that is not on disk (a failed create would leave its topic 'already existing').
    const before = new Map(ops.map((op) => {
      const key = 'put' in op ? op.put.key : op.delete;
      return [key, this.data.get(key)] as const;
    }));
    const changes: WatchEvent[] = [];
    for (const op of ops) {
      if ('put' in op) {
        const version = ++this.revision;
        this.detachLease(op.put.key);
        this.data.set(op.put.key, { value: op.put.value, version, ...(op.put.lease === undefined ? {} : { lease: op.put.lease }) });
        if (op.put.lease !== undefined) this.leases.get(op.put.lease)!.keys.add(op.put.key);
        changes.push({ type: 'put', key: op.put.key, value: op.put.value, version });
      } else {
        this.detachLease(op.delete);
        if (this.data.delete(op.delete)) changes.push({ type: 'delete', key: op.delete, value: null });
      }
    }
    try {
      await this.persist();
    } catch (err) {
      for (const [key, old] of before) {
        // A later transaction may have changed the key meanwhile (persist is asynchronous): leave it.
        const now = this.data.get(key);
        const mine = changes.find((c) => c.key === key);
        if (mine?.type === 'put' ? now?.version !== mine.version : now !== undefined) continue;
        this.detachLease(key);
        if (old === undefined) {
          this.data.delete(key);
        } else {
          this.data.set(key, old);
          if (old.lease !== undefined) this.leases.get(old.lease)?.keys.add(key);
        }
      }
      throw err;
    }
    for (const ev of changes) this.events.emit('change', ev);
    return true;
  }

  watch(prefix: string, signal: AbortSignal): AsyncIterable<WatchEvent> {
    // Subscribe now, not at the first next(): changes made between watch() and iteration are buffered.
    const changes = on(this.events, 'change', { signal }) as AsyncIterableIterator<[WatchEvent]>;
    return (async function* filtered() {
      try {
        for await (const [ev] of changes) {
          if (ev.key.startsWith(prefix)) yield ev;
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    })();
  }

  /** An in-memory lease: its keys are deleted (with watch events) when it is not kept alive in time. */
  async grantLease(ttlSeconds: number): Promise<StoreLease> {
    const id = String(this.nextLeaseId++);
    const lease: LocalLease = { ttlSeconds, timer: this.expiryTimer(id, ttlSeconds), keys: new Set() };
    this.leases.set(id, lease);
    return {
      id,
      ttlSeconds,
      keepAlive: async () => {
        const l = this.leases.get(id);
        if (!l) return false;
        clearTimeout(l.timer);
        l.timer = this.expiryTimer(id, ttlSeconds);
        return true;
      },
      revoke: () => this.endLease(id),
    };
  }

  private expiryTimer(id: string, ttlSeconds: number): NodeJS.Timeout {
    return setTimeout(() => { this.endLease(id).catch(() => { /* the next write reports disk errors */ }); }, ttlSeconds * 1000);
  }

  private async endLease(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) return;
    clearTimeout(lease.timer);
    const keys = [...lease.keys];
    this.leases.delete(id);
    if (keys.length > 0) await this.txn([], keys.map((k) => ({ delete: k })));
  }

  private detachLease(key: string): void {
    const old = this.data.get(key)?.lease;
    if (old !== undefined) this.leases.get(old)?.keys.delete(key);
  }

  /** Serializes writers; each writes the whole current state. */
  private persist(): Promise<void> {
    const snapshot = JSON.stringify(Object.fromEntries([...this.data].filter(([, e]) => e.lease === undefined)));
    const next = this.writing.then(() => this.writeFile(snapshot));
    this.writing = next.catch(() => {});
    return next;
  }

  private async writeFile(text: string): Promise<void> {
    const tmp = this.file + '.tmp';
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
  }

  async close(): Promise<void> {
    for (const lease of this.leases.values()) clearTimeout(lease.timer);
    await this.writing;
  }
}
