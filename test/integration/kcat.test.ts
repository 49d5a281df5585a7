// librdkafka's kcat against a real broker, both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brokerPerFile, uniqueTopic, run } from '../helpers/mq-process.js';

const shared = brokerPerFile();

const kcat = (args: string[], input?: string) => run(['-b', shared.broker.bootstrap, ...args], { cmd: 'kcat', input, timeoutMs: 60_000 });
const mq = (args: string[], input?: string) => run([...args, '-b', shared.broker.bootstrap], { input, timeoutMs: 60_000 });

test('kcat -L lists the broker, topics and partitions', async () => {
  const topic = uniqueTopic('list');
  assert.equal((await mq(['topics', 'create', topic, '-p', '3'])).code, 0);
  const res = await kcat(['-L']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`broker 0 at 127\\.0\\.0\\.1:${shared.broker.port} \\(controller\\)`));
  assert.match(res.stdout, new RegExp(`topic "${topic}" with 3 partitions:`));
  for (const p of [0, 1, 2]) assert.match(res.stdout, new RegExp(`partition ${p}, leader 0, replicas: 0, isrs: 0`));
});

// Codec numbers in a batch's attributes (bits 0-2). librdkafka uses gzip and snappy only because the broker's
// Produce range includes v0 (src/protocol/messages/produce.ts); mq's consumer decodes all of these.
const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3 };
for (const codec of Object.keys(CODEC_IDS)) {
  test(`kcat -P (${codec}) with keys, headers and 1 KiB values is read back by mq consume`, async () => {
    const topic = uniqueTopic(`kp-${codec}`);
    const values = Array.from({ length: 50 }, (_, i) => String(i).padStart(4, '0') + 'x'.repeat(1020));
    const input = values.map((v, i) => `key-${i}|${v}`).join('\n') + '\n';
    const res = await kcat(['-P', '-t', topic, '-K', '|', '-H', 'origin=kcat', '-H', 'codec=' + codec, '-z', codec], input);
    assert.equal(res.code, 0, res.stderr);
    const out = await mq(['consume', topic, '-o', 'beginning', '-e', '--json']);
    assert.equal(out.code, 0, out.stderr);
    const recs = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(recs.length, 50);
    recs.forEach((r, i) => {
      assert.equal(r.key, `key-${i}`);
      assert.equal(r.value, values[i]);
      assert.equal(r.value.length, 1024);
      assert.deepEqual(r.headers, { origin: 'kcat', codec });
      assert.equal(r.offset, i);
    });
    // The batches are stored as kcat sent them: every one compressed with the codec of -z, none without. Batch header: baseOffset 8, batchLength 4, leaderEpoch 4, magic 1, crc 4, attributes 2.
    const dir = join(shared.broker.dataDir, `${topic}-0`);
    const log = await readFile(join(dir, (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()[0]));
    const codecs: number[] = [];
    for (let at = 0; at + 23 <= log.length; at += 12 + log.readInt32BE(at + 8)) codecs.push(log.readInt16BE(at + 21) & 7);
    assert.ok(codecs.length > 0);
    assert.deepEqual(new Set(codecs), new Set([CODEC_IDS[codec]]));
  });
}

test('records from mq produce are read back by kcat -C -e, and -o -5 lands on the last five', async () => {
  const topic = uniqueTopic('kc');
  const lines = Array.from({ length: 100 }, (_, i) => `line-${i}`);
  assert.equal((await mq(['produce', topic, '-k', '=', '-H', 'h=1'], lines.map((l, i) => `k${i}=${l}`).join('\n') + '\n')).code, 0);
  const all = await kcat(['-C', '-t', topic, '-e', '-f', '%o %k %s %h\\n']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(all.stdout.trim().split('\n'), lines.map((l, i) => `${i} k${i} ${l} h=1`));

  const tail = await kcat(['-C', '-t', topic, '-o', '-5', '-e', '-f', '%o %s\\n']);
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(tail.stdout.trim().split('\n'), [95, 96, 97, 98, 99].map((o) => `${o} line-${o}`));
});

test('gzip batches from mq produce --compression gzip are read by kcat -C', async () => {
  const topic = uniqueTopic('kgz');
  const lines = Array.from({ length: 300 }, (_, i) => `k${i}=${'v'.repeat(200)}${i}`);
  assert.equal((await mq(['produce', topic, '-k', '=', '--compression', 'gzip'], lines.join('\n') + '\n')).code, 0);
  const got = await kcat(['-C', '-t', topic, '-e', '-f', '%k=%s\\n']);
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.stdout.trim().split('\n'), lines);
});

test('kcat -o s@TIMESTAMP lands on the first record at or after it, inside a batch too', async () => {
  const topic = uniqueTopic('ts');
  // One request, one batch, records with explicit CreateTime 1000, 2000, ..., 10000 (kafkajs sets them).
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ brokers: [shared.broker.bootstrap], clientId: 'mq-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, acks: 1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `at-${(i + 1) * 1000}`, timestamp: String((i + 1) * 1000) })) });
  } finally {
    await producer.disconnect();
  }
  const fromExact = await kcat(['-C', '-t', topic, '-o', 's@5000', '-e', '-f', '%o %T %s\\n']);
  assert.equal(fromExact.code, 0, fromExact.stderr);
  assert.equal(fromExact.stdout.trim().split('\n')[0], '4 5000 at-5000');
  const fromBetween = await kcat(['-C', '-t', topic, '-o', 's@5500', '-e', '-f', '%o %s\\n']);
  assert.deepEqual(fromBetween.stdout.trim().split('\n'), ['5 at-6000', '6 at-7000', '7 at-8000', '8 at-9000', '9 at-10000']);
  const viaMq = await mq(['consume', topic, '-o', '@5500', '-e', '-f', '%o\\n']);
  assert.equal(viaMq.stdout, '5\n6\n7\n8\n9\n');
});
