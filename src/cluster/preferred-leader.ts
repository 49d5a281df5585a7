// Preferred leader election (ElectLeaders type 0, `mq rebalance leaders`, and the controller's automatic
// leader rebalance): may a partition's preferred replica, replicas[0], take leadership now? A pure
// function of the replica list, the state in the store (with its version) and the live registrations,
// judged by the same rules as leader-election.ts: the preferred replica must be live (registered, not
// shutting down, and registered before the state was written, i.e. the same run of the broker the state
// speaks of; a restarted broker becomes live again when its leader writes it back into the ISR) and in
// the ISR, so it has every committed record. The controller writes what it returns (controller.ts).
//
//   elect          leader = replicas[0], leaderEpoch + 1, ISR unchanged
//   not-needed     replicas[0] already leads
//   not-available  replicas[0] is not live or not in the ISR (the reason says which)
import type { PartitionState } from './topic-records.js';
import { replicaStatus, type ElectionBroker } from './leader-election.js';

export interface PreferredLeaderInput {
  /** The partition's replica list; replicas[0] is the preferred leader. */
  replicas: number[];
  state: PartitionState;
  /** The store version of `state` (MetadataCache.partitionVersion). */
  stateVersion: number;
  /** Registered brokers by id. */
  brokers: ReadonlyMap<number, ElectionBroker>;
}

export type PreferredLeaderDecision =
  | { kind: 'elect'; preferred: number; state: PartitionState }
  | { kind: 'not-needed'; preferred: number }
  | { kind: 'not-available'; preferred: number; reason: string };

/** Whether replicas[0] can lead this partition now, and the state to write if so. */
export function decidePreferredLeader(input: PreferredLeaderInput): PreferredLeaderDecision {
  const { replicas, state, stateVersion, brokers } = input;
  const preferred = replicas[0] ?? -1;
  if (preferred === -1) return { kind: 'not-available', preferred, reason: 'the partition has no replicas' };
  if (state.leader === preferred) return { kind: 'not-needed', preferred };
  switch (replicaStatus(preferred, stateVersion, brokers)) {
    case 'absent':
      return { kind: 'not-available', preferred, reason: `preferred replica ${preferred} is down` };
    case 'shutting-down':
      return { kind: 'not-available', preferred, reason: `preferred replica ${preferred} is shutting down` };
    case 'restarted':
      return { kind: 'not-available', preferred, reason: `preferred replica ${preferred} has not rejoined the ISR since it restarted` };
    case 'live':
      break;
  }
  if (!state.isr.includes(preferred)) return { kind: 'not-available', preferred, reason: `preferred replica ${preferred} not in the ISR` };
  return { kind: 'elect', preferred, state: { leader: preferred, leaderEpoch: state.leaderEpoch + 1, isr: [...state.isr] } };
}
