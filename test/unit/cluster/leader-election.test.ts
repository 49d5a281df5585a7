// The controller's leader-election decision (contract section 3): who leads after a broker is gone
// (unregistered, restarted with a newer broker epoch, shutting down), in preferred-replica order, with
// leader -1 and a kept ISR when no ISR member is left, and unclean election only when enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideLeader, replicaStatus, type ElectionBroker, type ElectionInput } from '../../../src/cluster/leader-election.js';
import type { PartitionState } from '../../../src/cluster/topic-records.js';

/** The partition state was written at version 100; brokers registered before it have epochs below. */
const V = 100;
const live = (id: number): [number, ElectionBroker] => [id, { brokerEpoch: id }];
const restarted = (id: number): [number, ElectionBroker] => [id, { brokerEpoch: V + id }];
const stopping = (id: number): [number, ElectionBroker] => [id, { brokerEpoch: id, shuttingDown: true }];

function decide(state: PartitionState, brokers: [number, ElectionBroker][], opts: Partial<ElectionInput> = {}) {
  return decideLeader({ replicas: [1, 2, 3], state, stateVersion: V, brokers: new Map(brokers), uncleanLeaderElectionEnable: false, ...opts });
}

test('replica status: absent, shutting down (even if restarted), restarted, live', () => {
  const brokers = new Map([live(1), restarted(2), stopping(3), [4, { brokerEpoch: V + 4, shuttingDown: true }]]);
  assert.equal(replicaStatus(1, V, brokers), 'live');
  assert.equal(replicaStatus(2, V, brokers), 'restarted');
  assert.equal(replicaStatus(3, V, brokers), 'shutting-down');
  assert.equal(replicaStatus(4, V, brokers), 'shutting-down');
  assert.equal(replicaStatus(5, V, brokers), 'absent');
});

test('nothing to do while the leader and the whole ISR are live', () => {
  assert.equal(decide({ leader: 1, leaderEpoch: 3, isr: [1, 2, 3] }, [live(1), live(2), live(3)]), null);
  // A replica outside the ISR being absent is the leader's business, not the controller's.
  assert.equal(decide({ leader: 1, leaderEpoch: 3, isr: [1, 2] }, [live(1), live(2)]), null);
});

test('a gone leader hands over to the first replica in replica order that is in the ISR and live', () => {
  const d = decide({ leader: 1, leaderEpoch: 3, isr: [3, 1, 2] }, [live(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 2, leaderEpoch: 4, isr: [3, 2] });
  assert.equal(d.leaderChanged, true);
  assert.match(d.reason, /leader 1 absent/);
  // Preferred order comes from the replica list, not the ISR's order.
  const e = decide({ leader: 2, leaderEpoch: 0, isr: [2, 1, 3] }, [live(1), live(3)], { replicas: [2, 3, 1] })!;
  assert.equal(e.state.leader, 3);
});

test('a replica outside the ISR is never elected cleanly', () => {
  const d = decide({ leader: 1, leaderEpoch: 7, isr: [1, 3] }, [live(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 3, leaderEpoch: 8, isr: [3] });
});

test('a restarted leader (newer broker epoch than the state) is gone: leadership moves, it leaves the ISR', () => {
  const d = decide({ leader: 1, leaderEpoch: 2, isr: [1, 2, 3] }, [restarted(1), live(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 2, leaderEpoch: 3, isr: [2, 3] });
  assert.match(d.reason, /leader 1 restarted/);
});

test('a restarted or absent follower leaves the ISR; the leader and leader epoch stay', () => {
  const d = decide({ leader: 1, leaderEpoch: 5, isr: [1, 2, 3] }, [live(1), restarted(2)])!;
  assert.deepEqual(d.state, { leader: 1, leaderEpoch: 5, isr: [1] });
  assert.equal(d.leaderChanged, false);
  assert.match(d.reason, /2 restarted, 3 absent/);
});

test('a shutting-down leader hands over to a live ISR member; shutting-down followers leave the ISR', () => {
  const d = decide({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, [stopping(1), live(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 2, leaderEpoch: 1, isr: [2, 3] });
  assert.match(d.reason, /leader 1 shutting-down/);
  const f = decide({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, [live(1), stopping(2), live(3)])!;
  assert.deepEqual(f.state, { leader: 1, leaderEpoch: 0, isr: [1, 3] });
  // A shutting-down broker is not elected, even if it is the preferred replica.
  const g = decide({ leader: 2, leaderEpoch: 0, isr: [1, 2, 3] }, [stopping(1), live(3)])!;
  assert.equal(g.state.leader, 3);
});

test('a shutting-down leader with nobody to take over keeps leading; other gone ISR members still leave', () => {
  assert.equal(decide({ leader: 1, leaderEpoch: 4, isr: [1] }, [stopping(1), live(2)]), null);
  const d = decide({ leader: 1, leaderEpoch: 4, isr: [1, 2] }, [stopping(1)])!;
  assert.deepEqual(d.state, { leader: 1, leaderEpoch: 4, isr: [1] });
  assert.equal(d.leaderChanged, false);
});

test('no ISR member registered: leader -1 with a new epoch and the ISR kept as it was', () => {
  const d = decide({ leader: 1, leaderEpoch: 2, isr: [1, 2] }, [live(3)])!;
  assert.deepEqual(d.state, { leader: -1, leaderEpoch: 3, isr: [1, 2] });
  assert.match(d.reason, /no ISR member live/);
  // ... and nothing more to do while it stays that way.
  assert.equal(decide({ leader: -1, leaderEpoch: 3, isr: [1, 2] }, [live(3)]), null);
});

test('leader -1: the first ISR member to register again is elected (it is a new run, so "restarted")', () => {
  const d = decide({ leader: -1, leaderEpoch: 3, isr: [1, 2] }, [restarted(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 2, leaderEpoch: 4, isr: [2] });
  assert.match(d.reason, /ISR member 2 restarted/);
  // Both back: replica order decides.
  assert.equal(decide({ leader: -1, leaderEpoch: 3, isr: [2, 1] }, [restarted(2), restarted(1)])!.state.leader, 1);
});

test('whole-cluster restart: every ISR member restarted, the preferred one leads again', () => {
  const d = decide({ leader: 2, leaderEpoch: 9, isr: [1, 2, 3] }, [restarted(1), restarted(2), restarted(3)])!;
  assert.deepEqual(d.state, { leader: 1, leaderEpoch: 10, isr: [1] });
});

test('a restarted ISR member is elected only when no live ISR member exists', () => {
  const d = decide({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, [restarted(2), live(3)])!;
  assert.deepEqual(d.state, { leader: 3, leaderEpoch: 1, isr: [3] });
});

test('unclean election off: a live replica outside the ISR is not elected; on: it is, alone in the ISR', () => {
  const state = { leader: 1, leaderEpoch: 6, isr: [1] };
  assert.deepEqual(decide(state, [live(2), live(3)])!.state, { leader: -1, leaderEpoch: 7, isr: [1] });
  const d = decide(state, [live(2), live(3)], { uncleanLeaderElectionEnable: true })!;
  assert.deepEqual(d.state, { leader: 2, leaderEpoch: 7, isr: [2] });
  assert.match(d.reason, /unclean/);
  // Unclean election still never picks a shutting-down broker, and prefers a returning ISR member.
  assert.equal(decide(state, [stopping(2), live(3)], { uncleanLeaderElectionEnable: true })!.state.leader, 3);
  assert.equal(decide({ leader: -1, leaderEpoch: 7, isr: [1] }, [restarted(1), live(2)], { uncleanLeaderElectionEnable: true })!.state.leader, 1);
  // Nobody registered at all: leader -1 even with unclean election on.
  assert.equal(decide(state, [], { uncleanLeaderElectionEnable: true })!.state.leader, -1);
});

test('replication factor 1: a restarted sole replica is re-elected with a new epoch (so it may lead again)', () => {
  const d = decideLeader({ replicas: [4], state: { leader: 4, leaderEpoch: 0, isr: [4] }, stateVersion: V, brokers: new Map([restarted(4)]), uncleanLeaderElectionEnable: false })!;
  assert.deepEqual(d.state, { leader: 4, leaderEpoch: 1, isr: [4] });
  // Killed and not back: leader -1, then elected on return.
  const gone = decideLeader({ replicas: [4], state: { leader: 4, leaderEpoch: 1, isr: [4] }, stateVersion: V, brokers: new Map(), uncleanLeaderElectionEnable: false })!;
  assert.deepEqual(gone.state, { leader: -1, leaderEpoch: 2, isr: [4] });
});

test('every decision is stable: applying it (as a newer state version) asks for nothing more', () => {
  const brokerSets: [number, ElectionBroker][][] = [
    [live(1), live(2), live(3)], [live(2), live(3)], [restarted(1), live(2)], [stopping(1), live(2), restarted(3)],
    [restarted(1), restarted(2), restarted(3)], [], [stopping(1)], [live(3)],
  ];
  const states: PartitionState[] = [
    { leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }, { leader: -1, leaderEpoch: 2, isr: [1, 2] }, { leader: 2, leaderEpoch: 1, isr: [2] },
    { leader: 3, leaderEpoch: 1, isr: [1, 3] },
  ];
  for (const unclean of [false, true]) {
    for (const brokers of brokerSets) {
      for (const state of states) {
        const d = decide(state, brokers, { uncleanLeaderElectionEnable: unclean });
        if (!d) continue;
        assert.ok(d.state.leader === -1 || d.state.isr.includes(d.state.leader), `leader in ISR: ${JSON.stringify(d.state)}`);
        assert.equal(d.state.leaderEpoch, state.leaderEpoch + (d.leaderChanged ? 1 : 0));
        assert.ok(d.state.isr.length > 0, 'the ISR is never emptied');
        // Brokers that were live at the old version are still "live" at the new one; the rest keep their status.
        const again = decideLeader({ replicas: [1, 2, 3], state: d.state, stateVersion: V + 50, brokers: new Map(brokers), uncleanLeaderElectionEnable: unclean });
        assert.equal(again, null, `${JSON.stringify(state)} -> ${JSON.stringify(d.state)} with ${JSON.stringify(brokers)} then ${JSON.stringify(again)}`);
      }
    }
  }
});
