// The embedded-mode MetadataStore: one process, persisted in `<data>/meta/store.json`.
// The file is a JSON object { "<key>": { "value": "...", "version": N } }; every change rewrites it to a
// temporary file, fsyncs it and renames it over the old one, so a crash leaves either the old or the
// new state, never a torn file.
import { EventEmitter, on } from 'node:events';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MqError } from '../util/mq-error.js';
import type { KeyValue, MetadataStore, StoreOp, WatchEvent } from './metadata-store.js';

interface Entry { value: string; version: number }

export class LocalStore implements MetadataStore {
  private readonly events = new EventEmitter();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string, private readonly data: Map<string, Entry>) {
    this.events.setMaxListeners(0);
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
      for (const [k, e] of Object.entries(obj)) data.set(k, e);
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
    for (const c of compares) {
      if ((this.data.get(c.key)?.version ?? 0) !== c.version) return false;
    }
    const changes: WatchEvent[] = [];
    for (const op of ops) {
      if ('put' in op) {
        const version = (this.data.get(op.put.key)?.version ?? 0) + 1;
        this.data.set(op.put.key, { value: op.put.value, version });
        changes.push({ type: 'put', key: op.put.key, value: op.put.value });
      } else if (this.data.delete(op.delete)) {
        changes.push({ type: 'delete', key: op.delete, value: null });
      }
    }
    await this.persist();
    for (const ev of changes) this.events.emit('change', ev);
    return true;
  }

  async *watch(prefix: string, signal: AbortSignal): AsyncIterable<WatchEvent> {
    try {
      for await (const [ev] of on(this.events, 'change', { signal }) as AsyncIterable<[WatchEvent]>) {
        if (ev.key.startsWith(prefix)) yield ev;
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** Serializes writers; each writes the whole current state. */
  private persist(): Promise<void> {
    const snapshot = JSON.stringify(Object.fromEntries(this.data));
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
    await this.writing;
  }
}
