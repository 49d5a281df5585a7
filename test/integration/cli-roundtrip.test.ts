// The README's promise: `seq 1 200000 | mq produce t`, then `mq consume t -o beginning -e` prints
// 1..200000 in order; and the topic survives a broker restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrokerProcess, tempDir, uniqueTopic, run, type BrokerProcess } from '../helpers/mq-process.js';

let broker: BrokerProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  dir = await tempDir();
  broker = await startBrokerProcess(dir.path);
});
after(async () => {
  await broker.stop();
  await dir.remove();
});

const N = 200_000;

test('seq 1 200000 | mq produce, then mq consume -o beginning -e prints 1..200000 in order', async () => {
  const topic = uniqueTopic('seq');
  const input = Array.from({ length: N }, (_, i) => String(i + 1)).join('\n') + '\n';
  const produced = await run(['produce', topic, '-b', broker.bootstrap], { input, timeoutMs: 120_000 });
  assert.equal(produced.code, 0, produced.stderr);
  assert.match(produced.stderr, /200,?000 records/);

  const consumed = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-e'], { timeoutMs: 120_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout, input);
});

test('keys, headers, partition, count, format and json', async () => {
  const topic = uniqueTopic('fmt');
  const created = await run(['topics', 'create', topic, '-p', '3', '-b', broker.bootstrap]);
  assert.equal(created.code, 0, created.stderr);
  const produced = await run(['produce', topic, '-b', broker.bootstrap, '-k', ':', '-H', 'src=test', '-H', 'n=1', '-p', '2'], { input: 'k1:v1\nk2:v2\nk3:v3\n' });
  assert.equal(produced.code, 0, produced.stderr);

  const fmt = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-e', '-p', '2', '-f', '%t|%p|%o|%k|%v|%h\\n']);
  assert.equal(fmt.code, 0, fmt.stderr);
  assert.equal(fmt.stdout, `${topic}|2|0|k1|v1|src=test,n=1\n${topic}|2|1|k2|v2|src=test,n=1\n${topic}|2|2|k3|v3|src=test,n=1\n`);

  const json = await run(['consume', topic, '-b', broker.bootstrap, '-o', 'beginning', '-c', '2', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines.map((r) => [r.partition, r.offset, r.key, r.value]), [[2, 0, 'k1', 'v1'], [2, 1, 'k2', 'v2']]);
  assert.deepEqual(lines[0].headers, { src: 'test', n: '1' });

  const last = await run(['consume', topic, '-b', broker.bootstrap, '-o', '-1', '-e', '-p', '2']);
  assert.equal(last.stdout, 'v3\n');
});

test('topics create, list, describe, alter and delete; metadata survives a restart', async () => {
  const topic = uniqueTopic('adm');
  assert.equal((await run(['topics', 'create', topic, '-p', '2', '-b', broker.bootstrap])).code, 0);
  const dup = await run(['topics', 'create', topic, '-b', broker.bootstrap]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already exists/);

  const list = await run(['topics', 'list', '--json', '-b', broker.bootstrap]);
  assert.ok(JSON.parse(list.stdout).some((t: any) => (t.name ?? t) === topic), list.stdout);

  const grow = await run(['topics', 'alter', topic, '--partitions', '4', '-b', broker.bootstrap]);
  assert.equal(grow.code, 0, grow.stderr);
  const shrink = await run(['topics', 'alter', topic, '--partitions', '3', '-b', broker.bootstrap]);
  assert.equal(shrink.code, 1);
  assert.match(shrink.stderr, /can only be added/);

  assert.equal((await run(['produce', topic, '-p', '3', '-b', broker.bootstrap], { input: 'a\nb\n' })).code, 0);
  const described = await run(['topics', 'describe', topic, '--json', '-b', broker.bootstrap]);
  assert.equal(described.code, 0, described.stderr);
  const d = JSON.parse(described.stdout);
  assert.equal(d.partitions.length, 4);
  assert.equal(d.partitions[3].highWatermark, 2);
  const table = await run(['topics', 'describe', topic, '-b', broker.bootstrap]);
  assert.match(table.stdout, /PARTITION/);
  assert.match(table.stdout, /HIGH-WATERMARK/);

  // Restart on the same data dir and port: the topic, its partitions and its records are still there.
  assert.equal(await broker.stop(), 0);
  assert.match(broker.output(), /stopped cleanly/);
  broker = await startBrokerProcess(dir.path, { port: broker.port });
  const again = await run(['topics', 'describe', topic, '--json', '-b', broker.bootstrap]);
  assert.equal(JSON.parse(again.stdout).partitions.length, 4);
  const values = await run(['consume', topic, '-p', '3', '-o', 'beginning', '-e', '-b', broker.bootstrap]);
  assert.equal(values.stdout, 'a\nb\n');

  assert.equal((await run(['topics', 'delete', topic, '-b', broker.bootstrap])).code, 0);
  const gone = await run(['topics', 'describe', topic, '-b', broker.bootstrap]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /does not exist/);
});
