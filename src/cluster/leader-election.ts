// The controller's leader-election decision for one partition: a pure function of the partition's
// replica list, its state in the store (and that state's version) and the live registrations, so every
// case is unit-tested without a cluster. The controller (controller.ts) applies the decisions.
//
// Rules (contract section 3, Kafka's controller): a replica is judged against the state it appears in.
//   live          registered, not shutting down, and registered before the state was written
//                 (brokerEpoch < state version): the same run of the broker the state speaks of
//   restarted     registered again after the state was written (brokerEpoch > version): a new run,
//                 which may have lost what it had not flushed when it died
//   shutting-down registered with `shuttingDown: true` (controlled shutdown)
//   absent        no registration (dead, or its lease expired)
// - A live leader stays; every ISR member that is not live leaves the ISR (the leader adds it back once
//   it has caught up). leaderEpoch stays: only leader changes bump it.
// - Otherwise the new leader is the first replica, in replica-list order (replicas[0] is the preferred
//   leader), that is in the ISR and live; leaderEpoch + 1, ISR = its live members.
// - A shutting-down leader with no live ISR member to take over keeps leading until it stops.
// - With no live ISR member, a restarted ISR member is elected (the ISR of a partition whose brokers
//   all died and came back, e.g. a whole-cluster restart): it had everything committed up to its last
//   flush, which is the best there is. ISR = just it.
// - With no ISR member registered at all: unclean election (off by default) takes the first live or
//   restarted replica (ISR = just it; what the ISR had beyond it may be lost); otherwise leader -1 with
//   the ISR left as it was, so the first ISR member that returns is elected.
import type { PartitionState } from './topic-records.js';

export interface ElectionBroker {
  /** The registration's version (Kafka's broker epoch); comparable with partition state versions. */
  brokerEpoch: number;
  shuttingDown?: boolean;
}

export interface ElectionInput {
  /** The partition's replica list; replicas[0] is the preferred leader. */
  replicas: number[];
  state: PartitionState;
  /** The store version of `state` (MetadataCache.partitionVersion). */
  stateVersion: number;
  /** Registered brokers by id. */
  brokers: ReadonlyMap<number, ElectionBroker>;
  uncleanLeaderElectionEnable: boolean;
}

export interface ElectionDecision {
  /** The state to write (with a compare on stateVersion). */
  state: PartitionState;
  /** Why, for the log line: e.g. "leader 2 absent". */
  reason: string;
  /** Whether the leader changed (then leaderEpoch grew by one). */
  leaderChanged: boolean;
}

export type ReplicaStatus = 'live' | 'restarted' | 'shutting-down' | 'absent';

/** How broker `id` stands with respect to a partition state written at `stateVersion`. */
export function replicaStatus(id: number, stateVersion: number, brokers: ReadonlyMap<number, ElectionBroker>): ReplicaStatus {
  const b = brokers.get(id);
  if (!b) return 'absent';
  if (b.shuttingDown) return 'shutting-down';
  if (b.brokerEpoch > stateVersion) return 'restarted';
  return 'live';
}

/** The state the controller should write for this partition, or null when it is fine as it is. */
export function decideLeader(input: ElectionInput): ElectionDecision | null {
  const { replicas, state, stateVersion, brokers } = input;
  const status = (id: number): ReplicaStatus => replicaStatus(id, stateVersion, brokers);
  const liveIsr = state.isr.filter((id) => status(id) === 'live');
  const leaderStatus: ReplicaStatus | null = state.leader === -1 ? null : status(state.leader);

  if (leaderStatus === 'live') {
    const isr = liveIsr;
    if (sameMembers(isr, state.isr)) return null;
    const dropped = state.isr.filter((id) => !isr.includes(id));
    return {
      state: { leader: state.leader, leaderEpoch: state.leaderEpoch, isr },
      reason: `ISR members ${dropped.map((id) => `${id} ${status(id)}`).join(', ')}`,
      leaderChanged: false,
    };
  }

  const why = state.leader === -1 ? 'no leader' : `leader ${state.leader} ${leaderStatus}`;
  const elect = (leader: number, isr: number[], reason: string): ElectionDecision => ({
    state: { leader, leaderEpoch: state.leaderEpoch + 1, isr },
    reason,
    leaderChanged: true,
  });

  const clean = replicas.find((id) => liveIsr.includes(id));
  if (clean !== undefined) return elect(clean, liveIsr, why);

  if (leaderStatus === 'shutting-down') {
    // Nobody can take over: it keeps leading until it is gone; other non-live members still leave.
    const isr = state.isr.filter((id) => id === state.leader || status(id) === 'live');
    if (sameMembers(isr, state.isr)) return null;
    return { state: { ...state, isr }, reason: `${why}, no other ISR member live`, leaderChanged: false };
  }

  const returned = replicas.find((id) => state.isr.includes(id) && status(id) === 'restarted');
  if (returned !== undefined) return elect(returned, [returned], `${why}; ISR member ${returned} restarted and no ISR member live`);

  if (input.uncleanLeaderElectionEnable) {
    const any = replicas.find((id) => status(id) === 'live' || status(id) === 'restarted');
    if (any !== undefined) return elect(any, [any], `${why}; unclean election: no ISR member registered`);
  }

  if (state.leader === -1) return null;
  return elect(-1, state.isr, `${why}; no ISR member live`);
}

function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
