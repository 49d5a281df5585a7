// mq brokers list against a fake admin: the table (sorted by id, controller marked, "-" for no rack),
// the --json shape, the bootstrap passed through, and the client closed afterwards.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import type { Admin, ClientOptions, ClusterMetadata } from '../../../src/client/types.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

const md: ClusterMetadata = {
  clusterId: 'c', controllerId: 2, topics: [],
  brokers: [
    { nodeId: 3, host: '10.0.0.3', port: 9092, rack: 'rack-b' },
    { nodeId: 1, host: '10.0.0.1', port: 9092, rack: null },
    { nodeId: 2, host: '10.0.0.2', port: 9093, rack: 'rack-a' },
  ],
};

async function brokersList(args: string[]): Promise<{ code: number; out: string; err: string; asked: (string[] | null)[]; options: ClientOptions | null; closed: number }> {
  const asked: (string[] | null)[] = [];
  let options: ClientOptions | null = null;
  let closed = 0;
  const admin = {
    async metadata(topics: string[] | null = null) { asked.push(topics); return md; },
    async close() { closed++; },
  } as unknown as Admin;
  const out = sink();
  const err = sink();
  const code = await main(['brokers', 'list', ...args], {
    out, err, stdin: Readable.from([]), env: {},
    deps: { createAdmin: (o) => { options = o; return admin; } },
  });
  return { code, out: out.text(), err: err.text(), asked, options, closed };
}

test('mq brokers list prints ID HOST PORT RACK CONTROLLER sorted by id', async () => {
  const r = await brokersList(['-b', '10.0.0.1:9092']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split('\n').map((l) => l.split(/\s{2,}/).filter(Boolean)), [
    ['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'],
    ['1', '10.0.0.1', '9092', '-'],
    ['2', '10.0.0.2', '9093', 'rack-a', 'yes'],
    ['3', '10.0.0.3', '9092', 'rack-b'],
    [],
  ]);
  assert.deepEqual(r.asked, [[]], 'asks for brokers only, no topics');
  assert.deepEqual(r.options?.bootstrap, ['10.0.0.1:9092']);
  assert.equal(r.closed, 1);
});

test('mq brokers list --json', async () => {
  const r = await brokersList(['--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), [
    { id: 1, host: '10.0.0.1', port: 9092, rack: null, controller: false },
    { id: 2, host: '10.0.0.2', port: 9093, rack: 'rack-a', controller: true },
    { id: 3, host: '10.0.0.3', port: 9092, rack: 'rack-b', controller: false },
  ]);
});
