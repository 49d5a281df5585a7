// The group coordinator in cluster mode, failing over: it is chosen by hashing the group id over the live
// brokers, so when the coordinator dies the group moves to another broker, which must answer with the
// offsets committed through the dead one (every broker follows the commits in etcd), not with what it
// read at its own start. A consumer started afterwards resumes exactly after those commits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { coordinatorFor } from '../../src/group/coordinator-choice.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { keyedLines } from '../helpers/group-member.js';
import { eventually, run, uniqueTopic } from '../helpers/mq-process.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startCluster({ brokers: 2 });
});
after(() => cluster?.close());

test('kill -9 of a group\'s coordinator: the other broker coordinates it with the committed offsets, and a consumer resumes after them', { timeout: 180_000 }, async () => {
  const mq = (args: string[], input?: string, bootstrap = cluster.bootstrap) => run([...args, '-b', bootstrap], { input, timeoutMs: 60_000 });
  const topic = uniqueTopic('coord');
  const created = await mq(['topics', 'create', topic, '-p', '2', '-r', '2']);
  assert.equal(created.code, 0, created.stderr);
  await eventually(async () => (await cluster.leaders(topic)).every((l) => l > 0), { timeoutMs: 20_000 });
  // A group broker 1 coordinates while both brokers live (broker 2 takes it when broker 1 is gone).
  let i = 0;
  while (coordinatorFor(`coord-group-${i}`, cluster.ids) !== 1) i++;
  const group = `coord-group-${i}`;

  const first = await mq(['produce', topic, '-k', ':', '--acks', 'all'], keyedLines(100));
  assert.equal(first.code, 0, first.stderr);
  const consumed = await mq(['consume', topic, '-g', group, '-o', 'beginning', '-c', '100']);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.trim().split('\n').length, 100);

  await cluster.kill(1);
  const other = `127.0.0.1:${cluster.port(2)}`;
  // Once broker 2 sees broker 1 gone it coordinates the group, with its committed offsets.
  await eventually(async () => {
    const d = await mq(['groups', 'describe', group, '--json'], undefined, other);
    if (d.code !== 0) return false;
    const offsets = JSON.parse(d.stdout).offsets as { committedOffset: number }[];
    return offsets.reduce((n, o) => n + Math.max(0, o.committedOffset), 0) === 100;
  }, { timeoutMs: 30_000, intervalMs: 500 });

  await eventually(async () => (await cluster.leaders(topic)).every((l) => l === 2), { timeoutMs: 30_000 });
  const more = await mq(['produce', topic, '-k', ':', '--acks', 'all'], keyedLines(50, 100), other);
  assert.equal(more.code, 0, more.stderr);
  // Without -o the group starts at its committed offsets (a group with none would start at the end and wait).
  const resumed = await mq(['consume', topic, '-g', group, '-c', '50'], undefined, other);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(resumed.stdout.trim().split('\n').sort(), Array.from({ length: 50 }, (_, i) => `v${100 + i}`).sort());
});
