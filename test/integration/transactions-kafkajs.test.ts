// kafkajs transactions read by mq (issue 18): one transactional producer commits a transaction and
// aborts the next, another leaves one open, then a plain record follows. `mq consume` (read_committed,
// the default) prints exactly the committed records and stops at the open transaction (the last stable
// offset); --isolation-level read_uncommitted prints every data record of the three and no control
// record; kcat -X isolation.level=read_committed agrees with mq. `mq transactions list / describe` show
// the ids and their states, and `mq transactions abort` ends the open one: read_committed then reads
// past it without its records, and its producer is fenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { brokerForTest, eventually, run, uniqueTopic } from '../helpers/mq-process.js';

test('kafkajs commit, abort and open transactions: mq consume, kcat and mq transactions', async (t) => {
  const broker = await brokerForTest(t);
  const b = broker.bootstrap;
  const topic = uniqueTopic('txn-kjs');
  assert.equal((await run(['topics', 'create', topic, '-p', '1', '-b', b])).code, 0);
  const kafka = new Kafka({ brokers: [b], clientId: 'mq-txn-test', logLevel: logLevel.NOTHING });
  const idDone = `${topic}-done`;
  const idOpen = `${topic}-open`;

  const done = kafka.producer({ transactionalId: idDone, idempotent: true, maxInFlightRequests: 1 });
  await done.connect();
  t.after(() => done.disconnect());
  const commitTxn = await done.transaction();
  await commitTxn.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }] });
  await commitTxn.commit();
  const abortTxn = await done.transaction();
  await abortTxn.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }] });
  await abortTxn.abort();

  const open = kafka.producer({ transactionalId: idOpen, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 600_000 });
  await open.connect();
  t.after(() => open.disconnect());
  const openTxn = await open.transaction();
  await openTxn.send({ topic, messages: [{ value: 'o1' }] });

  const plain = kafka.producer();
  await plain.connect();
  t.after(() => plain.disconnect());
  await plain.send({ topic, acks: -1, messages: [{ value: 'p1' }] });

  const consume = (...args: string[]) => run(['consume', topic, '-o', 'beginning', '-e', '-b', b, ...args]);
  const committed = await consume('-f', '%o %s\n');
  assert.equal(committed.code, 0, committed.stderr);
  // c1 c2 at 0-1, COMMIT marker 2, a1 a2 at 3-4, ABORT marker 5, o1 at 6 (open: the LSO), p1 at 7.
  assert.equal(committed.stdout, '0 c1\n1 c2\n', 'committed records only, up to the open transaction');
  const all = await consume('--isolation-level', 'read_uncommitted', '-f', '%o %s\n');
  assert.equal(all.stdout, '0 c1\n1 c2\n3 a1\n4 a2\n6 o1\n7 p1\n', 'every data record, no control record');

  const kcat = await run(['-b', b, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o %s\n', '-X', 'isolation.level=read_committed'], { cmd: 'kcat', timeoutMs: 30_000 });
  assert.equal(kcat.code, 0, kcat.stderr);
  assert.equal(kcat.stdout, committed.stdout, 'kcat read_committed agrees with mq consume');

  const list = await run(['transactions', 'list', '--json', '-b', b]);
  assert.equal(list.code, 0, list.stderr);
  const states = Object.fromEntries((JSON.parse(list.stdout) as { transactionalId: string; state: string }[]).map((x) => [x.transactionalId, x.state]));
  assert.equal(states[idDone], 'CompleteAbort');
  assert.equal(states[idOpen], 'Ongoing');
  const table = await run(['transactions', 'list', '--state', 'ongoing', '-b', b]);
  assert.match(table.stdout, /^TRANSACTIONAL-ID\s+PRODUCER-ID\s+STATE\s+COORDINATOR/);
  assert.ok(table.stdout.includes(idOpen) && !table.stdout.includes(idDone), table.stdout);
  const described = await run(['transactions', 'describe', idOpen, '--json', '-b', b]);
  assert.equal(described.code, 0, described.stderr);
  const [d] = JSON.parse(described.stdout);
  assert.equal(d.state, 'Ongoing');
  assert.deepEqual(d.partitions, [{ topic, partition: 0 }]);

  const refused = await run(['transactions', 'abort', idDone, '-b', b]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /is CompleteAbort: it has no open transaction/);
  const unknown = await run(['transactions', 'describe', `${topic}-nope`, '-b', b]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /not known/);

  const aborted = await run(['transactions', 'abort', idOpen, '-b', b]);
  assert.equal(aborted.code, 0, aborted.stderr);
  assert.match(aborted.stdout, /aborted transaction .* \(was Ongoing\)/);
  const after = await eventually(async () => {
    const r = await consume('-f', '%o %s\n');
    if (!r.stdout.includes('p1')) throw new Error(`still held at the open transaction: ${JSON.stringify(r.stdout)}`);
    return r;
  }, { timeoutMs: 20_000 });
  assert.equal(after.stdout, '0 c1\n1 c2\n7 p1\n', 'read past the aborted transaction, without its records');
  const group = await consume('-g', `${topic}-g`, '-f', '%o %s\n');
  assert.equal(group.code, 0, group.stderr);
  assert.equal(group.stdout, after.stdout, 'a group member (the records() path) drops them too');
  const kcatAfter = await run(['-b', b, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o %s\n', '-X', 'isolation.level=read_committed'], { cmd: 'kcat', timeoutMs: 30_000 });
  assert.equal(kcatAfter.stdout, after.stdout);
  const listed = JSON.parse((await run(['transactions', 'list', '--json', '-b', b])).stdout) as { transactionalId: string; state: string }[];
  assert.notEqual(listed.find((x) => x.transactionalId === idOpen)?.state, 'Ongoing');
  await assert.rejects(openTxn.commit(), 'the abandoned producer is fenced');
});
