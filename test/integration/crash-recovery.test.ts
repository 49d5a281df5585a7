// kill -9 of the broker while records flow, then a restart: every acknowledged record is still there,
// in order. A log tail cut mid-batch or with flipped bytes is truncated on restart and never served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProducer } from '../../src/client/index.js';
import { startBrokerProcess, tempDir, uniqueTopic, run, eventually } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

async function consumeAll(bootstrap: string, topic: string): Promise<string[]> {
  const res = await run(['consume', topic, '-o', 'beginning', '-e', '-b', bootstrap], { timeoutMs: 60_000 });
  assert.equal(res.code, 0, res.stderr);
  return res.stdout === '' ? [] : res.stdout.replace(/\n$/, '').split('\n');
}

async function activeSegment(dataDir: string, topic: string): Promise<string> {
  const dir = join(dataDir, `${topic}-0`);
  const logs = (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
  return join(dir, logs[logs.length - 1]);
}

test('kill -9 mid-produce: every acknowledged record survives, in order', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  let broker = await startBrokerProcess(d.path);
  const topic = uniqueTopic('crash');
  assert.equal((await run(['topics', 'create', topic, '-b', broker.bootstrap])).code, 0);

  const producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 1, batchSize: 4096, retries: 0 });
  const acked: number[] = [];
  const failures: unknown[] = [];
  let sent = 0;
  const sending = (async () => {
    for (let i = 0; i < 2_000_000 && failures.length === 0; i++) {
      await producer.waitForCapacity();
      sent++;
      producer.send({ topic, value: Buffer.from(`r${i}`) }).then(() => acked.push(i), (err) => failures.push(err));
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  await eventually(() => acked.length >= 20_000, { timeoutMs: 60_000 });
  await broker.kill9();
  await sending;
  await producer.close().catch(() => {});
  assert.ok(failures.length > 0, 'the producer noticed the dead broker');
  const ackedCount = acked.length;
  assert.ok(ackedCount < sent, 'the kill happened mid-stream');

  broker = await startBrokerProcess(d.path);
  defer(t, async () => broker.stop());
  const values = await consumeAll(broker.bootstrap, topic);
  assert.ok(values.length >= Math.max(...acked) + 1, `kept ${values.length}, highest acked ${Math.max(...acked)}`);
  values.forEach((v, i) => assert.equal(v, `r${i}`));
});

for (const damage of ['cut mid-batch', 'flipped bytes'] as const) {
  test(`a log tail ${damage} is truncated on restart and never served`, async (t) => {
    const d = await tempDir();
    defer(t, async () => d.remove());
    let broker = await startBrokerProcess(d.path);
    const topic = uniqueTopic('tail');
    // Three separate produce runs: three batches (offsets 0-99, 100-199, 200-299).
    for (let b = 0; b < 3; b++) {
      const lines = Array.from({ length: 100 }, (_, i) => `b${b}-${i}`).join('\n') + '\n';
      assert.equal((await run(['produce', topic, '-b', broker.bootstrap], { input: lines })).code, 0);
    }
    await broker.kill9();
    const seg = await activeSegment(d.path, topic);
    const size = (await stat(seg)).size;
    if (damage === 'cut mid-batch') {
      await truncate(seg, size - 37);
    } else {
      const bytes = await readFile(seg);
      bytes[size - 20] ^= 0x5a;
      bytes[size - 21] ^= 0xa5;
      await writeFile(seg, bytes);
    }
    broker = await startBrokerProcess(d.path);
    defer(t, async () => broker.stop());
    await broker.waitForOutput(/truncat/i, 'the broker logs the truncation');
    const values = await consumeAll(broker.bootstrap, topic);
    assert.equal(values.length, 200);
    assert.equal(values[199], 'b1-99');
    // Appends continue at the right offset after the cut.
    assert.equal((await run(['produce', topic, '-b', broker.bootstrap], { input: 'after\n' })).code, 0);
    const again = await consumeAll(broker.bootstrap, topic);
    assert.equal(again.length, 201);
    assert.equal(again[200], 'after');
  });
}
