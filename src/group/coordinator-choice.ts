// Which broker coordinates a group: rendezvous hashing of the group id over the live brokers
// (util/rendezvous.ts). In embedded mode the list is just this broker; cluster mode only changes the input.
import { rendezvousOwner } from '../util/rendezvous.js';

/** The broker id coordinating `groupId`, or -1 when no broker is live. */
export function coordinatorFor(groupId: string, liveBrokerIds: readonly number[]): number {
  return rendezvousOwner(groupId, liveBrokerIds);
}
