// Client quotas against real broker processes: `mq quotas` and Kafka's wire (DescribeClientQuotas /
// AlterClientQuotas v0 and v1, as Kafka's admin clients send them) agree; Kafka's filter and alter
// semantics (default entities, exact/default/any, strict, validate_only, remove, unknown keys refused
// per entity); enforcement: throttle_time_ms in Produce, Fetch and other responses, mq produce and a
// kafkajs producer held by producer_byte_rate, mq consume held by consumer_byte_rate, /metrics counting
// the throttle; a user quota holds a kafkajs producer authenticated as that user (SASL/SCRAM); and in
// cluster mode a quota set through one broker holds on another (etcd watch).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js';
import { startEtcd } from '../helpers/etcd.js';
import { brokerForTest, eventually, run, startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { WireSocket } from '../helpers/wire.js';

const MiB = 1024 * 1024;

async function connect(t: { after(fn: () => unknown): void }, broker: BrokerProcess): Promise<WireSocket> {
  const s = await WireSocket.connect(broker.port);
  t.after(() => s.socket.destroy());
  return s;
}

function entity(user?: string | null, clientId?: string | null): { entityType: string; entityName: string | null }[] {
  return [
    ...(user === undefined ? [] : [{ entityType: 'user', entityName: user }]),
    ...(clientId === undefined ? [] : [{ entityType: 'client-id', entityName: clientId }]),
  ];
}

async function describeQuotas(s: WireSocket, components: { entityType: string; matchType: number; match: string | null }[], strict = false, version = 1): Promise<any> {
  return s.request(ApiKey.DescribeClientQuotas, version, { components, strict });
}

/** Entities of a describe answer as "user=x,client-id=y" strings, sorted. */
function names(res: any): string[] {
  return (res.entries as any[]).map((e) => e.entity.map((c: any) => `${c.entityType}=${c.entityName ?? '<default>'}`).join(',')).sort();
}

async function metric(broker: BrokerProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://${broker.admin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

/** One uncompressed batch of `count` records of `size` bytes. */
function batch(count: number, size: number): Buffer {
  const b = new RecordBatchBuilder({ maxBytes: 4 * MiB, compression: 'none' });
  const value = Buffer.alloc(size, 'q');
  for (let i = 0; i < count; i++) assert.equal(b.tryAppend({ key: null, value, headers: [], timestamp: Date.now() }), true);
  return Buffer.from(b.build());
}

function produce(s: WireSocket, topic: string, records: Buffer): Promise<any> {
  return s.request(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }, 60_000);
}

function fetchFrom(s: WireSocket, topic: string, offset: bigint): Promise<any> {
  return s.request(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 4 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 4 * MiB }] }],
    forgottenTopicsData: [], rackId: '',
  }, 60_000);
}

describe('client quotas', () => {
  test('mq quotas and the wire (v0 and v1) agree: set, list, remove, default entities', async (t) => {
    const broker = await brokerForTest(t);
    const mq = (args: string[]) => run(['quotas', ...args, '-b', broker.bootstrap]);
    const s = await connect(t, broker);

    const set = await mq(['set', '--user', 'alice', '--producer-byte-rate', '1048576', '--request-percentage', '12.5']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'quotas of user=alice: set producer_byte_rate=1048576 request_percentage=12.5\n');
    assert.equal((await mq(['set', '--user-default', '--client-id', 'batch', '--consumer-byte-rate', '2097152'])).code, 0);
    // Kafka's wire, as its admin clients send it: set a default client-id quota (v0, not flexible).
    const alt = await s.request(ApiKey.AlterClientQuotas, 0, {
      entries: [{ entity: entity(undefined, null), ops: [{ key: 'consumer_byte_rate', value: 4096, remove: false }] }], validateOnly: false,
    });
    assert.deepEqual(alt.entries, [{ errorCode: 0, errorMessage: null, entity: entity(undefined, null) }]);

    const listed = await mq(['list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), [
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1048576, request_percentage: 12.5 } },
      { entity: { user: null, clientId: 'batch' }, values: { consumer_byte_rate: 2097152 } },
      { entity: { clientId: null }, values: { consumer_byte_rate: 4096 } },
    ]);
    const table = await mq(['list']);
    assert.equal(table.stdout, [
      'USER       CLIENT-ID  PRODUCER_BYTE_RATE  CONSUMER_BYTE_RATE  REQUEST_PERCENTAGE',
      'alice      -          1048576             -                   12.5',
      '<default>  batch      -                   2097152             -',
      '-          <default>  -                   4096                -',
      '',
    ].join('\n'));

    for (const version of [0, 1]) {
      const all = await describeQuotas(s, [], false, version);
      assert.equal(all.errorCode, 0);
      assert.deepEqual(names(all), ['client-id=<default>', 'user=<default>,client-id=batch', 'user=alice']);
      const alice = await describeQuotas(s, [{ entityType: 'user', matchType: 0, match: 'alice' }], false, version);
      assert.deepEqual(alice.entries, [{ entity: entity('alice'), values: [{ key: 'producer_byte_rate', value: 1048576 }, { key: 'request_percentage', value: 12.5 }] }]);
    }

    const removed = await mq(['remove', '--user', 'alice', '--producer-byte-rate']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'quotas of user=alice: removed producer_byte_rate\n');
    assert.deepEqual((await describeQuotas(s, [{ entityType: 'user', matchType: 0, match: 'alice' }])).entries[0].values, [{ key: 'request_percentage', value: 12.5 }]);
    assert.equal((await mq(['remove', '--user', 'alice'])).stdout, 'quotas of user=alice: removed request_percentage\n');
    assert.equal((await mq(['remove', '--user', 'alice'])).stdout, 'quotas of user=alice: none set\n');
    assert.deepEqual(names(await describeQuotas(s, [])), ['client-id=<default>', 'user=<default>,client-id=batch']);

    const noEntity = await mq(['set', '--producer-byte-rate', '5']);
    assert.equal(noEntity.code, 2);
    assert.match(noEntity.stderr, /--user NAME, --user-default, --client-id ID/);
    const nothing = await mq(['set', '--user', 'bob']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nothing to set/);
  });

  test('Kafka\'s semantics: match types, strict, validate_only, unknown keys and entity types refused per entry', async (t) => {
    const broker = await brokerForTest(t);
    const s = await connect(t, broker);
    const alter = (entries: any[], validateOnly = false): Promise<any> => s.request(ApiKey.AlterClientQuotas, 1, { entries, validateOnly });
    const op = (key: string, value: number, remove = false) => ({ key, value, remove });

    const res = await alter([
      { entity: entity('alice'), ops: [op('producer_byte_rate', 1000)] },
      { entity: entity('alice', 'app'), ops: [op('consumer_byte_rate', 2000)] },
      { entity: entity(null), ops: [op('request_percentage', 50)] },
      { entity: entity(null, null), ops: [op('producer_byte_rate', 3000)] },
      { entity: entity(undefined, 'app'), ops: [op('producer_byte_rate', 4000)] },
      { entity: entity('bob'), ops: [op('producer_byte_rate', 5000), op('bytes_per_fortnight', 1)] },
      { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }], ops: [op('connection_creation_rate', 5)] },
      { entity: [...entity('carol'), ...entity('dave')], ops: [op('producer_byte_rate', 1)] },
      { entity: entity('erin'), ops: [op('producer_byte_rate', 1.5)] },
      { entity: entity('frank'), ops: [op('producer_byte_rate', -1)] },
      { entity: [], ops: [op('producer_byte_rate', 1)] },
    ]);
    const codes = res.entries.map((e: any) => e.errorCode);
    assert.deepEqual(codes, [0, 0, 0, 0, 0, ...Array(6).fill(ErrorCode.INVALID_REQUEST)]);
    assert.deepEqual(res.entries[5].entity, entity('bob'));
    assert.match(res.entries[5].errorMessage, /user=bob: unknown quota key 'bytes_per_fortnight' \(known: producer_byte_rate, consumer_byte_rate, request_percentage\)/);
    assert.match(res.entries[6].errorMessage, /unknown entity type 'ip'/);
    assert.match(res.entries[7].errorMessage, /'user' appears more than once/);
    assert.match(res.entries[8].errorMessage, /whole number of bytes/);
    assert.match(res.entries[9].errorMessage, /must be above 0/);
    assert.match(res.entries[10].errorMessage, /empty quota entity/);

    const d = (components: any[], strict = false) => describeQuotas(s, components, strict).then(names);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 0, match: 'alice' }]), ['user=alice', 'user=alice,client-id=app']);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 0, match: 'alice' }], true), ['user=alice']);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 1, match: null }]), ['user=<default>', 'user=<default>,client-id=<default>']);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 2, match: null }], true), ['user=<default>', 'user=alice']);
    assert.deepEqual(await d([{ entityType: 'client-id', matchType: 2, match: null }]), ['client-id=app', 'user=<default>,client-id=<default>', 'user=alice,client-id=app']);
    assert.deepEqual(await d([{ entityType: 'client-id', matchType: 0, match: 'app' }], true), ['client-id=app']);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 2, match: null }, { entityType: 'client-id', matchType: 1, match: null }]), ['user=<default>,client-id=<default>']);
    const bad = await describeQuotas(s, [{ entityType: 'user', matchType: 0, match: null }]);
    assert.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(bad.entries, null);
    assert.match(bad.errorMessage, /exact \(0\) on 'user' needs a name/);
    assert.equal((await describeQuotas(s, [{ entityType: 'user', matchType: 1, match: 'x' }])).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await describeQuotas(s, [{ entityType: 'user', matchType: 7, match: null }])).errorCode, ErrorCode.INVALID_REQUEST);
    assert.match((await describeQuotas(s, [{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }])).errorMessage, /more than once in the filter/);

    // validate_only: checked and answered, nothing changes; a bad entry still fails.
    const dry = await alter([{ entity: entity('alice'), ops: [op('producer_byte_rate', 0, true)] }, { entity: entity('zed'), ops: [op('nope', 1)] }], true);
    assert.deepEqual(dry.entries.map((e: any) => e.errorCode), [0, ErrorCode.INVALID_REQUEST]);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 0, match: 'alice' }], true), ['user=alice']);
    // remove: the key goes; the entity with no key left goes; removing what is not set is not an error.
    const rm = await alter([{ entity: entity('alice'), ops: [op('producer_byte_rate', 0, true), op('request_percentage', 0, true)] }]);
    assert.deepEqual(rm.entries.map((e: any) => e.errorCode), [0]);
    assert.deepEqual(await d([{ entityType: 'user', matchType: 0, match: 'alice' }], true), []);
  });

  test('over a quota: throttle_time_ms in Produce, Fetch and other responses, /metrics counts it, and lifting the quota ends it', async (t) => {
    const broker = await brokerForTest(t);
    const topic = uniqueTopic('quota');
    assert.equal((await run(['topics', 'create', topic, '-b', broker.bootstrap])).code, 0);
    // WireSocket's client-id is mq-test. At 100 KiB/s with one second of credit, 300 KB is 2 s over.
    assert.equal((await run(['quotas', 'set', '--client-id', 'mq-test', '--producer-byte-rate', '102400', '--consumer-byte-rate', '102400', '-b', broker.bootstrap])).code, 0);
    const s = await connect(t, broker);
    const records = batch(30, 10_000);
    const produced = await produce(s, topic, records);
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0);
    assert.ok(produced.throttleTimeMs > 1000, `Produce throttleTimeMs ${produced.throttleTimeMs}`);

    const fetched = await fetchFrom(s, topic, 0n);
    assert.ok(fetched.responses[0].partitions[0].records.length > 300_000);
    assert.ok(fetched.throttleTimeMs > 1000, `Fetch throttleTimeMs ${fetched.throttleTimeMs}`);
    assert.ok(await metric(broker, 'mq_quota_throttle_seconds_total{type="produce"}') > 0);
    assert.ok(await metric(broker, 'mq_quota_throttle_seconds_total{type="fetch"}') > 0);
    const text = await (await fetch(`http://${broker.admin}/metrics`)).text();
    assert.match(text, /^mq_quota_usage\{quota="producer_byte_rate",user="",client_id="mq-test"\} \d/m);

    // Lifted: the next answers carry no throttle (the broker follows the store's quotas/ keys).
    assert.equal((await run(['quotas', 'remove', '--client-id', 'mq-test', '-b', broker.bootstrap])).code, 0);
    const after = await produce(s, topic, records);
    assert.equal(after.throttleTimeMs, 0);

    // request_percentage: a vanishing share of the event loop throttles any request (Metadata here).
    assert.equal((await run(['quotas', 'set', '--client-id', 'mq-test', '--request-percentage', '0.0001', '-b', broker.bootstrap])).code, 0);
    const throttled = await eventually(async () => {
      const m = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
      return m.throttleTimeMs > 0 ? m : undefined;
    }, { timeoutMs: 30_000 });
    assert.ok(throttled.throttleTimeMs > 0);
    assert.ok(await metric(broker, 'mq_quota_throttle_seconds_total{type="request"}') > 0);
  });

  test('producer_byte_rate holds mq produce and a kafkajs producer; consumer_byte_rate holds mq consume', { timeout: 180_000 }, async (t) => {
    const broker = await brokerForTest(t);
    const topic = uniqueTopic('quota');
    const other = uniqueTopic('quota');
    const b = ['-b', broker.bootstrap];
    assert.equal((await run(['topics', 'create', topic, ...b])).code, 0);
    assert.equal((await run(['topics', 'create', other, ...b])).code, 0);
    // 10 MB of 1,000-byte lines: at 1 MiB/s (with one second of credit, and the last request's hold
    // after its answer) this cannot be done in 5 s; without the quota it takes well under a second.
    const dir = await tempDir();
    t.after(() => dir.remove());
    const file = join(dir.path, 'lines.txt');
    await writeFile(file, `${'x'.repeat(999)}\n`.repeat(10_000));
    assert.equal((await run(['quotas', 'set', '--client-id', 'mq-cli', '--producer-byte-rate', String(MiB), ...b])).code, 0);
    assert.equal((await run(['quotas', 'set', '--client-id', 'quota-kafkajs', '--producer-byte-rate', String(MiB), ...b])).code, 0);

    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'quota-kafkajs', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    t.after(() => producer.disconnect());
    const kafkajsRun = (async () => {
      const started = Date.now();
      const value = Buffer.alloc(1000, 'k');
      for (let i = 0; i < 10; i++) await producer.send({ topic: other, messages: Array.from({ length: 1000 }, () => ({ value })) });
      return Date.now() - started;
    })();
    const mqStarted = Date.now();
    const produced = await run(['produce', topic, '-f', file, ...b], { timeoutMs: 120_000 });
    const mqMs = Date.now() - mqStarted;
    assert.equal(produced.code, 0, produced.stderr);
    const kafkajsMs = await kafkajsRun;
    assert.ok(mqMs > 5000, `mq produce of 10 MB under a 1 MiB/s quota took ${mqMs} ms`);
    assert.ok(kafkajsMs > 5000, `kafkajs producing 10 MB under a 1 MiB/s quota took ${kafkajsMs} ms`);
    assert.ok(await metric(broker, 'mq_quota_throttle_seconds_total{type="produce"}') > 5);

    // consume: the same 10 MB read back under 1 MiB/s of consumer_byte_rate.
    assert.equal((await run(['quotas', 'set', '--client-id', 'mq-cli', '--consumer-byte-rate', String(MiB), ...b])).code, 0);
    const consumeStarted = Date.now();
    const consumed = await run(['consume', topic, '--offset', 'beginning', '--count', '10000', ...b], { timeoutMs: 120_000 });
    const consumeMs = Date.now() - consumeStarted;
    assert.equal(consumed.code, 0, consumed.stderr);
    assert.equal(consumed.stdout.split('\n').length - 1, 10_000);
    assert.ok(consumeMs > 5000, `mq consume of 10 MB under a 1 MiB/s quota took ${consumeMs} ms`);
    assert.ok(await metric(broker, 'mq_quota_throttle_seconds_total{type="fetch"}') > 0);
  });

  test('a user quota holds that user\'s producer (kafkajs over SASL_PLAINTEXT with SCRAM-SHA-256), whatever its client-id', { timeout: 120_000 }, async (t) => {
    const dir = await tempDir();
    t.after(() => dir.remove());
    const data = join(dir.path, 'data');
    const created = await run(['users', 'create', 'alice', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--data', data], { input: 'alice-secret' });
    assert.equal(created.code, 0, created.stderr);
    const broker = await startBrokerProcess(data, {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      env: { MQ_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-256' },
    });
    t.after(() => broker.stop());
    const plain = ['-b', `127.0.0.1:${broker.listenerPort('PLAINTEXT')}`];
    const topic = uniqueTopic('quota');
    assert.equal((await run(['topics', 'create', topic, ...plain])).code, 0);
    assert.equal((await run(['quotas', 'set', '--user', 'alice', '--producer-byte-rate', String(MiB), ...plain])).code, 0);

    const kafka = new Kafka({
      brokers: [`127.0.0.1:${broker.listenerPort('SASL_PLAINTEXT')}`], clientId: `any-${Date.now()}`, logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' },
    });
    const producer = kafka.producer();
    await producer.connect();
    t.after(() => producer.disconnect());
    const value = Buffer.alloc(1000, 'a');
    const started = Date.now();
    for (let i = 0; i < 10; i++) await producer.send({ topic, messages: Array.from({ length: 1000 }, () => ({ value })) });
    const ms = Date.now() - started;
    assert.ok(ms > 5000, `alice produced 10 MB under a 1 MiB/s user quota in ${ms} ms`);
    const text = await (await fetch(`http://${broker.admin}/metrics`)).text();
    assert.match(text, /^mq_quota_usage\{quota="producer_byte_rate",user="alice",client_id=""\} \d/m);
  });

  test('cluster mode: a quota set through one broker is described and enforced by another (etcd watch)', async (t) => {
    const etcd = await startEtcd();
    t.after(() => etcd.stop());
    const dir = await tempDir();
    t.after(() => dir.remove());
    const brokers: BrokerProcess[] = [];
    t.after(() => Promise.all(brokers.map((x) => x.stop())));
    for (const id of [1, 2]) brokers.push(await startBrokerProcess(join(dir.path, `b${id}`), { args: ['--id', String(id), '--etcd', etcd.endpoint] }));
    const [one, two] = brokers;
    const set = await run(['quotas', 'set', '--client-id', 'mq-test', '--request-percentage', '0.0001', '-b', one.bootstrap]);
    assert.equal(set.code, 0, set.stderr);
    const listed = await run(['quotas', 'list', '--json', '-b', two.bootstrap]);
    assert.deepEqual(JSON.parse(listed.stdout), [{ entity: { clientId: 'mq-test' }, values: { request_percentage: 0.0001 } }]);
    const s = await connect(t, two);
    const throttled = await eventually(async () => {
      const m = await s.request(ApiKey.Metadata, 4, { topics: [], allowAutoTopicCreation: false });
      return m.throttleTimeMs > 0 ? m : undefined;
    }, { timeoutMs: 30_000 });
    assert.ok(throttled.throttleTimeMs > 0);
  });
});
