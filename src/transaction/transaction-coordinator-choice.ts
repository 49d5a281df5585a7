// Which broker coordinates a transactional id: rendezvous hashing of the id over the live brokers
// (util/rendezvous.ts), as groups are placed. FindCoordinator with KeyType 1 answers with it, and a
// TransactionCoordinator's `owns` is `transactionCoordinatorFor(id, live) === myId`.
import { rendezvousOwner } from '../util/rendezvous.js';

/** The broker id coordinating `transactionalId`, or -1 when no broker is live. */
export function transactionCoordinatorFor(transactionalId: string, liveBrokerIds: readonly number[]): number {
  return rendezvousOwner(transactionalId, liveBrokerIds);
}
