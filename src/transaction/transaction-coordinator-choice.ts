// Which broker coordinates a transactional id: rendezvous (highest random weight) hashing of the id over
// the live brokers, the idea of src/group/coordinator-choice.ts (a folder on this layer cannot import it).
// Every broker computes the same answer from the same broker list, and when a broker joins or leaves
// only the ids whose winner changes move (about 1/N of them). FindCoordinator with KeyType 1 answers
// with it, and a TransactionCoordinator's `owns` is `transactionCoordinatorFor(id, live) === myId`.

/** FNV-1a over the UTF-16 code units of `s`. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The broker id with the highest weight for `transactionalId`, or -1 when no broker is live. Ties go to the larger id. */
export function transactionCoordinatorFor(transactionalId: string, liveBrokerIds: readonly number[]): number {
  const idHash = fnv1a32(transactionalId);
  let best = -1;
  let bestWeight = -1;
  for (const brokerId of liveBrokerIds) {
    const w = fmix32(idHash ^ fmix32(Math.imul(brokerId + 1, 0x9e3779b1) >>> 0));
    if (w > bestWeight || (w === bestWeight && brokerId > best)) {
      best = brokerId;
      bestWeight = w;
    }
  }
  return best;
}
