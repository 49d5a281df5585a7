// Which broker coordinates a group: rendezvous (highest random weight) hashing of the group id over
// the live brokers. Every broker computes the same answer from the same broker list, and when a broker
// joins or leaves only the groups whose winner changes move (about 1/N of them), unlike `hash mod N`.
// In embedded mode the list is just this broker; cluster mode only changes the input.

/** FNV-1a over the UTF-16 code units of `s` (group ids are short; any stable spread is enough). */
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

/** The weight of `brokerId` for a group whose id hashes to `groupHash`. */
function weight(groupHash: number, brokerId: number): number {
  return fmix32(groupHash ^ fmix32(Math.imul(brokerId + 1, 0x9e3779b1) >>> 0));
}

/** The broker id with the highest weight for `groupId`, or -1 when no broker is live. Ties go to the larger id. */
export function coordinatorFor(groupId: string, liveBrokerIds: number[]): number {
  const groupHash = fnv1a32(groupId);
  let best = -1;
  let bestWeight = -1;
  for (const id of liveBrokerIds) {
    const w = weight(groupHash, id);
    if (w > bestWeight || (w === bestWeight && id > best)) {
      best = id;
      bestWeight = w;
    }
  }
  return best;
}
