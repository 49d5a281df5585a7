// What the transaction coordinator needs from the group side: the offsets a transaction committed through
// TxnOffsetCommit (for the groups AddOffsetsToTxn added) made visible on COMMIT, or dropped on ABORT.
// Implemented by the group coordinator's wiring; the transaction coordinator retries a rejection with
// backoff until it succeeds, so `complete` must be safe to repeat.
export interface OffsetCommitter {
  complete(transactionalId: string, producerId: bigint, groups: readonly string[], commit: boolean): Promise<void>;
}
