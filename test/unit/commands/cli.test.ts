import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { main, type Io } from '../../../commands/index.js';
import type { Deps } from '../../../commands/context.js';
import type {
  Admin, Assignment, ClientOptions, ConsumedRecord, Consumer, ConsumerOptions, Producer, ProducerOptions, ProducerRecord, TopicDescription,
} from '../../../src/client/types.js';
import type { BrokerConfig } from '../../../src/config/config.js';
import { MqError } from '../../../src/util/mq-error.js';
import { decodedFromRecords } from '../../helpers/fake-decoded.js';

/** An in-memory writable that remembers what was written. */
function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** Runs main() with in-memory streams; deps that are not given throw if a command reaches them. */
async function run(argv: string[], io: Partial<Io> & { input?: string } = {}): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const unexpected = (name: string) => () => { throw new Error(`unexpected call to ${name}`); };
  const deps: Partial<Deps> = {
    createAdmin: unexpected('createAdmin'), createProducer: unexpected('createProducer'), createConsumer: unexpected('createConsumer'),
    loadBrokerConfig: unexpected('loadBrokerConfig'), startBroker: unexpected('startBroker'),
    ...io.deps,
  };
  const code = await main(argv, { out, err, stdin: Readable.from(io.input === undefined ? [] : [Buffer.from(io.input)]), env: {}, ...io, deps });
  return { code, out: out.text(), err: err.text() };
}

const noStack = (text: string): void => assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');

function fakeAdmin(description?: TopicDescription) {
  const calls: string[] = [];
  let options: ClientOptions | null = null;
  let closed = 0;
  const admin: Admin = {
    async metadata() {
      calls.push('metadata');
      return {
        clusterId: 'c', controllerId: 0, brokers: [],
        topics: [
          { name: 'zeta', errorCode: 0, partitions: [{ partition: 0, leader: 0, replicas: [0], isr: [0], errorCode: 0 }] },
          { name: 'alpha', errorCode: 0, partitions: [0, 1, 2].map((p) => ({ partition: p, leader: 0, replicas: [0, 1], isr: [0, 1], errorCode: 0 })) },
        ],
      };
    },
    async createTopic(o) { calls.push(`createTopic ${JSON.stringify(o)}`); },
    async listTopics() { return ['alpha', 'zeta']; },
    async describeTopic(name) {
      calls.push(`describeTopic ${name}`);
      if (!description) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      return description;
    },
    async createPartitions(topic, n) { calls.push(`createPartitions ${topic} ${n}`); },
    async deleteTopic(name) { calls.push(`deleteTopic ${name}`); },
    async listGroups(o) {
      calls.push(`listGroups ${JSON.stringify(o?.states ?? [])}`);
      return [{ groupId: 'g', protocolType: 'consumer', state: 'Empty' }, { groupId: 'live', protocolType: 'consumer', state: 'Stable' }]
        .filter((g) => !o?.states?.length || o.states.includes(g.state));
    },
    async describeGroup(groupId) { calls.push(`describeGroup ${groupId}`); throw new MqError('GROUP_ID_NOT_FOUND', `group '${groupId}' does not exist`); },
    async resetGroupOffsets(o) { calls.push(`resetGroupOffsets ${JSON.stringify(o)}`); return { groupId: o.groupId, executed: o.execute, partitions: [{ topic: o.topic, partition: 0, currentOffset: 5, newOffset: 0 }] }; },
    async deleteGroup(groupId) { calls.push(`deleteGroup ${groupId}`); },
    async deleteGroupOffsets(o) {
      calls.push(`deleteGroupOffsets ${JSON.stringify(o)}`);
      return (o.partitions ?? [0, 1]).map((partition) => ({ topic: o.topic, partition, error: o.topic === 'busy' ? 'GROUP_SUBSCRIBED_TO_TOPIC' : null }));
    },
    async describeBrokerConfig(nodeId) { calls.push(`describeBrokerConfig ${nodeId}`); return {}; },
    async describeTopicConfig(topic) {
      calls.push(`describeTopicConfig ${topic}`);
      return [{ name: 'retention.ms', value: '604800000', source: 'default' }, { name: 'segment.bytes', value: '1024', source: 'topic' }];
    },
    async alterTopicConfig(topic, changes) { calls.push(`alterTopicConfig ${topic} ${JSON.stringify(changes)}`); },
    async deleteRecords(topic, before) { calls.push(`deleteRecords ${topic} ${JSON.stringify(before)}`); return [{ partition: 0, logStartOffset: 7 }]; },
    async electLeaders(partitions) { calls.push(`electLeaders ${JSON.stringify(partitions)}`); return []; },
    async setDecommissionedPartitions(topic, partitions) { calls.push(`setDecommissionedPartitions ${topic} ${partitions.join(',')}`); },
    async alterPartitionReassignments(changes) { calls.push(`alterPartitionReassignments ${JSON.stringify(changes)}`); return []; },
    async listPartitionReassignments() { calls.push('listPartitionReassignments'); return []; },
    async setReassignmentThrottle(rate) { calls.push(`setReassignmentThrottle ${rate}`); },
    async describeReassignmentThrottle() { calls.push('describeReassignmentThrottle'); return null; },
    async describeUsers(names) { calls.push(`describeUsers ${JSON.stringify(names ?? null)}`); return [{ user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }] }]; },
    async upsertUser(user, password, o) { calls.push(`upsertUser ${user} ${password.length} ${JSON.stringify(o)}`); },
    async deleteUser(user, mechanism) { calls.push(`deleteUser ${user} ${mechanism}`); },
    async describeClientQuotas(filter) {
      calls.push(`describeClientQuotas ${JSON.stringify(filter ?? {})}`);
      return [
        { entity: { user: 'alice' }, values: { producer_byte_rate: 1048576, request_percentage: 12.5 } },
        { entity: { user: null, clientId: 'batch' }, values: { consumer_byte_rate: 2097152 } },
      ];
    },
    async alterClientQuotas(entity, changes, o) { calls.push(`alterClientQuotas ${JSON.stringify(entity)} ${JSON.stringify(changes)} ${JSON.stringify(o ?? {})}`); },
    async createAcls(bindings) { calls.push(`createAcls ${JSON.stringify(bindings)}`); },
    async describeAcls(filter) { calls.push(`describeAcls ${JSON.stringify(filter ?? {})}`); return []; },
    async deleteAcls(filter) { calls.push(`deleteAcls ${JSON.stringify(filter)}`); return []; },
    async close() { closed++; },
  };
  const deps: Partial<Deps> = { createAdmin: (o) => { options = o; return admin; } };
  return { deps, calls, closed: () => closed, options: () => options };
}

const fourPartitions: TopicDescription = {
  name: 't',
  partitions: [3, 1, 0, 2].map((p) => ({ partition: p, leader: p === 2 ? -1 : 0, replicas: [0, 1], isr: p === 1 ? [0] : [0, 1], logStartOffset: p * 10, highWatermark: 100 + p, errorCode: 0 })),
};

describe('mq --help', () => {
  test('lists every command and the bootstrap option, exit 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['broker', 'produce', 'consume', 'topics', 'bench']) assert.match(r.out, new RegExp(`^  ${c}\\b`, 'm'));
    assert.match(r.out, /MQ_BOOTSTRAP/);
    assert.equal(r.err, '');
  });

  const expected: [string[], string[]][] = [
    [['produce'], ['--bootstrap', '--file', '--key-separator', '--header', '--partition', '--acks', '--linger-ms', '--batch-size', '--compression', 'Examples:']],
    [['consume'], ['--bootstrap', '--offset', '(default: end)', '--partition', '--count', '--exit-at-end', '--format', '--json', '@TIMESTAMP', 'Examples:']],
    [['broker', 'start'], ['--data', '--listen', '--config', './mq-data', '127.0.0.1:9092']],
    [['topics'], ['create', 'list', 'describe', 'alter', 'delete']],
    [['topics', 'alter'], ['--partitions', '--bootstrap']],
    [['bench', 'produce'], ['--topic', '--record-size', '--count', '--partitions', '--acks', '--linger-ms', '--batch-size', '--json']],
  ];
  for (const [cmd, words] of expected) {
    test(`mq ${cmd.join(' ')} --help`, async () => {
      const r = await run([...cmd, '--help']);
      assert.equal(r.code, 0);
      for (const w of words) assert.ok(r.out.includes(w), `help of ${cmd.join(' ')} mentions ${w}`);
    });
  }

  test('--version prints the package version', async () => {
    const r = await run(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('usage errors exit 2 with one line', () => {
  test('unknown flag names the flag and the command', async () => {
    const r = await run(['produce', 't', '--bogus']);
    assert.equal(r.code, 2);
    assert.equal(r.err, "mq: error: unknown option '--bogus' (see 'mq produce --help')\n");
    assert.equal(r.out, '');
  });

  test('unknown flag of a nested command', async () => {
    const r = await run(['topics', 'describe', 't', '--nope']);
    assert.equal(r.code, 2);
    assert.equal(r.err.split('\n').length, 2);
    assert.match(r.err, /^mq: error: unknown option '--nope'.*'mq topics describe --help'/);
  });

  test('unknown command', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^mq: error: unknown command 'frobnicate'/);
  });

  test('bad flag values are refused before any client is created', async () => {
    for (const argv of [
      ['consume', 't', '-o', 'yesterday'],
      ['consume', 't', '-f', '%q'],
      ['consume', 't', '-p', '-1'],
      ['produce', 't', '--acks', '2'],
      ['produce', 't', '--compression', 'zstd'],
      ['topics', 'list', '-b', 'nohost'],
      ['topics', 'create', 't', '--config', 'noequals'],
    ]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
      assert.match(r.err, /^mq: error: option .* is invalid/, argv.join(' '));
      noStack(r.err);
    }
  });

  test('--json and --format together are refused', async () => {
    const r = await run(['consume', 't', '--json', '-f', '%v']);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot be used with/);
  });

  test('missing argument and missing required option', async () => {
    assert.equal((await run(['produce'])).code, 2);
    const r = await run(['topics', 'alter', 't']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--partitions/);
  });

  test('a bare command group shows its help on stderr', async () => {
    const r = await run(['topics']);
    assert.equal(r.code, 2);
    assert.match(r.err, /Usage: mq topics/);
  });
});

describe('mq topics', () => {
  test('alter refuses a decrease before requesting any change, and closes the admin', async () => {
    const a = fakeAdmin(fourPartitions);
    const r = await run(['topics', 'alter', 't', '--partitions', '2'], { deps: a.deps });
    assert.equal(r.code, 1);
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines[0], 'mq: error: topic t has 4 partitions; partitions can only be added');
    assert.match(lines[1], /^hint: /);
    assert.equal(lines.length, 2);
    assert.deepEqual(a.calls, ['describeTopic t']);
    assert.equal(a.closed(), 1);
  });

  test('alter grows the topic', async () => {
    const a = fakeAdmin(fourPartitions);
    const r = await run(['topics', 'alter', 't', '--partitions', '6', '-b', '10.0.0.1:9092, 10.0.0.2:9093'], { deps: a.deps });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(a.calls, ['describeTopic t', 'createPartitions t 6']);
    assert.deepEqual(a.options()?.bootstrap, ['10.0.0.1:9092', '10.0.0.2:9093']);
    assert.equal(r.out, 'topic t now has 6 partitions (was 4)\n');
  });

  test('describe prints an upper-case table sorted by partition', async () => {
    const a = fakeAdmin(fourPartitions);
    const r = await run(['topics', 'describe', 't'], { deps: a.deps });
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows, [
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START', 'HIGH-WATERMARK'],
      ['0', '0', '0,1', '0,1', '0', '100'],
      ['1', '0', '0,1', '0', '10', '101'],
      ['2', 'none', '0,1', '0,1', '20', '102'],
      ['3', '0', '0,1', '0,1', '30', '103'],
      [''],
      ['CONFIG', 'VALUE', 'SOURCE'],
      ['retention.ms', '604800000', 'default'],
      ['segment.bytes', '1024', 'topic'],
    ]);
  });

  test('alter --config sets the given keys and prints old -> new; trim --before takes an offset or @time', async () => {
    const a = fakeAdmin(fourPartitions);
    const r = await run(['topics', 'alter', 't', '--config', 'retention.ms=1000', '--config', 'segment.bytes=2048'], { deps: a.deps });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'topic t retention.ms: 604800000 -> 1000\ntopic t segment.bytes: 1024 -> 2048\n');
    assert.ok(a.calls.includes('alterTopicConfig t {"retention.ms":"1000","segment.bytes":"2048"}'));
    const unknown = await run(['topics', 'alter', 't', '--config', 'nope=1'], { deps: a.deps });
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /unknown topic config 'nope'/);
    const nothing = await run(['topics', 'alter', 't'], { deps: a.deps });
    assert.notEqual(nothing.code, 0);
    const trim = await run(['topics', 'trim', 't', '--before', '42'], { deps: a.deps });
    assert.equal(trim.code, 0, trim.err);
    assert.deepEqual(trim.out.trimEnd().split('\n').map((l) => l.trim().split(/\s+/)), [['PARTITION', 'LOG-START'], ['0', '7']]);
    await run(['topics', 'trim', 't', '--before', '@2024-05-01T00:00:00Z'], { deps: a.deps });
    assert.ok(a.calls.includes('deleteRecords t {"offset":42}'));
    assert.ok(a.calls.includes(`deleteRecords t {"timestampMs":${Date.parse('2024-05-01T00:00:00Z')}}`));
    const bad = await run(['topics', 'trim', 't', '--before', 'yesterday'], { deps: a.deps });
    assert.equal(bad.code, 2);
  });

  test('describe --json prints the description', async () => {
    const r = await run(['topics', 'describe', 't', '--json'], { deps: fakeAdmin(fourPartitions).deps });
    assert.deepEqual(JSON.parse(r.out), {
      ...fourPartitions,
      partitions: fourPartitions.partitions.map((p) => ({ ...p, state: 'active' })),
      deletedPartitions: [],
      configs: [{ name: 'retention.ms', value: '604800000', source: 'default' }, { name: 'segment.bytes', value: '1024', source: 'topic' }],
    });
  });

  test('describe of a missing topic: exit 1, message and a default hint', async () => {
    const r = await run(['topics', 'describe', 'nope'], { deps: fakeAdmin().deps });
    assert.equal(r.code, 1);
    assert.equal(r.err, 'mq: error: topic nope does not exist\nhint: See the topics with `mq topics list`; create one with `mq topics create NAME`.\n');
  });

  test('list shows name, partitions and replicas sorted by name; --json too', async () => {
    const a = fakeAdmin();
    const table = await run(['topics', 'list'], { deps: a.deps });
    assert.deepEqual(table.out.trimEnd().split('\n').map((l) => l.split(/\s+/)), [['NAME', 'PARTITIONS', 'REPLICAS'], ['alpha', '3', '2'], ['zeta', '1', '1']]);
    const json = await run(['topic', 'list', '--json'], { deps: a.deps });
    assert.deepEqual(JSON.parse(json.out), [{ name: 'alpha', partitions: 3, replicas: 2 }, { name: 'zeta', partitions: 1, replicas: 1 }]);
  });

  test('create passes partitions, replication factor and configs', async () => {
    const a = fakeAdmin();
    const r = await run(['topics', 'create', 'orders', '-p', '3', '-r', '1', '--config', 'retention.ms=1000', '--config', 'segment.bytes=1048576'], { deps: a.deps });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(a.calls, [`createTopic ${JSON.stringify({ topic: 'orders', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '1000', 'segment.bytes': '1048576' } })}`]);
    assert.equal(r.out, 'created topic orders\n');
  });

  test('delete', async () => {
    const a = fakeAdmin();
    const r = await run(['topics', 'delete', 'orders'], { deps: a.deps });
    assert.equal(r.code, 0);
    assert.deepEqual(a.calls, ['deleteTopic orders']);
  });

  test('MQ_DEBUG=1 adds the stack trace', async () => {
    const r = await run(['topics', 'describe', 'nope'], { deps: fakeAdmin().deps, env: { MQ_DEBUG: '1' } });
    assert.equal(r.code, 1);
    assert.match(r.err, /^\s+at /m);
  });
});

describe('mq groups', () => {
  test('list shows each group\'s state; --state filters (any case), a bad state is a usage error', async () => {
    const a = fakeAdmin();
    const all = await run(['groups', 'list'], { deps: a.deps });
    assert.equal(all.code, 0);
    assert.match(all.out, /^GROUP\s+PROTOCOL-TYPE\s+STATE$/m);
    assert.match(all.out, /^g\s+consumer\s+Empty$/m);
    const empty = await run(['groups', 'list', '--state', 'empty', '--json'], { deps: a.deps });
    assert.deepEqual(JSON.parse(empty.out), [{ groupId: 'g', protocolType: 'consumer', state: 'Empty' }]);
    assert.deepEqual(a.calls, ['listGroups []', 'listGroups ["Empty"]']);
    const bad = await run(['groups', 'list', '--state', 'Sleepy'], { deps: a.deps });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /'Sleepy' is not a group state/);
  });

  test('delete-offsets: a table per partition; a refused partition is exit 1 with its reason', async () => {
    const a = fakeAdmin();
    const ok = await run(['groups', 'delete-offsets', 'g', '--topic', 'orders', '-p', '1'], { deps: a.deps });
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^TOPIC\s+PARTITION\s+STATUS$/m);
    assert.match(ok.out, /^orders\s+1\s+deleted$/m);
    assert.deepEqual(a.calls, ['deleteGroupOffsets {"groupId":"g","topic":"orders","partitions":[1]}']);
    const refused = await run(['groups', 'delete-offsets', 'g', '--topic', 'busy'], { deps: a.deps });
    assert.equal(refused.code, 1);
    assert.match(refused.out, /^busy\s+0\s+GROUP_SUBSCRIBED_TO_TOPIC$/m);
    assert.match(refused.err, /2 of 2 offsets not deleted/);
    assert.match(refused.err, /live members consume that topic/);
  });
});

function fakeProducer(fail?: (r: ProducerRecord) => boolean) {
  const sent: ProducerRecord[] = [];
  let options: ProducerOptions | null = null;
  let closed = 0;
  const producer: Producer = {
    async send(r) {
      sent.push(r);
      await new Promise((res) => setImmediate(res));
      if (fail?.(r)) throw new MqError('MESSAGE_TOO_LARGE', 'the record batch is larger than max.message.bytes');
      return { topic: r.topic, partition: 0, offset: sent.length - 1, timestamp: 0 };
    },
    async waitForCapacity() {},
    async flush() {},
    async close() { closed++; },
  };
  const deps: Partial<Deps> = { createProducer: (o) => { options = o; return producer; } };
  return { deps, sent, options: () => options, closed: () => closed };
}

describe('mq produce', () => {
  test('one record per stdin line with key, headers and producer settings; summary on stderr', async () => {
    const p = fakeProducer();
    const r = await run(['produce', 'orders', '-k', ':', '-H', 'src=cli', '-H', 'v=2', '--acks', '1', '--linger-ms', '20', '--batch-size', '1000', '--compression', 'gzip'], {
      deps: p.deps, input: 'a:1\r\nb:2\nplain\n',
    });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(p.sent.map((s) => [s.key?.toString() ?? null, s.value?.toString()]), [['a', '1'], ['b', '2'], [null, 'plain']]);
    assert.deepEqual(p.sent[0].headers?.map((h) => [h.key, h.value?.toString()]), [['src', 'cli'], ['v', '2']]);
    const o = p.options()!;
    assert.deepEqual([o.acks, o.lingerMs, o.batchSize, o.compression, o.bootstrap], [1, 20, 1000, 'gzip', ['127.0.0.1:9092']]);
    assert.match(r.err, /^produced 3 records \(9 B\) to orders in \d+ ms \([\d,.]+ records\/s\)\n$/);
    assert.equal(r.out, '');
    assert.equal(p.closed(), 1);
  });

  test('acks default to all', async () => {
    const p = fakeProducer();
    await run(['produce', 't'], { deps: p.deps, input: 'x\n' });
    assert.equal(p.options()!.acks, -1);
  });

  test('unacknowledged records: exit 1 naming how many and why', async () => {
    const p = fakeProducer((rec) => rec.value!.toString() === 'big');
    const r = await run(['produce', 't'], { deps: p.deps, input: 'a\nbig\nb\nbig\n' });
    assert.equal(r.code, 1);
    const lines = r.err.trimEnd().split('\n');
    assert.match(lines[0], /^produced 2 records/);
    assert.equal(lines[1], 'mq: error: 2 of 4 records were not acknowledged: MESSAGE_TOO_LARGE the record batch is larger than max.message.bytes');
  });

  test('a missing --file is a one-line error', async () => {
    const r = await run(['produce', 't', '-f', '/nonexistent/mq-input.txt'], { deps: fakeProducer().deps });
    assert.equal(r.code, 1);
    assert.match(r.err, /mq: error: no such file: \/nonexistent\/mq-input.txt\n/);
    noStack(r.err);
  });
});

function rec(offset: number, partition = 0): ConsumedRecord {
  return { topic: 't', partition, offset, timestamp: 1000 + offset, timestampType: 0, key: Buffer.from(`k${offset}`), value: offset % 5 === 4 ? null : Buffer.from(`v${offset}`), headers: [] };
}

function fakeConsumer(total = Infinity) {
  let assigned: Assignment[] | null = null;
  let options: ConsumerOptions | null = null;
  let recordsOpts: { signal?: AbortSignal; exitAtEnd?: boolean } | undefined;
  let closed = 0;
  let yielded = 0;
  const consumer: Consumer = {
    async assign(a) { assigned = a; },
    records(opts) {
      recordsOpts = opts;
      return (async function* () {
        for (let i = 0; i < total && !opts?.signal?.aborted; i++) {
          if (i % 100 === 0) await new Promise((res) => setImmediate(res));
          yielded++;
          yield rec(i);
        }
      })();
    },
    decoded(decode, opts) {
      return decodedFromRecords(this.records(opts), decode);
    },
    async close() { closed++; },
  };
  const deps: Partial<Deps> = { createConsumer: (o) => { options = o; return consumer; } };
  return { deps, assigned: () => assigned, options: () => options, recordsOpts: () => recordsOpts, closed: () => closed, yielded: () => yielded };
}

describe('mq consume', () => {
  test('prints one value per line (null: empty line) up to the end with -e', async () => {
    const c = fakeConsumer(6);
    const r = await run(['consume', 't', '-o', 'beginning', '-e', '-p', '1'], { deps: c.deps });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'v0\nv1\nv2\nv3\n\nv5\n');
    assert.deepEqual(c.assigned(), [{ topic: 't', partitions: [1], start: { kind: 'beginning' } }]);
    assert.equal(c.recordsOpts()?.exitAtEnd, true);
    assert.equal(c.closed(), 1);
  });

  test('offset defaults to end; -c stops after N records; --format renders tokens', async () => {
    const c = fakeConsumer();
    const r = await run(['consume', 't', '-c', '3', '-f', '%p:%o %k=%v\\n'], { deps: c.deps });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '0:0 k0=v0\n0:1 k1=v1\n0:2 k2=v2\n');
    assert.deepEqual(c.assigned(), [{ topic: 't', partitions: undefined, start: { kind: 'end' } }]);
  });

  test('--json prints one object per line', async () => {
    const r = await run(['consume', 't', '--json', '-c', '2', '-o', '-2'], { deps: fakeConsumer().deps });
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[1], { topic: 't', partition: 0, offset: 1, timestamp: 1001, key: 'k1', value: 'v1', headers: {} });
  });

  test('Ctrl-C (abort) ends consumption with exit 0 and closes the consumer', async () => {
    const c = fakeConsumer();
    const ac = new AbortController();
    const out = sink();
    let seen = 0;
    out.on('pipe', () => undefined);
    const watcher = setInterval(() => { seen = c.yielded(); if (seen >= 1000) ac.abort(); }, 1);
    const code = await main(['consume', 't'], { out, err: sink(), stdin: Readable.from([]), env: {}, signal: ac.signal, deps: c.deps });
    clearInterval(watcher);
    assert.equal(code, 0);
    assert.equal(c.closed(), 1);
    assert.ok(out.text().startsWith('v0\nv1\n'));
  });

  test('a closed pipe (EPIPE) exits 0 without output on stderr', async () => {
    const c = fakeConsumer();
    let writes = 0;
    const out = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(writes >= 3 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const err = sink();
    const code = await main(['consume', 't'], { out, err, stdin: Readable.from([]), env: {}, deps: c.deps });
    assert.equal(code, 0);
    assert.equal(err.text(), '');
    assert.equal(c.closed(), 1);
  });

  test('output is written in large chunks, not one write per record', async () => {
    const c = fakeConsumer(50_000);
    let writes = 0;
    let bytes = 0;
    const out = new Writable({ write(chunk, _enc, cb) { writes++; bytes += chunk.length; cb(); } });
    const code = await main(['consume', 't', '-e'], { out, err: sink(), stdin: Readable.from([]), env: {}, deps: c.deps });
    assert.equal(code, 0);
    let expected = 0;
    for (let i = 0; i < 50_000; i++) expected += i % 5 === 4 ? 1 : `v${i}\n`.length;
    assert.equal(bytes, expected);
    assert.ok(writes < 1000, `${writes} writes for 50000 records`);
  });
});

describe('mq broker start', () => {
  test('loads the config from flags, prints the listening line, closes on Ctrl-C', async () => {
    const ac = new AbortController();
    let sources: unknown = null;
    let closed = 0;
    const deps: Partial<Deps> = {
      loadBrokerConfig: async (s) => { sources = s; return { dataDir: './d' } as BrokerConfig; },
      startBroker: async () => ({ host: '127.0.0.1', port: 19092, close: async () => { closed++; } }),
    };
    const out = sink();
    const running = main(['broker', 'start', '--data', './d', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-format', 'json'], { out, err: sink(), stdin: Readable.from([]), env: { MQ_NUM_PARTITIONS: '3' }, signal: ac.signal, deps });
    const deadline = Date.now() + 5000;
    while (!out.text().includes('listening') && Date.now() < deadline) await new Promise((res) => setImmediate(res));
    assert.equal(out.text(), 'mq broker listening on 127.0.0.1:19092 (data: ./d)\n');
    assert.equal(closed, 0);
    ac.abort();
    assert.equal(await running, 0);
    assert.equal(closed, 1);
    assert.deepEqual(sources, {
      file: undefined, env: { MQ_NUM_PARTITIONS: '3' },
      flags: { data: './d', listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logLevel: undefined, logFormat: 'json' },
    });
  });

  test('an invalid config is exit 1 with the message and hint', async () => {
    const deps: Partial<Deps> = {
      loadBrokerConfig: async () => { throw new MqError('INVALID_CONFIG', "listeners 'x' is not HOST:PORT", { hint: 'For example 127.0.0.1:9092.' }); },
    };
    const r = await run(['broker', 'start', '--listen', 'x'], { deps });
    assert.equal(r.code, 1);
    assert.equal(r.err, "mq: error: listeners 'x' is not HOST:PORT\nhint: For example 127.0.0.1:9092.\n");
  });
});

describe('an unreachable broker', () => {
  test('exit 1, one error line and a hint, no stack trace', { timeout: 60_000 }, async () => {
    const out = sink();
    const err = sink();
    const code = await main(['topics', 'list', '-b', '127.0.0.1:1'], { out, err, stdin: Readable.from([]), env: {} });
    assert.equal(code, 1);
    const lines = err.text().trimEnd().split('\n');
    assert.equal(lines.length, 2, err.text());
    assert.match(lines[0], /^mq: error: .*127\.0\.0\.1:1/);
    assert.match(lines[1], /^hint: \S/);
    noStack(err.text());
    assert.equal(out.text(), '');
  });
});

describe('mq reassign without --etcd goes through the brokers (the admin client)', () => {
  test('status, throttle and cancel ask the brokers; with nothing moving they say so and change nothing', async () => {
    const a = fakeAdmin();
    const status = await run(['reassign', 'status', '--once', '--interval-ms', '0', '-b', '127.0.0.1:1'], { deps: a.deps });
    assert.equal(status.code, 0, status.err);
    assert.equal(status.out, 'no reassignments in progress\n');
    const throttle = await run(['reassign', 'throttle', '5', '-b', '127.0.0.1:1'], { deps: a.deps });
    assert.equal(throttle.out, 'no reassignments in progress\n');
    const cancel = await run(['reassign', 'cancel', '-b', '127.0.0.1:1'], { deps: a.deps });
    assert.equal(cancel.out, 'no reassignments in progress\n');
    assert.deepEqual(a.calls, ['listPartitionReassignments', 'listPartitionReassignments', 'listPartitionReassignments']);
    assert.deepEqual(a.options()?.bootstrap, ['127.0.0.1:1']);
  });
});
