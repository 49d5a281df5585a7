// Consumer groups end to end: `mq consume -g` processes, `mq groups` and kafkajs against a real broker
// process. Sessions are short (6 s, the broker's minimum) and the initial rebalance delay is 300 ms.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { keyedLines, startMember, type GroupMember } from '../helpers/group-member.js';
import { eventually, run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';

const SESSION_MS = 6000;
const MEMBER_ARGS = ['--auto-offset-reset', 'earliest', '--session-timeout-ms', String(SESSION_MS)];

let broker: BrokerProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  dir = await tempDir();
  broker = await startBrokerProcess(dir.path, { env: { MQ_GROUP_INITIAL_REBALANCE_DELAY_MS: '300' } });
});
after(async () => {
  await broker.stop();
  await dir.remove();
});

async function mq(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run([...args, '-b', broker.bootstrap], { input, timeoutMs: 120_000 });
}

async function topicWith(partitions: number, records = 0, prefix = 'grp'): Promise<string> {
  const topic = uniqueTopic(prefix);
  const created = await mq(['topics', 'create', topic, '-p', String(partitions)]);
  assert.equal(created.code, 0, created.stderr);
  if (records > 0) await produce(topic, records);
  return topic;
}

/** Log end offset by partition, from `mq groups describe GROUP --json`. */
async function logEndOffsets(group: string): Promise<number[]> {
  const res = await mq(['groups', 'describe', group, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const ends: number[] = [];
  for (const o of JSON.parse(res.stdout).offsets as { partition: number; logEndOffset: number }[]) ends[o.partition] = o.logEndOffset;
  return ends;
}

async function produce(topic: string, n: number, from = 0): Promise<void> {
  const res = await mq(['produce', topic, '-k', ':'], keyedLines(n, from));
  assert.equal(res.code, 0, res.stderr);
}

function members(n: number, topic: string, group: string, args: string[] = []): GroupMember[] {
  return Array.from({ length: n }, () => startMember(broker.bootstrap, topic, group, [...MEMBER_ARGS, ...args]));
}

async function stopAll(list: GroupMember[]): Promise<void> {
  await Promise.all(list.map((m) => m.kill9()));
}

/** Every member owns `each` partitions and together they own 0..total-1 once. */
function balanced(list: GroupMember[], each: number[], total: number): boolean {
  const sizes = list.map((m) => m.owned().size).sort();
  const all = list.flatMap((m) => [...m.owned()]);
  return JSON.stringify(sizes) === JSON.stringify([...each].sort()) && new Set(all).size === total && all.length === total;
}

function countLines(list: GroupMember[]): { total: number; unique: Set<string> } {
  const unique = new Set<string>();
  let total = 0;
  for (const m of list) for (const l of m.lines()) { unique.add(l); total++; }
  return { total, unique };
}

describe('mq consume -g', () => {
  test('point-to-point: 3 members share 6 partitions (2 each) and output 300,000 keyed records exactly once; publish-subscribe: another group gets them all too', async (t) => {
    const topic = await topicWith(6, 300_000, 'p2p');
    const group = members(3, topic, 'p2p-a');
    const other = members(1, topic, 'p2p-b');
    t.after(() => stopAll([...group, ...other]));
    await eventually(() => countLines(group).total >= 300_000 && countLines(other).total >= 300_000, { timeoutMs: 120_000, intervalMs: 250 });
    await eventually(() => balanced(group, [2, 2, 2], 6), { timeoutMs: 30_000 });
    const { total, unique } = countLines(group);
    assert.equal(total, 300_000, 'no record twice');
    assert.equal(unique.size, 300_000);
    for (let i = 0; i < 300_000; i += 7919) assert.ok(unique.has(`v${i}`), `v${i} consumed`);
    const b = countLines(other);
    assert.equal(b.total, 300_000);
    assert.deepEqual([...b.unique].sort(), [...unique].sort(), 'the second group got every record as well');
    for (const m of group) assert.ok(m.lines().length > 0, 'every member consumed');
  });

  for (const delivery of ['at-least-once', 'at-most-once'] as const) {
    test(`kill -9 of one of 3 members mid-stream: its partitions move within the session timeout + 1 s; ${delivery}`, async (t) => {
      const records = 150_000;
      const topic = await topicWith(6, 0, 'kill');
      const group = members(3, topic, `kill-${delivery}`, ['--delivery', delivery, '-f', '%p:%o:%s\\n']);
      t.after(() => stopAll(group));
      await eventually(() => balanced(group, [2, 2, 2], 6), { timeoutMs: 20_000 })
        .catch((e: Error) => { throw new Error(`${e.message}; the members said:\n${group.map((m) => m.stderr()).join('\n---\n')}`); });
      const [victim, ...survivors] = group;
      const victimPartitions = [...victim.owned()];
      // Nobody reads the victim's stdout: the pipe fills, so it is stuck in the middle of its share (about
      // 50,000 lines, far more than a pipe holds) with records handed out but not yet written when it dies.
      victim.pauseStdout();
      await produce(topic, records);
      const ends = await logEndOffsets(`kill-${delivery}`);
      const victimShare = victimPartitions.reduce((n, p) => n + ends[p], 0);
      await eventually(() => countLines(survivors).total >= records - victimShare, { timeoutMs: 60_000, intervalMs: 250 });
      const killedAt = Date.now();
      await victim.kill9();
      victim.resumeStdout();
      await victim.stdoutDone;
      await eventually(() => balanced(survivors, [3, 3], 6), { timeoutMs: SESSION_MS + 5000 });
      const movedAt = Math.max(...survivors.map((m) => Math.max(...m.events().filter((e) => e.kind === 'assigned').map((e) => e.at))));
      t.diagnostic(`partitions moved ${movedAt - killedAt} ms after kill -9 (session timeout ${SESSION_MS} ms)`);
      assert.ok(movedAt - killedAt <= SESSION_MS + 1000, `moved after ${movedAt - killedAt} ms`);
      assert.ok(victim.lines().length < victimShare, `the victim was killed mid-stream (${victim.lines().length} of ${victimShare} written)`);

      // Where the victim's output ends and where the survivors took over (its last commit), per partition.
      const parse = (l: string) => { const [p, o] = l.split(':'); return { p: Number(p), o: Number(o) }; };
      const written = new Map<number, number>();
      for (const l of victim.lines()) { const { p, o } = parse(l); written.set(p, Math.max(written.get(p) ?? -1, o)); }
      // The survivors read the victim's partitions from its last commit to the end.
      const from = new Map<number, number>();
      const last = new Map<number, number>();
      await eventually(() => {
        for (const m of survivors) {
          for (const l of m.lines()) {
            const { p, o } = parse(l);
            if (!victimPartitions.includes(p)) continue;
            from.set(p, Math.min(from.get(p) ?? Infinity, o));
            last.set(p, Math.max(last.get(p) ?? -1, o));
          }
        }
        return victimPartitions.every((p) => last.get(p) === ends[p] - 1);
      }, { timeoutMs: 60_000, intervalMs: 500 });
      const { total, unique } = countLines(group);
      if (delivery === 'at-least-once') {
        assert.equal(unique.size, records, 'nothing lost');
        for (const p of victimPartitions) {
          assert.ok(from.get(p)! <= (written.get(p) ?? -1) + 1, `partition ${p}: committed ${from.get(p)} is not past what was written (${written.get(p)})`);
        }
        // Duplicates: exactly the victim's lines after its last commit, nothing else.
        const expected = victim.lines().filter((l) => { const { p, o } = parse(l); return o >= from.get(p)!; }).length;
        assert.equal(total - unique.size, expected, 'duplicates only from the uncommitted window');
        t.diagnostic(`${total - unique.size} duplicates from the killed member's uncommitted window`);
      } else {
        assert.equal(total, unique.size, 'nothing duplicated');
        for (const p of victimPartitions) {
          assert.ok(from.get(p)! > (written.get(p) ?? -1), `partition ${p}: committed ${from.get(p)} before writing (${written.get(p)})`);
        }
        const lost = records - unique.size;
        const committedNotWritten = victimPartitions.reduce((n, p) => n + from.get(p)! - (written.get(p) ?? -1) - 1, 0);
        assert.equal(lost, committedNotWritten, 'lost only what the victim committed and had not written');
        t.diagnostic(`${lost} records lost (committed by the killed member, not written)`);
      }
    });
  }

  test('a member that leaves cleanly hands its partitions over without waiting for the session timeout', async (t) => {
    const topic = await topicWith(6, 0, 'leave');
    const group = [0, 1, 2].map(() => startMember(broker.bootstrap, topic, 'leave', ['--auto-offset-reset', 'earliest', '--session-timeout-ms', '60000']));
    t.after(() => stopAll(group));
    await eventually(() => balanced(group, [2, 2, 2], 6), { timeoutMs: 20_000 });
    const [leaver, ...stay] = group;
    assert.equal(await leaver.stop(), 0);
    // Well under the 60 s session: the LeaveGroup started the rebalance.
    await eventually(() => balanced(stay, [3, 3], 6), { timeoutMs: 10_000 });
    await produce(topic, 600);
    await eventually(() => countLines(stay).unique.size === 600, { timeoutMs: 20_000 });
  });

  test('cooperative-sticky: a 4th member takes partitions one by one; the others keep the rest throughout', async (t) => {
    const topic = await topicWith(6, 0, 'coop');
    const group = members(3, topic, 'coop', ['--assignor', 'cooperative-sticky']);
    t.after(() => stopAll(group));
    await eventually(() => balanced(group, [2, 2, 2], 6), { timeoutMs: 20_000 });
    const before = group.map((m) => new Set(m.owned()));
    const eventsBefore = group.map((m) => m.events().length);
    const fourth = startMember(broker.bootstrap, topic, 'coop', [...MEMBER_ARGS, '--assignor', 'cooperative-sticky']);
    group.push(fourth);
    await eventually(() => balanced(group, [2, 2, 1, 1], 6), { timeoutMs: 30_000 });
    const taken = fourth.owned();
    assert.equal(taken.size, 1);
    for (let i = 0; i < 3; i++) {
      const later = group[i].events().slice(eventsBefore[i]);
      assert.ok(later.every((e) => e.kind === 'revoked'), `member ${i} was only asked to give up partitions: ${JSON.stringify(later)}`);
      for (const e of later) for (const p of e.partitions) assert.ok(taken.has(p), `member ${i} gave up only what the new member took (${p})`);
      for (const p of group[i].owned()) assert.ok(before[i].has(p), `member ${i} kept its own partitions`);
    }
    await produce(topic, 1200);
    await eventually(() => countLines(group).unique.size === 1200, { timeoutMs: 20_000 });
    assert.equal(countLines(group).total, 1200);
  });

  for (const first of ['kafkajs', 'mq'] as const) {
    test(`a mixed group: kafkajs 2.2.4 and mq consume share the partitions (RoundRobinAssigner); ${first} joins first and leads`, async (t) => {
      const topic = await topicWith(4, 0, 'mixed');
      const groupId = `mixed-${first}`;
      const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'kjs-mixed', logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 500 });
      const seenByKafkajs: string[] = [];
      let kjsPartitions: number[] = [];
      consumer.on(consumer.events.GROUP_JOIN, (e) => { kjsPartitions = e.payload.memberAssignment[topic] ?? []; });
      let mqMember: GroupMember | null = null;
      t.after(() => mqMember?.kill9());
      if (first === 'mq') {
        mqMember = startMember(broker.bootstrap, topic, groupId, MEMBER_ARGS);
        await eventually(() => mqMember!.owned().size === 4, { timeoutMs: 20_000 });
      }
      await consumer.connect();
      t.after(() => consumer.disconnect());
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => { seenByKafkajs.push(message.value!.toString()); } });
      mqMember ??= startMember(broker.bootstrap, topic, groupId, MEMBER_ARGS);
      const mqm = mqMember;
      await eventually(() => mqm.owned().size === 2 && kjsPartitions.length === 2, { timeoutMs: 30_000 });
      assert.deepEqual([...mqm.owned(), ...kjsPartitions].sort(), [0, 1, 2, 3]);
      await produce(topic, 2000);
      await eventually(() => seenByKafkajs.length + mqm.lines().length >= 2000, { timeoutMs: 30_000 });
      const all = [...seenByKafkajs, ...mqm.lines()];
      assert.equal(all.length, 2000);
      assert.equal(new Set(all).size, 2000);
      assert.ok(seenByKafkajs.length > 0 && mqm.lines().length > 0, 'both kinds of member consumed');
      const d = JSON.parse((await mq(['groups', 'describe', groupId, '--json'])).stdout);
      assert.equal(d.protocol, 'RoundRobinAssigner');
      assert.deepEqual(d.members.map((m: { clientId: string }) => m.clientId).sort(), ['kjs-mixed', 'mq-cli']);
    });
  }
});

describe('mq consume -g --exec', () => {
  test('a failing CMD stops the consumer with nothing committed past the failure; the next run (--batch) resumes there', async () => {
    const topic = await topicWith(1, 20, 'exec');
    const failing = await mq(['consume', topic, '-g', 'exec', '--auto-offset-reset', 'earliest', '--exec', 'v=$(cat); test "$v" != v7 && echo "ran $v"']);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /command failed at .*-0 offset 7; nothing from there on was committed/);
    assert.deepEqual(failing.stdout.trim().split('\n'), Array.from({ length: 7 }, (_, i) => `ran v${i}`));
    const d = JSON.parse((await mq(['groups', 'describe', 'exec', '--json'])).stdout);
    assert.equal(d.offsets[0].committedOffset, 7);

    const batch = await mq(['consume', topic, '-g', 'exec', '-c', '13', '--batch', '--exec', 'echo "batch of $(wc -l) from $MQ_OFFSET"']);
    assert.equal(batch.code, 0, batch.stderr);
    assert.match(batch.stdout, /^batch of 13 from 7$/m);
    const after = JSON.parse((await mq(['groups', 'describe', 'exec', '--json'])).stdout);
    assert.equal(after.offsets[0].committedOffset, 20);
  });
});

describe('mq groups', () => {
  test('describe shows lag while the consumer is stopped mid-topic; reset-offsets plans, refuses with live members, executes; a restarted consumer starts there; delete', async () => {
    const topic = await topicWith(2, 1000, 'lag');
    const first = await mq(['consume', topic, '-g', 'lag', '--auto-offset-reset', 'earliest', '-c', '300']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim().split('\n').length, 300);

    const described = JSON.parse((await mq(['groups', 'describe', 'lag', '--json'])).stdout);
    assert.equal(described.state, 'Empty');
    const committed = described.offsets.reduce((s: number, o: { committedOffset: number }) => s + Math.max(0, o.committedOffset), 0);
    assert.equal(committed, 300);
    assert.equal(described.offsets.reduce((s: number, o: { logEndOffset: number }) => s + o.logEndOffset, 0), 1000);
    assert.equal(described.offsets.length, 2, 'both partitions, committed or not');
    for (const o of described.offsets) assert.equal(o.lag, o.committedOffset < 0 ? null : o.logEndOffset - o.committedOffset);
    const table = await mq(['groups', 'describe', 'lag']);
    assert.match(table.stdout, /^TOPIC\s+PARTITION\s+COMMITTED\s+LOG-END\s+LAG\s+MEMBER-ID\s+CLIENT-ID\s+HOST$/m);
    assert.match(table.stdout, /state Empty/);
    assert.match((await mq(['groups', 'list'])).stdout, /^lag\s+consumer\s+Empty$/m);
    assert.deepEqual(JSON.parse((await mq(['groups', 'list', '--json'])).stdout).find((g: { groupId: string }) => g.groupId === 'lag'), { groupId: 'lag', protocolType: 'consumer', state: 'Empty' });

    const dry = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, '--to-earliest']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET$/m);
    assert.match(dry.stdout, new RegExp(`^${topic}\\s+0\\s+\\d+\\s+0$`, 'm'));
    assert.match(dry.stderr, /dry run/);
    const still = JSON.parse((await mq(['groups', 'describe', 'lag', '--json'])).stdout);
    assert.deepEqual(still.offsets.map((o: { committedOffset: number }) => o.committedOffset), described.offsets.map((o: { committedOffset: number }) => o.committedOffset));

    const live = startMember(broker.bootstrap, topic, 'lag', MEMBER_ARGS);
    try {
      await eventually(() => live.owned().size === 2, { timeoutMs: 20_000 });
      const refused = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, '--to-earliest', '--execute']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /live member/);
    } finally {
      await live.stop();
    }

    const applied = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, '--to-offset', '100', '--execute', '--json']);
    assert.equal(applied.code, 0, applied.stderr);
    const plan = JSON.parse(applied.stdout);
    assert.equal(plan.executed, true);
    assert.deepEqual(plan.partitions.map((p: { newOffset: number }) => p.newOffset), [100, 100]);
    const after = JSON.parse((await mq(['groups', 'describe', 'lag', '--json'])).stdout);
    assert.deepEqual(after.offsets.map((o: { committedOffset: number }) => o.committedOffset), [100, 100]);

    const shifted = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, '--shift-by', '-50', '--json']);
    assert.deepEqual(JSON.parse(shifted.stdout).partitions.map((p: { currentOffset: number; newOffset: number }) => [p.currentOffset, p.newOffset]), [[100, 50], [100, 50]]);

    const planOf = async (...to: string[]): Promise<number[][]> => {
      const res = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, ...to, '--json']);
      assert.equal(res.code, 0, res.stderr);
      return JSON.parse(res.stdout).partitions.map((p: { currentOffset: number; newOffset: number }) => [p.currentOffset, p.newOffset]);
    };
    // 10 more records, all timestamped after `mark`: --to-datetime mark lands where they begin.
    const mark = Date.now() + 1;
    await eventually(() => Date.now() > mark, { timeoutMs: 1000, intervalMs: 1 });
    await produce(topic, 10, 1000);
    const oldEnds = described.offsets.map((o: { logEndOffset: number }) => o.logEndOffset);
    const ends = JSON.parse((await mq(['groups', 'describe', 'lag', '--json'])).stdout).offsets.map((o: { logEndOffset: number }) => o.logEndOffset);
    assert.equal(ends[0] + ends[1], 1010);
    assert.deepEqual(await planOf('--to-datetime', new Date(mark).toISOString()), [[100, oldEnds[0]], [100, oldEnds[1]]]);
    assert.deepEqual(await planOf('--to-datetime', '1970-01-01T00:00:00Z'), [[100, 0], [100, 0]]);
    assert.deepEqual(await planOf('--to-latest'), [[100, ends[0]], [100, ends[1]]]);
    assert.deepEqual(await planOf('--shift-by', '5000'), [[100, ends[0]], [100, ends[1]]], 'clamped to the log end');

    const restarted = await mq(['consume', topic, '-g', 'lag', '-c', '1', '-f', '%p:%o\\n']);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, /^[01]:100\n$/);

    const bad = await mq(['groups', 'reset-offsets', 'lag', '--topic', topic, '--to-earliest', '--to-latest']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /exactly one of/);

    assert.equal((await mq(['groups', 'delete', 'lag'])).code, 0);
    const gone = await mq(['groups', 'describe', 'lag']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /group 'lag' does not exist/);
  });

  test('a committed offset that retention deleted: --auto-offset-reset earliest says so once and resets; none names the valid range', async () => {
    const topic = await topicWith(1, 100, 'oor');
    assert.equal((await mq(['groups', 'reset-offsets', 'oor', '--topic', topic, '--to-offset', '10', '--execute'])).code, 0);
    const trimmed = await mq(['topics', 'trim', topic, '--before', '50']);
    assert.equal(trimmed.code, 0, trimmed.stderr);
    const none = await mq(['consume', topic, '-g', 'oor', '--auto-offset-reset', 'none', '-c', '1']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /offset 10 is out of range for .*-0: valid offsets are 50 to 99/);
    const reset = await mq(['consume', topic, '-g', 'oor', '--auto-offset-reset', 'earliest', '-c', '1', '-f', '%o\\n']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stdout, '50\n');
    assert.equal(reset.stderr.match(/out of range/g)?.length, 1, reset.stderr);
    assert.match(reset.stderr, /offset 10 is out of range \(valid 50 to 100\); reset to the earliest offset 50/);
  });

  test('--delivery exactly-once is refused with a clear message', async () => {
    const res = await mq(['consume', 'any', '-g', 'g', '--delivery', 'exactly-once']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /exactly-once is not available yet/);
  });
});
