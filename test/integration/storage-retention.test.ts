// Retention, replay and config through a real broker process: retention.ms deletes old segments and
// nothing newer; consumers at a deleted offset follow auto.offset.reset; `mq topics alter --config`
// changes retention.bytes live and persistently; `mq topics describe` shows each value's source;
// `mq topics trim --before OFFSET|@TIME` moves the log start; kafkajs' admin speaks the same APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createConsumer, createProducer } from '../../src/client/index.js';
import { MqError } from '../../src/util/mq-error.js';
import { readPartitionRaw } from '../helpers/raw-log.js';
import { brokerForTest, eventually, run, startBrokerProcess, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

/** kafkajs' TOPIC_RESOURCE (not a named ESM export of the CommonJS package). */
const TOPIC_RESOURCE = 2;
const FAST_RETENTION = { MQ_LOG_RETENTION_CHECK_INTERVAL_MS: '100' };

async function produce(bootstrap: string, topic: string, values: string[], timestamp?: number): Promise<void> {
  const producer = createProducer({ bootstrap: [bootstrap], acks: 1, lingerMs: 0, batchSize: 1 });
  try {
    for (const v of values) await producer.send({ topic, partition: 0, value: Buffer.from(v), timestamp });
  } finally {
    await producer.close();
  }
}

async function segmentFiles(dataDir: string, topic: string): Promise<string[]> {
  return (await readdir(join(dataDir, `${topic}-0`))).filter((f) => f.endsWith('.log')).sort();
}

test('retention.ms=2000 with small segments deletes the old segments and nothing newer; consumers follow auto.offset.reset', async (t) => {
  const broker = await brokerForTest(t, { env: FAST_RETENTION });
  const topic = uniqueTopic('retain');
  const created = await run(['topics', 'create', topic, '-p', '1', '--config', 'retention.ms=2000', '--config', 'segment.bytes=1024', '-b', broker.bootstrap]);
  assert.equal(created.code, 0, created.stderr);

  const old = Array.from({ length: 120 }, (_, i) => `old-${i}`);
  const fresh = Array.from({ length: 40 }, (_, i) => `new-${i}`);
  await produce(broker.bootstrap, topic, old, Date.now());
  // Consumers positioned at offset 0 while it still exists; retention deletes it before they fetch.
  const notices: string[] = [];
  const consumers = await Promise.all((['earliest', 'latest', 'none'] as const).map(async (reset) => {
    const c = createConsumer({ bootstrap: [broker.bootstrap], autoOffsetReset: reset, onNotice: (m) => notices.push(m) });
    defer(t, async () => c.close());
    await c.assign([{ topic, partitions: [0], start: { kind: 'offset', offset: 0 } }]);
    return c;
  }));
  const consume = async (c: (typeof consumers)[number]): Promise<number[]> => {
    const offsets: number[] = [];
    for await (const r of c.records({ exitAtEnd: true })) offsets.push(r.offset);
    return offsets;
  };
  // Newer records, stamped an hour ahead so they cannot expire while the test runs.
  await produce(broker.bootstrap, topic, fresh, Date.now() + 3_600_000);

  const after = (await eventually(async () => {
    const p = await readPartitionRaw(broker.port, topic);
    return p.logStartOffset > 0 && !p.values.includes('old-0') ? p : null;
  }, { timeoutMs: 15_000 }))!;
  assert.deepEqual(after.values.slice(-fresh.length), fresh, 'every newer record is kept');
  const keptOld = after.values.slice(0, after.values.length - fresh.length);
  assert.deepEqual(keptOld, old.slice(old.length - keptOld.length), 'only old records sharing a segment with newer ones remain');
  assert.ok(keptOld.length < 40, `${keptOld.length} old records kept`);
  assert.equal(after.logStartOffset, old.length - keptOld.length);
  // The log start moves first; the files of the deleted segments are unlinked right after.
  const expectedFirst = `${String(after.logStartOffset).padStart(20, '0')}.log`;
  const files = await eventually(async () => {
    const f = await segmentFiles(broker.dataDir, topic);
    return f[0] === expectedFirst ? f : null;
  }, { timeoutMs: 10_000 }).catch(async () => segmentFiles(broker.dataDir, topic));
  assert.ok(!files!.includes('00000000000000000000.log'));
  assert.equal(files![0], expectedFirst);

  // Offset 0 is gone: earliest resumes at the log start, latest at the end, none is an error.
  const earliest = await consume(consumers[0]);
  assert.equal(earliest[0], after.logStartOffset);
  assert.equal(earliest.length, after.values.length);
  assert.deepEqual(await consume(consumers[1]), []);
  assert.equal(notices.length, 2, `notices: ${notices.join(' | ')}`);
  assert.match(notices.join('\n'), /out of range/);
  await assert.rejects(consume(consumers[2]), (e: MqError) => e.code === 'OFFSET_OUT_OF_RANGE' && e.message.includes(String(after.logStartOffset)));
});

test('topics alter --config changes retention.bytes live and persistently; describe shows sources; trim by offset and time', async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const env = { ...FAST_RETENTION, MQ_LOG_RETENTION_MS: '86400000' };
  let broker = await startBrokerProcess(d.path, { env });
  defer(t, async () => broker.stop());
  const topic = uniqueTopic('alter');
  assert.equal((await run(['topics', 'create', topic, '-p', '1', '--config', 'segment.bytes=1024', '-b', broker.bootstrap])).code, 0);
  const t0 = Date.now() - 100_000;
  const producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 0, batchSize: 1 });
  for (let i = 0; i < 200; i++) await producer.send({ topic, partition: 0, value: Buffer.from(`r${i}`), timestamp: t0 + i * 100 });
  await producer.close();

  const describe = async () => {
    const res = await run(['topics', 'describe', topic, '--json', '-b', broker.bootstrap]);
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse(res.stdout) as { configs: { name: string; value: string; source: string }[] };
    return new Map(json.configs.map((c) => [c.name, c]));
  };
  let configs = await describe();
  assert.deepEqual(configs.get('segment.bytes'), { name: 'segment.bytes', value: '1024', source: 'topic' });
  assert.deepEqual(configs.get('retention.ms'), { name: 'retention.ms', value: '86400000', source: 'broker' });
  assert.deepEqual(configs.get('retention.bytes'), { name: 'retention.bytes', value: '-1', source: 'default' });
  assert.equal(configs.get('flush.policy')?.value, 'batch');
  const table = await run(['topics', 'describe', topic, '-b', broker.bootstrap]);
  assert.match(table.stdout, /CONFIG\s+VALUE\s+SOURCE/);
  assert.match(table.stdout, /retention\.ms\s+86400000\s+broker/);

  // Trim by offset, then by time (record i has timestamp t0 + 100 i).
  const trim = await run(['topics', 'trim', topic, '--before', '50', '-b', broker.bootstrap]);
  assert.equal(trim.code, 0, trim.stderr);
  assert.match(trim.stdout, /^0\s+50$/m);
  const trimTime = await run(['topics', 'trim', topic, '--before', `@${t0 + 80 * 100}`, '-b', broker.bootstrap]);
  assert.equal(trimTime.code, 0, trimTime.stderr);
  assert.match(trimTime.stdout, /^0\s+80$/m);
  let raw = await readPartitionRaw(broker.port, topic);
  assert.equal(raw.logStartOffset, 80);
  assert.equal(raw.values[0], 'r80');
  const tooFar = await run(['topics', 'trim', topic, '--before', '5000', '-b', broker.bootstrap]);
  assert.notEqual(tooFar.code, 0);
  assert.match(tooFar.stderr, /out of range|outside/i);

  const altered = await run(['topics', 'alter', topic, '--config', 'retention.bytes=3000', '-b', broker.bootstrap]);
  assert.equal(altered.code, 0, altered.stderr);
  assert.match(altered.stdout, /retention\.bytes: -1 -> 3000/);
  const logBytes = async () => {
    let total = 0;
    for (const f of await segmentFiles(broker.dataDir, topic)) total += (await stat(join(d.path, `${topic}-0`, f))).size;
    return total;
  };
  await eventually(async () => (await logBytes()) <= 3000 + 1024, { timeoutMs: 10_000 });
  raw = await readPartitionRaw(broker.port, topic);
  assert.equal(raw.values[raw.values.length - 1], 'r199');
  assert.equal((await describe()).get('segment.bytes')?.source, 'topic', 'other overrides are kept');

  const bad = await run(['topics', 'alter', topic, '--config', 'flush.policy=sometimes', '-b', broker.bootstrap]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /flush\.policy/);

  await broker.stop();
  broker = await startBrokerProcess(d.path, { env });
  configs = await describe();
  assert.deepEqual(configs.get('retention.bytes'), { name: 'retention.bytes', value: '3000', source: 'topic' });
  assert.ok((await readPartitionRaw(broker.port, topic)).logStartOffset >= 80, 'the log start survives a restart');
});

test('kafkajs admin: describeConfigs, alterConfigs and deleteTopicRecords against mq', async (t) => {
  const broker = await brokerForTest(t);
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'mq-storage-test', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, async () => admin.disconnect());
  const topic = uniqueTopic('kjs-configs');
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] });
  const described = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic }], includeSynonyms: false });
  const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e]));
  assert.equal(entries.get('retention.ms')?.configValue, '86400000');
  assert.equal(entries.get('retention.ms')?.isDefault, false);
  assert.equal(entries.get('flush.policy')?.configValue, 'batch');
  assert.equal(entries.get('flush.policy')?.isDefault, true);

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_RESOURCE, name: topic, configEntries: [{ name: 'retention.bytes', value: '1048576' }] }] });
  const after = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['retention.bytes', 'retention.ms'] }], includeSynonyms: false });
  const got = Object.fromEntries(after.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  assert.deepEqual(got, { 'retention.bytes': '1048576', 'retention.ms': '604800000' }, 'AlterConfigs replaces the whole set');

  await produce(broker.bootstrap, topic, Array.from({ length: 30 }, (_, i) => `k${i}`));
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '12' }] });
  const offsets = await admin.fetchTopicOffsets(topic);
  const p0 = offsets.find((o) => o.partition === 0)!;
  assert.equal(p0.low, '12');
  assert.equal(p0.high, '30');
  assert.deepEqual((await readPartitionRaw(broker.port, topic)).values, Array.from({ length: 18 }, (_, i) => `k${i + 12}`));
});
