// The state store behind everything above it: etcd in cluster mode, LocalStore in embedded mode.
// Keys are paths such as `topics/<name>` (DESIGN.md "Metadata in etcd"); values are JSON strings.
// Every key carries a version (0 = absent) so writers can compare-and-swap.

export interface KeyValue {
  key: string;
  value: string;
  /** Increases on every write of this key; 0 means the key does not exist. */
  version: number;
}

export type StoreOp = { put: { key: string; value: string } } | { delete: string };

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  value: string | null;
}

export interface MetadataStore {
  get(key: string): Promise<KeyValue | null>;
  /** Every key starting with `prefix`, sorted by key. */
  range(prefix: string): Promise<KeyValue[]>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Applies `ops` atomically if every key has the expected version; returns whether it did. */
  txn(compares: { key: string; version: number }[], ops: StoreOp[]): Promise<boolean>;
  /** Changes under `prefix` from now on, until `signal` aborts. */
  watch(prefix: string, signal: AbortSignal): AsyncIterable<WatchEvent>;
  close(): Promise<void>;
}
