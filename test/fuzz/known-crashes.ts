// Mutations that still crash the broker on this branch, left out of the fuzz runs until the fixes for
// them (issue 14's bounded decoding, response sizing and caps, on another branch) are merged. Each entry
// names what crashes; delete the entry once the crash is fixed. No import-time side effects.
import type { MutationKind } from './mutate.js';
import type { SeedFrame } from './request-corpus.js';

/** True for a (mutation, API) pair known to crash the broker today. */
export function knownBrokerCrash(kind: MutationKind, seed: SeedFrame): boolean {
  // CreateTopics with a mutated NumPartitions (up to 2^31-1) and ValidateOnly flipped off: the broker
  // builds every partition, RSS climbs past 2 GB and it stops accepting connections (fuzz seed 1, 16:35,
  // `run.js --api CreateTopics`: 739 MB in 15 s). Fixed by the partition caps of issue 14 (issue14-a):
  // on this branch merged with main at 791e82a, without this entry, the suite test and a 90 s
  // `run.js --all-kinds` run pass (peak RSS 141 MB), so the entry goes when this branch is merged.
  if (seed.apiName === 'CreateTopics' && (kind === 'bit-flip' || kind === 'int-field' || kind === 'huge-count' || kind === 'splice')) return true;
  return false;
}
