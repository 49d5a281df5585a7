// The producer against one real broker process that is stopped (SIGSTOP) before its first metadata
// answer: records held while the topic's metadata is unknown count what they cost against
// buffer.memory (a held record is objects, ~400 bytes for a 100-byte value; a raw record is a copy
// of its bytes), so enqueue()/appendRaw() report a full buffer in time; after SIGCONT every one is delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProducer } from '../../src/client/producer.js';
import { rawTarget } from '../../src/client/producer-raw.js';
import { defer } from '../helpers/in-process-broker.js';
import { brokerForTest, run, uniqueTopic } from '../helpers/mq-process.js';

const MiB = 1024 * 1024;

test('records held while the topic\'s metadata is unknown count what they cost against buffer.memory', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('held');
  assert.equal((await run(['topics', 'create', topic, '-b', broker.bootstrap])).code, 0);
  const producer = createProducer({ bootstrap: [broker.bootstrap], bufferMemory: MiB, acks: 1 });
  defer(t, () => producer.close());
  defer(t, async () => { broker.proc.kill('SIGCONT'); });
  broker.proc.kill('SIGSTOP'); // the first metadata request waits: every record is held
  const value = Buffer.alloc(100, 0x61);
  let acked = 0;
  const onDelivery = (err: Error | null): void => { assert.equal(err, null); acked++; };
  let objects = 0;
  while (producer.enqueue!({ topic, key: null, value }, onDelivery)) objects++;
  // A held record is a ProducerRecord, its place in the wait list and its Buffers: ~400 bytes with a
  // 100-byte value. Counting only its 132 bytes took ~7,900 of them into a 1 MiB budget (~3 MiB).
  assert.ok(objects < MiB / 400, `${objects} records held as objects in a 1 MiB buffer`);
  broker.proc.kill('SIGCONT');
  await producer.flush();
  assert.equal(acked, objects + 1);

  // Raw records (mq produce's lines) wait as copied bytes: charged the record (100 + 8) and its copy
  // (100 + a 16-byte entry), since both are in memory once the metadata arrives.
  const other = uniqueTopic('held-raw');
  assert.equal((await run(['topics', 'create', other, '-b', broker.bootstrap])).code, 0);
  let rawAcked = 0;
  const target = rawTarget(other, undefined, undefined, (err, records) => { assert.equal(err, null); rawAcked += records; });
  broker.proc.kill('SIGSTOP');
  const line = Buffer.alloc(101, 0x62);
  let raw = 0;
  while (producer.appendRaw(target, line, -1, -1, 0, 100, Date.now())) raw++;
  assert.ok(raw > MiB / 240 && raw < MiB / 210, `${raw} raw records held in a 1 MiB buffer`);
  broker.proc.kill('SIGCONT');
  await producer.flush();
  assert.equal(rawAcked, raw + 1);
});
