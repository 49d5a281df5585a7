// The idempotent producer's pure parts: sequence arithmetic (wrapping at INT32 max as the broker
// counts), stamping a built batch (the CRC stays valid), and which option combinations turn
// idempotence off quietly and which are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProducer } from '../../../src/client/index.js';
import { nextSequence, stampBatch } from '../../../src/client/producer-idempotence.js';
import { validateBatch } from '../../../src/protocol/batch-header.js';
import { decodeRecordBatches } from '../../../src/protocol/record-batch.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { MqError } from '../../../src/util/mq-error.js';

test('the next sequence follows the last record and wraps from INT32 max to 0', () => {
  assert.equal(nextSequence(0, 5), 5);
  assert.equal(nextSequence(100, 1), 101);
  assert.equal(nextSequence(0x7fffffff - 5, 5), 0x7fffffff);
  assert.equal(nextSequence(0x7fffffff - 4, 5), 0, 'the record after INT32 max is sequence 0');
  assert.equal(nextSequence(0x7fffffff, 1), 0);
  assert.equal(nextSequence(0x7fffffff - 1, 10), 8);
});

for (const compression of ['none', 'gzip'] as const) {
  test(`a built batch (${compression}) stamped afterwards carries the producer fields and a valid CRC`, () => {
    const builder = new RecordBatchBuilder({ compression });
    for (let i = 0; i < 3; i++) builder.append(Buffer.from(`k${i}`), Buffer.from(`v${i}`), undefined, 1_700_000_000_000 + i);
    const bytes = builder.build();
    assert.equal(decodeRecordBatches(bytes)[0].producerId, -1n, 'unstamped: ProducerId -1');
    stampBatch(bytes, 4242n, 3, 0x7ffffffe);
    assert.equal(validateBatch(bytes, 0, bytes.length), null, 'the CRC was recomputed');
    const [b] = decodeRecordBatches(bytes);
    assert.deepEqual([b.producerId, b.producerEpoch, b.baseSequence, b.recordsCount], [4242n, 3, 0x7ffffffe, 3]);
    assert.deepEqual(b.records.map((r) => r.value!.toString()), ['v0', 'v1', 'v2']);
    stampBatch(bytes, -1n, -1, -1);
    assert.equal(validateBatch(bytes, 0, bytes.length), null);
    assert.equal(decodeRecordBatches(bytes)[0].baseSequence, -1);
  });
}

test('idempotence asked for by name with acks 0/1 or retries 0 is refused with the conflict named; left to the default it is quietly off', async () => {
  const bootstrap = ['127.0.0.1:1'];
  for (const [opts, conflict] of [[{ acks: 1 as const }, 'acks=1'], [{ acks: 0 as const }, 'acks=0'], [{ retries: 0 }, 'retries=0']] as const) {
    assert.throws(() => createProducer({ bootstrap, idempotent: true, ...opts }), (err: unknown) => {
      assert.ok(err instanceof MqError);
      assert.equal(err.code, 'INVALID_CONFIG');
      assert.match(err.message, new RegExp(`needs acks=all \\(-1\\) and retries > 0, but ${conflict} was asked for together with idempotence`));
      assert.match(err.hint ?? '', /enable\.idempotence=false/);
      return true;
    });
    // Unset (the default) or false: no error.
    await createProducer({ bootstrap, ...opts }).close();
    await createProducer({ bootstrap, idempotent: false, ...opts }).close();
  }
  await createProducer({ bootstrap, idempotent: true }).close();
});
