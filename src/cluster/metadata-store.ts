// The state store behind everything above it: etcd in cluster mode, LocalStore in embedded mode.
// Keys are paths such as `topics/<name>` (DESIGN.md "Metadata in etcd"); values are JSON strings.
// Every key carries a version (0 = absent) so writers can compare-and-swap.

export interface KeyValue {
  key: string;
  value: string;
  /**
   * Increases on every write of this key; 0 means the key does not exist. Versions are never reused, not
   * even after a delete and re-create (both stores take them from one store-wide revision counter; in
   * EtcdStore it is etcd's mod_revision), so a compare-and-swap against an old read cannot succeed by
   * accident. Compare them for equality or order; do not expect them to count 1, 2, 3.
   */
  version: number;
  /** The lease the key is attached to (it disappears when the lease expires); absent when none. */
  lease?: string;
}

export type StoreOp = { put: { key: string; value: string; lease?: string } } | { delete: string };

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  value: string | null;
  /** The key's version after a put (what a later compare-and-swap must match); absent on deletes. */
  version?: number;
}

/**
 * A time-to-live grant: keys put with its id vanish (with a delete event) when it is neither kept alive
 * nor revoked within `ttlSeconds`. Brokers register under one, so their death is noticed.
 */
export interface StoreLease {
  readonly id: string;
  /** The TTL the store granted (it may round the requested one up). */
  readonly ttlSeconds: number;
  /** Renews the lease; resolves false when the store says it no longer exists (expired or revoked). */
  keepAlive(): Promise<boolean>;
  /** Ends the lease now, deleting its keys. */
  revoke(): Promise<void>;
}

export interface MetadataStore {
  get(key: string): Promise<KeyValue | null>;
  /** Every key starting with `prefix`, sorted by key. */
  range(prefix: string): Promise<KeyValue[]>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Applies `ops` atomically if every key has the expected version; returns whether it did. An op list
   * touching one key twice is refused with INVALID_REQUEST (etcd cannot apply it).
   */
  txn(compares: { key: string; version: number }[], ops: StoreOp[]): Promise<boolean>;
  /**
   * Changes under `prefix` from now on, until `signal` aborts. The subscription starts when `watch` is
   * called (not at the first `next()`), and never later than the store's latest read or write, so
   * "watch, then get/range, then wait for events" cannot miss a change.
   */
  watch(prefix: string, signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** Grants a lease of `ttlSeconds` (both stores implement it; optional for test doubles). */
  grantLease?(ttlSeconds: number): Promise<StoreLease>;
  close(): Promise<void>;
}
