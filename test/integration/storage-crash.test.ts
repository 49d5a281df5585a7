// 50 kill -9 cycles while producing with flush.policy=batch and acks=1: after every restart each
// acknowledged record is present, in send order, and every served batch passes its CRC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProducer } from '../../src/client/index.js';
import type { Producer } from '../../src/client/types.js';
import { readPartitionRaw } from '../helpers/raw-log.js';
import { run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const CYCLES = 50;

test(`kill -9 at random moments over ${CYCLES} cycles loses no acknowledged record (flush.policy=batch, acks=1)`, async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  let broker: BrokerProcess = await startBrokerProcess(d.path);
  defer(t, async () => broker.kill9());
  const topic = uniqueTopic('crash50');
  const created = await run(['topics', 'create', topic, '-p', '1', '--config', 'flush.policy=batch', '--config', 'segment.bytes=65536', '-b', broker.bootstrap]);
  assert.equal(created.code, 0, created.stderr);

  const acked = new Set<number>();
  let seq = 0;
  let seed = 4242;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let totalServed = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const producer: Producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 1, retries: 0, requestTimeoutMs: 5000 });
    let stop = false;
    const sending = (async () => {
      while (!stop) {
        const n = seq++;
        producer.send({ topic, partition: 0, value: Buffer.from(`v${n}`) }).then(() => { acked.add(n); }, () => undefined);
        if (n % 50 === 0) await new Promise((r) => setImmediate(r));
        await producer.waitForCapacity();
      }
    })();
    // Kill at a random moment once some records were acknowledged in this cycle.
    const ackedBefore = acked.size;
    const deadline = Date.now() + 10_000;
    while (acked.size < ackedBefore + 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, rand(150)));
    await broker.kill9();
    stop = true;
    await sending;
    await producer.close().catch(() => undefined);

    broker = await startBrokerProcess(d.path);
    const got = await readPartitionRaw(broker.port, topic);
    const numbers = got.values.map((v) => Number(v.slice(1)));
    for (let i = 1; i < numbers.length; i++) {
      assert.ok(numbers[i] > numbers[i - 1], `cycle ${cycle}: v${numbers[i]} after v${numbers[i - 1]} (order, no duplicates)`);
    }
    const present = new Set(numbers);
    const missing = [...acked].filter((n) => !present.has(n));
    assert.deepEqual(missing.slice(0, 5), [], `cycle ${cycle}: ${missing.length} acknowledged records missing`);
    assert.ok(got.values.length >= totalServed, 'nothing served before disappears');
    totalServed = got.values.length;
  }
  assert.ok(acked.size > CYCLES * 20);
});
