// Offsets committed inside a transaction (TxnOffsetCommit), held until the transaction ends:
//
//   txn-offsets/<transactional id, URI-encoded>/<group id, URI-encoded>
//     = {"version":1,"producerId":"N","producerEpoch":E,"offsets":[{"topic","partition","offset","leaderEpoch","metadata"}]}
//
// On COMMIT they become the group's committed offsets in the same store transaction that deletes this key
// (so a retried completion finds nothing left to do); on ABORT the key is deleted. They are stored, not
// kept in memory, because the broker that ends the transaction (its transaction coordinator) may not be
// the one that took them (the group's coordinator), and either may die in between.
import type { MetadataStore } from '../cluster/metadata-store.js';
import { MqError } from '../util/mq-error.js';

export const TXN_OFFSETS_PREFIX = 'txn-offsets/';
const STAGE_ATTEMPTS = 20;

export interface StagedOffset { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string }

export interface StagedTxnOffsets {
  producerId: bigint;
  producerEpoch: number;
  offsets: StagedOffset[];
}

export function txnOffsetsKey(transactionalId: string, groupId: string): string {
  return `${TXN_OFFSETS_PREFIX}${encodeURIComponent(transactionalId)}/${encodeURIComponent(groupId)}`;
}

function encode(s: StagedTxnOffsets): string {
  return JSON.stringify({ version: 1, producerId: String(s.producerId), producerEpoch: s.producerEpoch, offsets: s.offsets });
}

function decode(key: string, value: string): StagedTxnOffsets {
  try {
    const v = JSON.parse(value) as { version?: unknown; producerId?: unknown; producerEpoch?: unknown; offsets?: unknown };
    if (v.version === 1 && typeof v.producerId === 'string' && /^\d+$/.test(v.producerId) && Number.isInteger(v.producerEpoch) && Array.isArray(v.offsets)) {
      return { producerId: BigInt(v.producerId), producerEpoch: v.producerEpoch as number, offsets: v.offsets as StagedOffset[] };
    }
  } catch {
    // named below
  }
  throw new MqError('KAFKA_STORAGE_ERROR', `the metadata key ${key} does not hold transactional offsets (${value.slice(0, 100)}); delete it to drop them`);
}

/** Adds `offsets` to what the producer staged for the group in this transaction (a newer producer's replace an older one's). */
export async function stageTxnOffsets(
  store: MetadataStore, transactionalId: string, groupId: string, staged: StagedTxnOffsets,
): Promise<void> {
  const key = txnOffsetsKey(transactionalId, groupId);
  for (let attempt = 0; attempt < STAGE_ATTEMPTS; attempt++) {
    const kv = await store.get(key);
    let offsets = staged.offsets;
    if (kv !== null) {
      const cur = decode(key, kv.value);
      if (cur.producerId === staged.producerId && cur.producerEpoch === staged.producerEpoch) {
        const replaced = new Set(staged.offsets.map((o) => `${o.topic}\0${o.partition}`));
        offsets = [...cur.offsets.filter((o) => !replaced.has(`${o.topic}\0${o.partition}`)), ...staged.offsets];
      }
    }
    if (await store.txn([{ key, version: kv?.version ?? 0 }], [{ put: { key, value: encode({ ...staged, offsets }) } }])) return;
  }
  throw new MqError('COORDINATOR_LOAD_IN_PROGRESS', `could not stage transactional offsets of ${groupId}: the key kept changing; retry`, { retriable: true });
}

/** What the producer staged for the group (null: nothing), with the key's version for the completing transaction. */
export async function readStagedTxnOffsets(
  store: MetadataStore, transactionalId: string, groupId: string,
): Promise<{ staged: StagedTxnOffsets; key: string; version: number } | null> {
  const key = txnOffsetsKey(transactionalId, groupId);
  const kv = await store.get(key);
  return kv === null ? null : { staged: decode(key, kv.value), key, version: kv.version };
}
