// read_committed consumers against a real broker process (issue 18): a transaction still open holds
// `mq consume` (read_committed, the default) at the partition's last stable offset while
// --isolation-level read_uncommitted / -X isolation.level=read_uncommitted read every record, and kcat
// with -X isolation.level=read_committed stops where mq does. The open transaction here is a raw
// transactional batch (Attributes bit 4) of a producer id from InitProducerId, so this part needs only
// the partition side of transactions. Before mq consume read read_committed, it printed the open
// transaction's record and everything after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey } from '../../src/protocol/api.js';
import { ATTR_TRANSACTIONAL, OFF_ATTRIBUTES, writeCrc } from '../../src/protocol/batch-header.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { brokerForTest, run, uniqueTopic } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

const call = WireSocket.call;

/** A transactional batch of `producerId` (epoch 0) holding `values`. */
function transactionalBatch(producerId: bigint, values: string[]): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 1 << 20, producerId, producerEpoch: 0, baseSequence: 0 });
  for (const v of values) b.tryAppend({ key: null, value: Buffer.from(v), timestamp: Date.now(), headers: [] });
  const buf = Buffer.from(b.build());
  buf.writeInt16BE(buf.readInt16BE(OFF_ATTRIBUTES) | ATTR_TRANSACTIONAL, OFF_ATTRIBUTES);
  writeCrc(buf);
  return buf;
}

test('an open transaction: read_committed mq consume and kcat stop at it, read_uncommitted reads past it', async (t) => {
  const broker = await brokerForTest(t);
  const b = broker.bootstrap;
  const topic = uniqueTopic('txn-open');
  assert.equal((await run(['topics', 'create', topic, '-p', '1', '-b', b])).code, 0);
  assert.equal((await run(['produce', topic, '-b', b], { input: 'before1\nbefore2\n' })).code, 0);

  const init = await call(broker.port, ApiKey.InitProducerId, 1, { transactionalId: null, transactionTimeoutMs: -1 });
  assert.equal(init.errorCode, 0);
  const res = await call(broker.port, ApiKey.Produce, 7, {
    transactionalId: null, acks: -1, timeoutMs: 15_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: transactionalBatch(init.producerId, ['open1', 'open2']) }] }],
  });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
  assert.equal((await run(['produce', topic, '-b', b], { input: 'after\n' })).code, 0);

  const consume = (...args: string[]) => run(['consume', topic, '-o', 'beginning', '-e', '-b', b, ...args]);
  const committed = await consume();
  assert.equal(committed.code, 0, committed.stderr);
  assert.equal(committed.stdout, 'before1\nbefore2\n', 'read_committed (the default) stops at the open transaction');
  assert.equal((await consume('--isolation-level', 'read_committed', '-f', '%o %s\n')).stdout, '0 before1\n1 before2\n');
  assert.equal((await consume('--json')).stdout.trim().split('\n').length, 2);

  const all = 'before1\nbefore2\nopen1\nopen2\nafter\n';
  assert.equal((await consume('--isolation-level', 'read_uncommitted')).stdout, all);
  assert.equal((await consume('-X', 'isolation.level=read_uncommitted')).stdout, all);
  assert.equal((await consume('-X', 'isolation.level=read_uncommitted', '--isolation-level', 'read_committed')).stdout, 'before1\nbefore2\n', 'the flag wins over -X');
  const env = await run(['consume', topic, '-o', 'beginning', '-e', '-b', b], { env: { MQ_ISOLATION_LEVEL: 'read_uncommitted' } });
  assert.equal(env.stdout, all);

  // In a group too: -e ends at the last stable offset, and read_uncommitted reads everything.
  const group = await consume('-g', `${topic}-g1`);
  assert.equal(group.code, 0, group.stderr);
  assert.equal(group.stdout, 'before1\nbefore2\n');
  assert.equal((await consume('-g', `${topic}-g2`, '--isolation-level', 'read_uncommitted')).stdout, all);

  const bad = await consume('-X', 'isolation.level=dirty');
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /isolation\.level=dirty: must be read_committed or read_uncommitted/);

  // -o end under read_committed is the last stable offset: nothing to read, exits at once.
  assert.equal((await run(['consume', topic, '-o', 'end', '-e', '-b', b])).stdout, '');

  const kcat = (level: string) => run(['-b', b, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', `isolation.level=${level}`], { cmd: 'kcat', timeoutMs: 30_000 });
  const kc = await kcat('read_committed');
  assert.equal(kc.code, 0, kc.stderr);
  assert.equal(kc.stdout, committed.stdout, 'kcat read_committed agrees with mq consume');
  assert.equal((await kcat('read_uncommitted')).stdout, all);
});

test('-X isolation.level is a known client property but not a security setting; mq transactions list checks --state', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('txn-x');
  assert.equal((await run(['produce', topic, '-b', broker.bootstrap], { input: 'one\n' })).code, 0);
  const r = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap, '-X', 'isolation.level=read_committed']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\n');
  const unknown = await run(['consume', topic, '-o', 'beginning', '-e', '-b', broker.bootstrap, '-X', 'isolation.levels=x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown client property 'isolation\.levels'[\s\S]*isolation\.level/);
  const badState = await run(['transactions', 'list', '--state', 'Ongoing,Bogus', '-b', broker.bootstrap]);
  assert.equal(badState.code, 2);
  assert.match(badState.stderr, /--state Bogus: not a transaction state/);
});
