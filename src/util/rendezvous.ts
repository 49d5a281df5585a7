// Rendezvous (highest random weight) hashing: which of a set of brokers owns a key (a group id, a
// transactional id). Every broker computes the same answer from the same broker list, and when a broker
// joins or leaves only the keys whose winner changes move (about 1/N of them), unlike `hash mod N`.

/** FNV-1a over the UTF-16 code units of `s` (keys are short; any stable spread is enough). */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finalizer: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The id with the highest weight for `key`, or -1 when `ids` is empty. Ties go to the larger id. */
export function rendezvousOwner(key: string, ids: readonly number[]): number {
  const keyHash = fnv1a32(key);
  let best = -1;
  let bestWeight = -1;
  for (const id of ids) {
    const w = fmix32(keyHash ^ fmix32(Math.imul(id + 1, 0x9e3779b1) >>> 0));
    if (w > bestWeight || (w === bestWeight && id > best)) {
      best = id;
      bestWeight = w;
    }
  }
  return best;
}
