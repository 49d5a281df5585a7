// Group membership against a real broker process: heartbeats run on their own timer, so a
// member busy longer than its session keeps its partitions; a member frozen past its session loses them
// and, when it runs again, rejoins (the coordinator answers UNKNOWN_MEMBER_ID); a static member
// (librdkafka's group.instance.id, JoinGroup v5) restarted within its session takes its old place without a
// rebalance; and kcat -G resumes from its committed offsets after a broker restart.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { startMember, type GroupMember } from '../helpers/group-member.js';
import { brokerPerFile, eventually, run, uniqueTopic } from '../helpers/mq-process.js';

// Sessions from 1 s are allowed here, so a frozen member is noticed quickly.
const env = { MQ_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MQ_GROUP_MIN_SESSION_TIMEOUT_MS: '1000' };
const shared = brokerPerFile({ env });

async function mq(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run([...args, '-b', shared.broker.bootstrap], { input, timeoutMs: 60_000 });
}

async function topicWith(partitions: number, prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  const created = await mq(['topics', 'create', topic, '-p', String(partitions)]);
  assert.equal(created.code, 0, created.stderr);
  return topic;
}

async function produceTo(topic: string, partition: number, values: string[]): Promise<void> {
  const res = await mq(['produce', topic, '-p', String(partition)], values.map((v) => `${v}\n`).join(''));
  assert.equal(res.code, 0, res.stderr);
}

const removals = (group: string, reason: string): number =>
  [...shared.broker.output().matchAll(new RegExp(`group member removed group=${group} member=\\S+ reason=${reason}`, 'g'))].length;
const rebalances = (group: string): number => [...shared.broker.output().matchAll(new RegExp(`group rebalanced group=${group} `, 'g'))].length;

test('heartbeats are independent of processing: --exec slower than the session keeps the partitions; a member frozen past its session loses them and rejoins when it runs again', async (t) => {
  const topic = await topicWith(4, 'hb');
  const group = uniqueTopic('hb');
  const args = ['--auto-offset-reset', 'earliest', '--session-timeout-ms', '2000'];
  // Each record takes 3 s to process, longer than the 2 s session.
  const slow = startMember(shared.broker.bootstrap, topic, group, [...args, '--exec', 'sleep 3; cat; echo']);
  const fast = startMember(shared.broker.bootstrap, topic, group, args);
  const list: GroupMember[] = [slow, fast];
  t.after(() => Promise.all(list.map((m) => m.kill9())));
  await eventually(() => slow.owned().size === 2 && fast.owned().size === 2, { timeoutMs: 20_000 });
  const events = [slow.events().length, fast.events().length];
  const generations = rebalances(group);

  for (const p of slow.owned()) await produceTo(topic, p, [`slow-${p}`]);
  await eventually(() => slow.lines().length === 2, { timeoutMs: 30_000 });
  assert.deepEqual(slow.lines().sort(), [...slow.owned()].map((p) => `slow-${p}`).sort());
  assert.deepEqual([slow.events().length, fast.events().length], events, 'no member was revoked or assigned anything meanwhile');
  assert.equal(rebalances(group), generations, 'no rebalance while the slow member worked');
  assert.equal(removals(group, 'session-timeout'), 0);

  // Frozen (SIGSTOP): no heartbeats; the coordinator removes it after its session and the other takes over.
  slow.proc.kill('SIGSTOP');
  try {
    await eventually(() => fast.owned().size === 4, { timeoutMs: 15_000 });
    assert.equal(removals(group, 'session-timeout'), 1);
  } finally {
    slow.proc.kill('SIGCONT');
  }
  // Running again, its next heartbeat is answered UNKNOWN_MEMBER_ID: it gives up its partitions and rejoins.
  const before = slow.events().length;
  await eventually(() => slow.owned().size === 2 && fast.owned().size === 2 && slow.events().slice(before).some((e) => e.kind === 'assigned'), { timeoutMs: 20_000 });
  assert.ok(slow.events().slice(before).some((e) => e.kind === 'revoked'), 'it gave up what it held before rejoining');
  assert.deepEqual([...slow.owned(), ...fast.owned()].sort(), [0, 1, 2, 3]);
  // Both work: a record on every partition arrives once.
  for (let p = 0; p < 4; p++) await produceTo(topic, p, [`again-${p}`]);
  await eventually(() => [...slow.lines(), ...fast.lines()].filter((l) => l.startsWith('again-')).length === 4, { timeoutMs: 30_000 });
  assert.deepEqual([...slow.lines(), ...fast.lines()].filter((l) => l.startsWith('again-')).sort(), ['again-0', 'again-1', 'again-2', 'again-3']);
});

/** A long-running `kcat -G` member; its stderr reports each assignment ("assigned: t [0], t [1]"). */
function kcatMember(group: string, topic: string, extra: string[], t: { after(fn: () => unknown): void }) {
  const proc: ChildProcess = spawn('kcat', ['-b', shared.broker.bootstrap, '-G', group, topic, '-X', 'session.timeout.ms=6000',
    '-X', 'heartbeat.interval.ms=200', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100', ...extra,
    '-u', '-f', '%p %o %s\\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const lines: string[] = [];
  proc.stderr!.on('data', (d) => { err += d; });
  let partial = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  t.after(async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGKILL'); await exited; } });
  return {
    lines,
    /** Partitions of the latest assignment, or null before the first. */
    assigned(): number[] | null {
      const all = [...err.matchAll(/assigned: (.*)/g)];
      return all.length === 0 ? null : [...all[all.length - 1][1].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort();
    },
    assignments: () => [...err.matchAll(/assigned: /g)].length,
    stderr: () => err,
    async stop() { proc.kill('SIGTERM'); await exited; },
  };
}

test('static membership (kcat, group.instance.id): a member restarted within its session takes its old partitions back without a rebalance; kcat -G resumes from its commits after a broker restart', async (t) => {
  const topic = await topicWith(4, 'static');
  const group = uniqueTopic('static');
  const first = kcatMember(group, topic, ['-X', 'group.instance.id=static-a'], t);
  await eventually(() => first.assigned()?.length === 4, { timeoutMs: 20_000 });
  const other = kcatMember(group, topic, [], t);
  await eventually(() => first.assigned()?.length === 2 && other.assigned()?.length === 2, { timeoutMs: 20_000 });
  const held = first.assigned()!;
  const otherAssignments = other.assignments();
  const generations = rebalances(group);

  // A static member sends no LeaveGroup when it stops; its place waits for it for the session timeout.
  await first.stop();
  const again = kcatMember(group, topic, ['-X', 'group.instance.id=static-a'], t);
  await eventually(() => again.assigned() !== null, { timeoutMs: 20_000 });
  assert.deepEqual(again.assigned(), held, 'the same partitions');
  assert.equal(rebalances(group), generations, 'no rebalance');
  assert.equal(other.assignments(), otherAssignments, 'the other member was not disturbed');
  assert.equal(removals(group, 'left') + removals(group, 'session-timeout'), 0);

  for (let p = 0; p < 4; p++) await produceTo(topic, p, [`a-${p}`, `b-${p}`]);
  await eventually(() => again.lines.length + other.lines.length === 8, { timeoutMs: 20_000 });
  await eventually(async () => {
    const d = JSON.parse((await mq(['groups', 'describe', group, '--json'])).stdout);
    return d.offsets.every((o: { committedOffset: number }) => o.committedOffset === 2);
  }, { timeoutMs: 20_000 });
  await again.stop();
  await other.stop();

  // Broker restart: the commits come back from the state store and kcat -G carries on after them.
  await shared.restart();
  for (let p = 0; p < 4; p++) await produceTo(topic, p, [`c-${p}`]);
  const r = await run(['-b', shared.broker.bootstrap, '-G', group, topic, '-X', 'auto.offset.reset=earliest', '-c', '4', '-f', '%s\\n', '-q'], { cmd: 'kcat', timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['c-0', 'c-1', 'c-2', 'c-3']);
});
