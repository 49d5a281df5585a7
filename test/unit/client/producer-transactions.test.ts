// The transactional producer's client-side checks (no broker needed): the transactional attribute the
// builder writes, the options refused, and the calls refused before initTransactions().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProducer } from '../../../src/client/producer.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';

test('a transactional batch carries attribute bit 4; a plain one does not', () => {
  for (const transactional of [true, false]) {
    const builder = new RecordBatchBuilder({ transactional });
    builder.append(null, Buffer.from('v'), undefined, 1);
    const [batch] = decodeRecordBatches(builder.build());
    assert.equal(batch.isTransactional, transactional);
  }
});

test('transactional options: idempotence off and a bad timeout are refused; calls before initTransactions() name the id', async () => {
  assert.throws(() => createProducer({ bootstrap: ['127.0.0.1:1'], transactionalId: 'tx', idempotent: false }), /transactional producer 'tx' needs idempotence/);
  assert.throws(() => createProducer({ bootstrap: ['127.0.0.1:1'], transactionalId: 'tx', transactionTimeoutMs: 0 }), /transaction timeout/);
  const p = createProducer({ bootstrap: ['127.0.0.1:1'], transactionalId: 'tx' });
  assert.throws(() => p.beginTransaction(), /transactional producer 'tx' cannot begin a transaction: initTransactions\(\) has not been called/);
  await assert.rejects(p.send({ topic: 't', value: Buffer.from('v') }), /cannot send records/);
  await assert.rejects(p.commitTransaction(), /INVALID_TXN_STATE|cannot commit/);
  await p.close();
  const plain = createProducer({ bootstrap: ['127.0.0.1:1'] });
  assert.throws(() => plain.beginTransaction(), /beginTransaction\(\) needs a transactional producer/);
  await plain.close();
});
