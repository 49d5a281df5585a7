// Preferred leader elections in the controller, on the embedded LocalStore (the same MetadataStore
// contract as etcd) with real BrokerRegistry + MetadataCache + ControllerElection + Controller per
// "broker" in one process: ElectLeaders for every partition moves leadership back to replicas[0] where it
// is live and in the ISR (epoch + 1, ISR kept, one log line per move) and says why not elsewhere; only
// the controller answers; and with auto.leader.rebalance.enable the controller does it on its own.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { LocalStore } from '../../../src/cluster/local-store.js';
import type { BrokerConfig } from '../../../src/config/config.js';
import type { PartitionState, TopicRecord } from '../../../src/cluster/topic-records.js';
import { eventually } from '../../helpers/mq-process.js';
import { startLocalControllers, type LocalNode } from '../../helpers/local-controllers.js';

async function cluster(t: TestContext, overrides: Partial<BrokerConfig> = {}): Promise<{ store: LocalStore; nodes: LocalNode[]; ctl: LocalNode }> {
  return startLocalControllers(t, [1, 2, 3], { config: overrides });
}

async function replicasOf(store: LocalStore, topic: string): Promise<number[][]> {
  return (JSON.parse((await store.get(`topics/${topic}`))!.value) as TopicRecord).replicas;
}

async function stateOf(store: LocalStore, topic: string, p: number): Promise<PartitionState> {
  return JSON.parse((await store.get(`partitions/${topic}/${p}`))!.value) as PartitionState;
}

/** Writes a partition state as a leader change by someone else would (after every broker registered). */
async function putState(store: LocalStore, topic: string, p: number, state: PartitionState): Promise<void> {
  await store.txn([], [{ put: { key: `partitions/${topic}/${p}`, value: JSON.stringify(state) } }]);
}

test('ElectLeaders for every partition: moved where the preferred replica is live and in the ISR, reasons elsewhere', async (t) => {
  const { store, nodes, ctl } = await cluster(t);
  await ctl.controller.createTopic({ name: 'pref', numPartitions: 3, replicationFactor: 3, assignments: [], configs: {}, validateOnly: false });
  const replicas = await replicasOf(store, 'pref');
  // Partition 0: led by its second replica, everyone in the ISR. Partition 1: its preferred replica fell out of the ISR.
  await putState(store, 'pref', 0, { leader: replicas[0][1], leaderEpoch: 1, isr: [...replicas[0]] });
  await putState(store, 'pref', 1, { leader: replicas[1][1], leaderEpoch: 1, isr: replicas[1].slice(1) });
  await eventually(() => ctl.cache.partition('pref', 1)?.leader === replicas[1][1]);

  const results = await ctl.controller.electPreferredLeaders(null);
  assert.deepEqual(results, [
    { topic: 'pref', partition: 0, error: null, message: null },
    { topic: 'pref', partition: 1, error: 'PREFERRED_LEADER_NOT_AVAILABLE', message: `preferred replica ${replicas[1][0]} not in the ISR` },
    { topic: 'pref', partition: 2, error: 'ELECTION_NOT_NEEDED', message: `preferred replica ${replicas[2][0]} already leads` },
  ]);
  assert.deepEqual(await stateOf(store, 'pref', 0), { leader: replicas[0][0], leaderEpoch: 2, isr: replicas[0] });
  assert.equal(ctl.cache.partition('pref', 0)?.leader, replicas[0][0], 'answered once the cache shows the new leader');
  assert.deepEqual(await stateOf(store, 'pref', 1), { leader: replicas[1][1], leaderEpoch: 1, isr: replicas[1].slice(1) }, 'untouched');
  const moved = ctl.lines.filter((l) => /partition leader elected topic=pref /.test(l));
  assert.equal(moved.length, 1);
  assert.match(moved[0], new RegExp(`partition=0 from=${replicas[0][1]} to=${replicas[0][0]} leaderEpoch=2 .*reason="preferred leader election requested"`));

  // A second run: nothing to do; a listed partition that does not exist is named.
  const again = await ctl.controller.electPreferredLeaders([{ topic: 'pref', partition: 0 }, { topic: 'pref', partition: 0 }, { topic: 'pref', partition: 9 }, { topic: 'nope', partition: 0 }]);
  assert.deepEqual(again.map((r) => r.error), ['ELECTION_NOT_NEEDED', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION'], 'duplicates answered once');

  const other = nodes.find((n) => n !== ctl)!;
  await assert.rejects(other.controller.electPreferredLeaders(null), { code: 'NOT_CONTROLLER' });
});

test('auto.leader.rebalance.enable: the controller moves leaders back to preferred replicas every check interval', async (t) => {
  const { store, ctl } = await cluster(t, { leaderImbalanceCheckIntervalSeconds: 1, leaderImbalancePerBrokerPercentage: 10 });
  await ctl.controller.createTopic({ name: 'auto', numPartitions: 6, replicationFactor: 3, assignments: [], configs: {}, validateOnly: false });
  const replicas = await replicasOf(store, 'auto');
  // Every partition led by its second replica (as after a restart of each preferred broker in turn).
  for (const [p, list] of replicas.entries()) await putState(store, 'auto', p, { leader: list[1], leaderEpoch: 1, isr: [...list] });
  const states = (await eventually(async () => {
    const all = await Promise.all(replicas.map((_, p) => stateOf(store, 'auto', p)));
    return all.every((s, p) => s.leader === replicas[p][0]) ? all : null;
  }, { timeoutMs: 10_000 }))!;
  for (const s of states) assert.equal(s.leaderEpoch, 2);
  // The embedded store shows a write before the controller's txn call returns (it then persists the
  // file), and the controller logs after that return: wait for the lines, then count them.
  const movedLines = () => ctl.lines.filter((l) => /partition leader elected topic=auto /.test(l));
  await eventually(() => movedLines().length >= 6);
  const moved = movedLines();
  assert.equal(moved.length, 6, 'one log line per moved partition');
  assert.match(moved[0], /reason="leader imbalance: broker \d leads 0 of the 2 partitions it is preferred leader of \(100% led elsewhere > leader.imbalance.per.broker.percentage=10\)"/);
});
