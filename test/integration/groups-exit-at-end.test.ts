// `mq consume T -g G -e` (kcat -G ... -e): members drain their share of a group and exit by themselves,
// against a real broker process. Sessions are short (6 s, the broker's minimum) and the initial
// rebalance delay is 300 ms, so three members started at once usually land in one generation (the test
// holds either way: a member that drained its share early exits and the others take over from its commits).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { keyedLines } from '../helpers/group-member.js';
import { eventually, mqBin, run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess, type RunResult } from '../helpers/mq-process.js';

const RECORDS = 20_000;
const PARTITIONS = 6;

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

function mq(args: string[], input?: string): Promise<RunResult> {
  return run([...args, '-b', broker.bootstrap], { input, timeoutMs: 120_000 });
}

/** A drain member as a child process, with its stdout so far and its exit. */
function spawnDrainMember(t: { after(fn: () => unknown): void }, topic: string, group: string): { stdout: () => string; exited: Promise<RunResult> } {
  const proc = spawn(process.execPath, [mqBin, 'consume', topic, '-g', group, '-e', '--auto-offset-reset', 'earliest', '--session-timeout-ms', '6000', '-b', broker.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<RunResult>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
  t.after(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  return { stdout: () => stdout, exited };
}

async function topicWithRecords(records = RECORDS): Promise<string> {
  const topic = uniqueTopic('drain');
  const created = await mq(['topics', 'create', topic, '-p', String(PARTITIONS)]);
  assert.equal(created.code, 0, created.stderr);
  const produced = await mq(['produce', topic, '-k', ':'], keyedLines(records));
  assert.equal(produced.code, 0, produced.stderr);
  return topic;
}

function drainMember(topic: string, group: string, args: string[] = []): Promise<RunResult> {
  return mq(['consume', topic, '-g', group, '-e', '--auto-offset-reset', 'earliest', '--session-timeout-ms', '6000', ...args]);
}

/** Every partition's committed offset equals its log end offset, and together they hold every record. */
async function assertCommittedAtEnd(group: string, records = RECORDS): Promise<void> {
  const res = await mq(['groups', 'describe', group, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const offsets = JSON.parse(res.stdout).offsets as { partition: number; committedOffset: number | null; logEndOffset: number }[];
  assert.deepEqual(offsets.map((o) => o.partition).sort(), Array.from({ length: PARTITIONS }, (_, i) => i));
  for (const o of offsets) assert.equal(o.committedOffset, o.logEndOffset, `partition ${o.partition}: committed ${o.committedOffset}, end ${o.logEndOffset}`);
  assert.equal(offsets.reduce((sum, o) => sum + o.logEndOffset, 0), records);
}

/** The values printed, checked to be v0..v(records-1) each exactly once. */
function assertEveryRecordOnce(outputs: string[], records = RECORDS): void {
  const lines = outputs.flatMap((out) => out.split('\n').filter((l) => l !== ''));
  const unique = new Set(lines);
  assert.equal(unique.size, records, 'every record printed');
  assert.equal(lines.length, records, 'no record printed twice');
  for (let i = 0; i < records; i += 997) assert.ok(unique.has(`v${i}`), `v${i} printed`);
}

describe('mq consume -g GROUP -e', () => {
  test('three members started at once each exit 0 by themselves; together they print every record once and commit the end offsets', async () => {
    const topic = await topicWithRecords();
    const results = await Promise.all([0, 1, 2].map(() => drainMember(topic, 'drain-three')));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assertEveryRecordOnce(results.map((r) => r.stdout));
    await assertCommittedAtEnd('drain-three');
  });

  test('eight members on six partitions (some are assigned nothing) all exit 0; every record once, end offsets committed', async () => {
    const topic = await topicWithRecords();
    const results = await Promise.all(Array.from({ length: 8 }, () => drainMember(topic, 'drain-eight')));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assertEveryRecordOnce(results.map((r) => r.stdout));
    await assertCommittedAtEnd('drain-eight');
  });

  test('two members joining while the first is draining take over part of its share (a rebalance); all exit 0, every record once', async (t) => {
    const records = 100_000;
    const topic = await topicWithRecords(records);
    const first = spawnDrainMember(t, topic, 'drain-late');
    await eventually(() => first.stdout().includes('\n'), { timeoutMs: 60_000, intervalMs: 5 });
    const results = await Promise.all([first.exited, drainMember(topic, 'drain-late'), drainMember(topic, 'drain-late')]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assertEveryRecordOnce(results.map((r) => r.stdout), records);
    await assertCommittedAtEnd('drain-late', records);
  });

  test('roundrobin: three members started at once each exit 0; every record once, end offsets committed', async () => {
    const topic = await topicWithRecords();
    const results = await Promise.all([0, 1, 2].map(() => drainMember(topic, 'drain-rr', ['--assignor', 'roundrobin'])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assertEveryRecordOnce(results.map((r) => r.stdout));
    await assertCommittedAtEnd('drain-rr');
  });

  test('-e with --assignor cooperative-sticky is refused (a partition being moved belongs to no member for a generation)', async () => {
    const topic = await topicWithRecords();
    const res = await drainMember(topic, 'drain-coop', ['--assignor', 'cooperative-sticky']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /cannot be combined with --assignor cooperative-sticky/);
  });

  test('one member alone drains every partition, commits, and exits 0; run again, it prints nothing and exits 0', async () => {
    const topic = await topicWithRecords();
    const first = await drainMember(topic, 'drain-one');
    assert.equal(first.code, 0, first.stderr);
    assertEveryRecordOnce([first.stdout]);
    await assertCommittedAtEnd('drain-one');
    const again = await drainMember(topic, 'drain-one');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '');
  });

  test('-p is still refused with -g', async () => {
    const topic = await topicWithRecords();
    const res = await mq(['consume', topic, '-g', 'drain-p', '-p', '0', '-e']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /-p\/--partition cannot be combined with -g/);
  });
});
