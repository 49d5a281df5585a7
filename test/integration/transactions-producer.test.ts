// mq's transactional producer (issue 18) against a real broker process: `mq produce --transactional-id`
// (visible to read_committed mq consume and kcat only after the commit at EOF; SIGKILLed mid-stream it
// leaves nothing visible, and the next mq produce with the id fences and aborts the leftover;
// --transaction-lines makes one transaction per N lines), and the client API (commit, abort,
// sendOffsetsToTransaction as kafkajs admin sees it, fencing by a second producer with the same id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { createProducer } from '../../src/client/producer.js';
import { MqError } from '../../src/util/mq-error.js';
import { brokerForTest, eventually, mqBin, run, uniqueTopic } from '../helpers/mq-process.js';

test('mq produce --transactional-id: visible after the commit only; a killed one is aborted by the next; --transaction-lines', async (t) => {
  const broker = await brokerForTest(t);
  const b = broker.bootstrap;
  const topic = uniqueTopic('txn-cli');
  assert.equal((await run(['topics', 'create', topic, '-p', '1', '-b', b])).code, 0);
  const consume = (...args: string[]) => run(['consume', topic, '-o', 'beginning', '-e', '-b', b, '-f', '%s\n', ...args]);
  const describe = async (id: string) => {
    const r = await run(['transactions', 'describe', id, '--json', '-b', b]);
    return r.code === 0 ? (JSON.parse(r.stdout) as { state: string; producerEpoch: number; partitions: unknown[] }[])[0] : null;
  };

  // A slow stdin: half the lines, then wait until they are in the (open) transaction.
  const id = `${topic}-load`;
  const child = spawn(process.execPath, [mqBin, 'produce', topic, '--transactional-id', id, '-b', b], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  child.stdin!.write('one\ntwo\n');
  await eventually(async () => (await describe(id))?.partitions.length === 1, { timeoutMs: 20_000 });
  const before = await consume();
  assert.equal(before.code, 0, before.stderr);
  assert.equal(before.stdout, '', 'read_committed sees nothing of an open transaction');
  const kcatArgs = ['-b', b, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed'];
  const kcatBefore = await run(kcatArgs, { cmd: 'kcat', timeoutMs: 30_000 });
  assert.equal(kcatBefore.code, 0, kcatBefore.stderr);
  assert.equal(kcatBefore.stdout, '', 'kcat read_committed sees nothing of an open transaction either');
  await eventually(async () => (await consume('--isolation-level', 'read_uncommitted')).stdout === 'one\ntwo\n', { timeoutMs: 20_000 });
  child.stdin!.end('three\n');
  assert.equal(await exited, 0, stderr);
  assert.equal((await consume()).stdout, 'one\ntwo\nthree\n', 'committed at EOF');
  const kcat = await run(kcatArgs, { cmd: 'kcat', timeoutMs: 30_000 });
  assert.equal(kcat.code, 0, kcat.stderr);
  assert.equal(kcat.stdout, 'one\ntwo\nthree\n', 'kcat read_committed sees the committed records');

  // SIGKILL mid-stream: the transaction stays open, nothing of it is visible.
  const killedId = `${topic}-killed`;
  const killed = spawn(process.execPath, [mqBin, 'produce', topic, '--transactional-id', killedId, '-b', b], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(() => { if (killed.exitCode === null) killed.kill('SIGKILL'); });
  killed.stdin!.write('k1\nk2\n');
  await eventually(async () => (await describe(killedId))?.state === 'Ongoing', { timeoutMs: 20_000 });
  await eventually(async () => (await consume('--isolation-level', 'read_uncommitted')).stdout.includes('k2'), { timeoutMs: 20_000 });
  const killedExit = new Promise((resolve) => killed.on('exit', resolve));
  killed.kill('SIGKILL');
  await killedExit;
  assert.equal((await consume()).stdout, 'one\ntwo\nthree\n', 'nothing of the killed transaction is visible');
  const epochBefore = (await describe(killedId))!.producerEpoch;

  // The next mq produce with the id fences the killed one and aborts what it left open.
  const next = await run(['produce', topic, '--transactional-id', killedId, '-b', b], { input: 'after\n' });
  assert.equal(next.code, 0, next.stderr);
  assert.equal((await consume()).stdout, 'one\ntwo\nthree\nafter\n', 'the leftover is aborted, the new transaction committed');
  assert.equal((await consume('--isolation-level', 'read_uncommitted')).stdout, 'one\ntwo\nthree\nk1\nk2\nafter\n', 'read_uncommitted shows the aborted records');
  const d = await describe(killedId);
  assert.equal(d?.state, 'CompleteCommit');
  assert.ok(d!.producerEpoch > epochBefore, `the epoch was bumped (${epochBefore} -> ${d!.producerEpoch})`);

  // --transaction-lines 100 over 1,000 lines: 10 transactions, 10 COMMIT markers (one offset each).
  const many = uniqueTopic('txn-lines');
  assert.equal((await run(['topics', 'create', many, '-p', '1', '-b', b])).code, 0);
  const lines = Array.from({ length: 1000 }, (_, i) => `r${i}`).join('\n') + '\n';
  const batched = await run(['produce', many, '--transactional-id', `${many}-id`, '--transaction-lines', '100', '-b', b], { input: lines });
  assert.equal(batched.code, 0, batched.stderr);
  const all = await run(['consume', many, '-o', 'beginning', '-e', '-b', b, '-f', '%o %s\n', '--isolation-level', 'read_uncommitted']);
  const rows = all.stdout.trim().split('\n');
  assert.equal(rows.length, 1000);
  // Transaction k holds offsets 101k .. 101k+99; its marker takes 101k+100.
  for (let k = 0; k < 10; k++) assert.equal(rows[k * 100], `${k * 101} r${k * 100}`, `transaction ${k} starts after ${k} markers`);
  assert.equal(rows[999], '1008 r999', 'the last marker follows at 1009');
  const committedRows = await run(['consume', many, '-o', 'beginning', '-e', '-b', b, '-f', '%s\n']);
  assert.equal(committedRows.stdout, lines, 'read_committed sees all 1,000 lines in order');
  assert.equal((await describe(`${many}-id`))?.state, 'CompleteCommit');

  // SIGTERM mid-stream: the open transaction is aborted (exit 1), nothing of it visible.
  const termId = `${many}-term`;
  const term = spawn(process.execPath, [mqBin, 'produce', many, '--transactional-id', termId, '-b', b], { stdio: ['pipe', 'ignore', 'pipe'] });
  let termErr = '';
  term.stderr!.on('data', (d: Buffer) => { termErr += d.toString(); });
  const termExit = new Promise<number | null>((resolve) => term.on('exit', (code) => resolve(code)));
  t.after(() => { if (term.exitCode === null) term.kill('SIGKILL'); });
  term.stdin!.write('t1\nt2\n');
  await eventually(async () => (await describe(termId))?.partitions.length === 1, { timeoutMs: 20_000 });
  term.kill('SIGTERM');
  assert.equal(await termExit, 1, termErr);
  assert.match(termErr, /the open transaction was aborted \(0 committed before it\)/);
  assert.equal((await describe(termId))?.state, 'CompleteAbort');
  assert.equal((await run(['consume', many, '-o', 'beginning', '-e', '-b', b, '-f', '%s\n'])).stdout, lines, 'nothing of the aborted transaction');

  const refused = await run(['produce', many, '--transaction-lines', '5', '-b', b], { input: 'x\n' });
  assert.equal(refused.code, 2, 'a usage error');
  assert.match(refused.stderr, /--transaction-lines needs --transactional-id/);
});

test('client API: commit, abort, sendOffsetsToTransaction, fencing by a second producer', async (t) => {
  const broker = await brokerForTest(t);
  const b = broker.bootstrap;
  const topic = uniqueTopic('txn-api');
  assert.equal((await run(['topics', 'create', topic, '-p', '2', '-b', b])).code, 0);
  const committedValues = async () => {
    const r = await run(['consume', topic, '-o', 'beginning', '-e', '-b', b, '-f', '%s\n']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').filter((x) => x !== '').sort();
  };
  const id = `${topic}-id`;
  const p = createProducer({ bootstrap: [b], transactionalId: id });
  t.after(() => p.close());

  await assert.rejects(p.send({ topic, value: Buffer.from('early') }), /INVALID_TXN_STATE|initTransactions\(\) has not been called/);
  await p.initTransactions();
  await assert.rejects(p.send({ topic, value: Buffer.from('outside') }), /no transaction is open/);

  // commit: acknowledged records stay invisible until commitTransaction().
  p.beginTransaction();
  await Promise.all(['c1', 'c2', 'c3'].map((v, i) => p.send({ topic, partition: i % 2, value: Buffer.from(v) })));
  assert.deepEqual(await committedValues(), [], 'acknowledged, not committed');
  await p.commitTransaction();
  assert.deepEqual(await committedValues(), ['c1', 'c2', 'c3']);

  // abort: sent records are aborted; unsent ones fail with TRANSACTION_ABORTED.
  p.beginTransaction();
  await p.send({ topic, partition: 0, value: Buffer.from('a1') });
  const unsent = p.send({ topic, partition: 1, value: Buffer.from('a2') });
  const unsentResult = unsent.then(() => 'sent', (e: unknown) => (e as MqError).code);
  await p.abortTransaction();
  assert.ok(['TRANSACTION_ABORTED', 'sent'].includes(await unsentResult));
  assert.deepEqual(await committedValues(), ['c1', 'c2', 'c3'], 'nothing of the aborted transaction');

  // sendOffsetsToTransaction: the group's offset shows after the commit only.
  const kafka = new Kafka({ brokers: [b], clientId: 'mq-txn-api', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const groupId = `${topic}-group`;
  const offsetOf = async (partition: number) => {
    const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return res.partitions.find((x) => x.partition === partition)?.offset;
  };
  p.beginTransaction();
  await p.send({ topic, partition: 0, value: Buffer.from('o1') });
  await p.sendOffsetsToTransaction([{ topic, partition: 0, offset: 42 }], groupId);
  assert.equal(await offsetOf(0), '-1', 'no offset before the commit');
  await p.commitTransaction();
  await eventually(async () => (await offsetOf(0)) === '42', { timeoutMs: 10_000 });
  assert.deepEqual(await committedValues(), ['c1', 'c2', 'c3', 'o1']);

  // A second producer with the id fences the first: its commit fails naming the id.
  p.beginTransaction();
  await p.send({ topic, partition: 0, value: Buffer.from('zombie') });
  const p2 = createProducer({ bootstrap: [b], transactionalId: id });
  t.after(() => p2.close());
  await p2.initTransactions();
  const fenced = await p.commitTransaction().then(() => null, (e: unknown) => e as MqError);
  assert.ok(fenced !== null, 'the fenced producer cannot commit');
  assert.equal(fenced.code, 'PRODUCER_FENCED');
  assert.ok(fenced.message.includes(`'${id}'`), fenced.message);
  assert.throws(() => p.beginTransaction(), /was fenced/);
  p2.beginTransaction();
  await p2.send({ topic, partition: 1, value: Buffer.from('p2') });
  await p2.commitTransaction();
  assert.deepEqual(await committedValues(), ['c1', 'c2', 'c3', 'o1', 'p2'], 'the zombie record is aborted');
});
