// The producer's accumulator with linger.ms=0 while its partition has a batch in flight: records sent
// during that round trip must wait in ONE open batch and go out together when it ends (as Kafka's
// accumulator does), not as one small closed batch per tick, each of which then needs a round trip of
// its own (at acks=all that queue outgrew 10,000 records/s and send -> ack reached seconds). The round
// trip is made long with SIGSTOP of the broker; the produce requests are counted on the broker's
// /metrics after SIGCONT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProducer } from '../../src/client/index.js';
import { defer } from '../helpers/in-process-broker.js';
import { brokerForTest, run, uniqueTopic } from '../helpers/mq-process.js';

/** Records sent, one per event-loop turn, while the first one's request is unanswered. */
const DURING_ROUND_TRIP = 20;

async function produceRequests(admin: string): Promise<number> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  const m = /^mq_requests_total\{api="Produce"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('linger.ms=0: records sent during a round trip share one batch, sent when it ends', async (t) => {
  const broker = await brokerForTest(t);
  const topic = uniqueTopic('rt');
  assert.equal((await run(['topics', 'create', topic, '-p', '1', '-b', broker.bootstrap])).code, 0);
  const producer = createProducer({ bootstrap: [broker.bootstrap], lingerMs: 0, acks: 1 });
  t.after(() => producer.close());
  await producer.send({ topic, value: Buffer.from('warm-up') }); // connected, metadata known
  const before = await produceRequests(broker.admin);

  broker.proc.kill('SIGSTOP');
  defer(t, async () => { broker.proc.kill('SIGCONT'); });
  const sends = [producer.send({ topic, value: Buffer.from('first') })];
  await nextTurn(); // its request is on the socket: the partition's one batch in flight
  for (let i = 0; i < DURING_ROUND_TRIP; i++) {
    sends.push(producer.send({ topic, value: Buffer.from(`during-${i}`) }));
    await nextTurn();
  }
  broker.proc.kill('SIGCONT');
  const acked = await Promise.all(sends);

  const offsets = acked.map((m) => m.offset);
  assert.deepEqual(offsets, offsets.map((_, i) => offsets[0] + i), 'acknowledged in send order, contiguous');
  const requests = (await produceRequests(broker.admin)) - before;
  assert.equal(requests, 2, `${DURING_ROUND_TRIP + 1} records in ${requests} produce requests (expected: the first, then one batch of the rest)`);
});
