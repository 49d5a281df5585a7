// Both MetadataStores refuse a transaction whose ops touch one key twice: etcd cannot apply one, so the
// embedded store refuses it too, and code that works embedded also works in cluster mode.
import { MqError } from '../util/mq-error.js';
import type { StoreOp } from './metadata-store.js';

/** etcd refuses a transaction that touches one key twice. */
export function assertDistinctKeys(ops: StoreOp[]): void {
  const seen = new Set<string>();
  for (const op of ops) {
    const key = 'put' in op ? op.put.key : op.delete;
    if (seen.has(key)) throw new MqError('INVALID_REQUEST', `a metadata transaction touches key ${key} twice`);
    seen.add(key);
  }
}
