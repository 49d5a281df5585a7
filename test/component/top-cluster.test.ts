// mq top's Ink views over a real 3-broker cluster found through etcd (`mq top --etcd`'s discovery): a
// broker row per broker with the controller marked, a replication factor 3 topic fully in sync, then
// kill -9 of a follower: the header counts it DOWN, the topic shows under-replicated partitions and the
// partition view names the lagging replica; after it restarts and catches up the ISR is whole again.
// Then a group's lag in the Groups view, computed against the partition leaders' high watermarks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { etcdDiscovery, type EtcdDiscovery } from '../../src/cli/etcd-discovery.js';
import { adminSource } from '../../tui/admin-source.js';
import { App } from '../../tui/app.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

let cluster: TestCluster;
let discovery: EtcdDiscovery;

before(async () => {
  cluster = await startCluster({ brokers: 3 });
  discovery = await etcdDiscovery({ endpoints: cluster.etcd.endpoint });
});

after(async () => {
  await discovery?.close();
  await cluster?.close();
});

test('mq top over a cluster: brokers with the controller, then an ISR that shrinks when a follower is killed and grows back', async (t) => {
  const topic = uniqueTopic('topisr');
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', '3', '-b', cluster.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const produced = await run(['produce', topic, '-b', cluster.bootstrap], { input: 'a\nb\nc\nd\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const controller = await cluster.controllerId();
  const leaders = await cluster.leaders(topic);
  // A broker that leads none of the topic's partitions (else any broker but the controller): killing it
  // shrinks ISRs without moving leadership.
  const victim = cluster.ids.find((id) => id !== controller && !leaders.includes(id)) ?? cluster.ids.find((id) => id !== controller)!;

  const app = render(createElement(App, { source: adminSource({ discover: () => discovery.brokers(), intervalMs: 200 }) }));
  t.after(() => app.unmount());
  const frame = (): string => app.lastFrame() ?? '';
  const until = (re: RegExp, timeoutMs = 20_000) => eventually(() => re.test(frame()), { timeoutMs }).catch(() => assert.fail(`screen never matched ${re}:\n${frame()}`));

  for (const id of cluster.ids) {
    await until(new RegExp(`^${id}\\s+127\\.0\\.0\\.1:${cluster.port(id)}\\s+up\\s+${id === controller ? '\\*' : '\\d'}`, 'm'));
  }
  assert.match(frame(), /brokers 3 up/);

  app.stdin.write('2');
  await until(new RegExp(`^${topic}\\s+3\\s+0\\s+4\\s`, 'm'));

  await cluster.kill(victim);
  await until(/brokers 2 up, 1 DOWN/);
  // The leaders drop the dead follower from their ISRs (replica.lag.time.max.ms 3000 in the test cluster).
  await until(new RegExp(`^${topic}\\s+3\\s+3\\s+4\\s`, 'm'));
  app.stdin.write('\r');
  await until(new RegExp(`Topic ${topic}`));
  await until(new RegExp(`^0\\s+\\d\\s+[\\d,]+\\s+[\\d,]+\\s+${victim} UNDER-REPLICATED`, 'm'));

  await cluster.restart(victim);
  await until(/^0\s+\d\s+\d,\d,\d\s+\d,\d,\d\s+\d+\s/m);
  // Every partition's ISR whole again (each leader adds the follower once it has caught up).
  await eventually(() => !/UNDER-REPLICATED/.test(frame()) && /brokers 3 up/.test(frame()), { timeoutMs: 20_000 })
    .catch(() => assert.fail(`ISR never whole again:\n${frame()}`));

  // A group's lag comes from the leaders' high watermarks, whichever broker coordinates the group:
  // committed at offset 1 (clamped to each partition's end), so the 4 records leave a lag of 3.
  const group = `${topic}-g`;
  const reset = await run(['groups', 'reset-offsets', group, '--topic', topic, '--to-offset', '1', '--execute', '-b', cluster.bootstrap]);
  assert.equal(reset.code, 0, reset.stderr);
  app.stdin.write('\u001B');
  app.stdin.write('3');
  await until(new RegExp(`^${group}\\s+\\S+\\s+0\\s+3\\s`, 'm'));
});
