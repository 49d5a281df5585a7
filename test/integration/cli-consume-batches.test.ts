// mq consume writes one rendered Buffer per fetched partition answer (src/cli/batch-render.ts), and that
// output is byte for byte what the general path prints: the client's records() with compileFormat /
// recordJson per record. Against a real broker, with batches from kcat -P in every codec (none, gzip,
// snappy, lz4) on three partitions, keys, headers, empty and null values, and bytes that are not UTF-8.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../commands/index.js';
import { compileFormat } from '../../src/cli/format.js';
import { recordJson } from '../../src/cli/record-json.js';
import { createConsumer } from '../../src/client/consumer.js';
import type { ConsumedRecord } from '../../src/client/types.js';
import { brokerPerFile, mqBin, run, uniqueTopic } from '../helpers/mq-process.js';

const shared = brokerPerFile();
const CODECS = ['none', 'gzip', 'snappy', 'lz4'];

const kcat = (args: string[], input: Buffer) => run(['-b', shared.broker.bootstrap, ...args], { cmd: 'kcat', input, timeoutMs: 60_000 });

/** `mq ARGS` with stdout as bytes. */
function mqBytes(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [mqBin, ...args, '-b', shared.broker.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    proc.stdout.on('data', (d: Buffer) => out.push(d));
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** kcat -P input: KEY|VALUE lines; some values hold bytes that are not UTF-8, some are empty. */
function input(partition: number, codec: string): Buffer {
  const lines: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const s = partition * 1000 + i;
    const key = i % 9 === 0 ? Buffer.alloc(0) : Buffer.from(`k${s}-${codec}`);
    let value: Buffer;
    if (i % 11 === 0) value = Buffer.alloc(0);
    else if (i % 13 === 0) value = Buffer.from([0x61, 0xff, 0x62, 0xc3]);
    else if (i % 17 === 0) value = Buffer.from([0x80, 0x41]);
    else value = Buffer.from(`välue-${s}-${'x'.repeat(i % 50 === 1 ? 6000 : i % 120)}`);
    lines.push(key, Buffer.from('|'), value, Buffer.from('\n'));
  }
  return Buffer.concat(lines);
}

/** The general path: records() of one partition, to its end. */
async function recordsOf(topic: string, partition: number): Promise<ConsumedRecord[]> {
  const consumer = createConsumer({ bootstrap: [shared.broker.bootstrap] });
  try {
    await consumer.assign([{ topic, partitions: [partition], start: { kind: 'beginning' } }]);
    const out: ConsumedRecord[] = [];
    for await (const r of consumer.records({ exitAtEnd: true })) out.push(r);
    return out;
  } finally {
    await consumer.close();
  }
}

test('-f formats and --json print what the general path prints, byte for byte (kcat codecs, keys, headers, empty and null values, 3 partitions)', async () => {
  const topic = uniqueTopic('fast');
  assert.equal((await run(['topics', 'create', topic, '-p', '3', '-b', shared.broker.bootstrap])).code, 0);
  for (let p = 0; p < 3; p++) {
    for (const codec of CODECS) {
      // -Z: empty keys and values are sent as null; every other run keeps them empty.
      const nulls = (p + CODECS.indexOf(codec)) % 2 === 0 ? ['-Z'] : [];
      const res = await kcat(['-P', '-t', topic, '-p', String(p), '-K', '|', '-H', `codec=${codec}`, '-H', 'n=', '-z', codec, ...nulls], input(p, codec));
      assert.equal(res.code, 0, res.stderr);
    }
  }
  const formats: (string | null)[] = ['%v\\n', '%k\\t%v\\n', '%p:%o %k=%v %h\\n', '%t %T %S %K [%s]\\n', null];
  for (let p = 0; p < 3; p++) {
    const records = await recordsOf(topic, p);
    assert.equal(records.length, 400 * CODECS.length);
    assert.ok(records.some((r) => r.value === null) && records.some((r) => r.value?.length === 0), 'null and empty values');
    for (const fmt of formats) {
      const args = ['consume', topic, '-p', String(p), '-o', 'beginning', '-e', ...(fmt === null ? ['--json'] : ['-f', fmt])];
      const got = await mqBytes(args);
      assert.equal(got.code, 0, got.stderr);
      const render = fmt === null ? recordJson : compileFormat(fmt);
      const want = Buffer.from(records.map(render).join(''), 'utf8');
      assert.ok(got.stdout.equals(want), `${args.join(' ')}: ${got.stdout.length} bytes, the general path ${want.length}`);
    }
  }
});

test('one write per fetched answer, not per record or per 64 KiB', async () => {
  const topic = uniqueTopic('writes');
  const line = (i: number): string => String(i).padStart(8, '0') + 'x'.repeat(92);
  const lines = Array.from({ length: 20_000 }, (_, i) => line(i)).join('\n') + '\n';
  const res = await kcat(['-P', '-t', topic], Buffer.from(lines));
  assert.equal(res.code, 0, res.stderr);
  const chunks: number[] = [];
  const out = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.length); cb(); } });
  const code = await main(['consume', topic, '-o', 'beginning', '-e', '-b', shared.broker.bootstrap], { out, err: new Writable({ write: (_c, _e, cb) => cb() }), stdin: Readable.from([]), env: {} });
  assert.equal(code, 0);
  assert.equal(chunks.reduce((a, b) => a + b, 0), lines.length);
  // 2 MB in answers of at most max.partition.fetch.bytes (1 MiB) or one whole batch each: a handful.
  assert.ok(chunks.length <= 8, `${chunks.length} writes: ${chunks.join(' ')}`);
});
