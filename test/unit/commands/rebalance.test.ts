// mq rebalance leaders against a fake admin: the TOPIC PARTITION RESULT table and the summary on stderr,
// --topics expanded to every partition of those topics from Metadata, --json, an unknown topic, and the
// exit codes (0 with "not available" partitions, 1 when an election failed, 2 for an empty --topics).
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../../commands/index.js';
import type { Admin, ClusterMetadata, LeaderElectionResult, TopicPartition } from '../../../src/client/types.js';

function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

const md: ClusterMetadata = {
  clusterId: 'c', controllerId: 1, brokers: [],
  topics: [
    { name: 'orders', errorCode: 0, partitions: [0, 1].map((p) => ({ partition: p, leader: 2, replicas: [p + 1, 2], isr: [1, 2], errorCode: 0 })) },
    { name: 'gone', errorCode: 3, partitions: [] },
  ],
};

const answers: LeaderElectionResult[] = [
  { topic: 'orders', partition: 0, preferredLeader: 1, result: 'moved', message: null },
  { topic: 'orders', partition: 1, preferredLeader: 2, result: 'already-preferred', message: null },
  { topic: 'pay', partition: 0, preferredLeader: 3, result: 'not-available', message: 'preferred replica 3 not in the ISR' },
];

async function rebalance(args: string[], results = answers): Promise<{ code: number; out: string; err: string; asked: (TopicPartition[] | null)[]; closed: number }> {
  const asked: (TopicPartition[] | null)[] = [];
  let closed = 0;
  const admin = {
    async metadata() { return md; },
    async electLeaders(partitions: TopicPartition[] | null) { asked.push(partitions); return results; },
    async close() { closed++; },
  } as unknown as Admin;
  const out = sink();
  const err = sink();
  const code = await main(['rebalance', 'leaders', ...args], { out, err, stdin: Readable.from([]), env: {}, deps: { createAdmin: () => admin } });
  return { code, out: out.text(), err: err.text(), asked, closed };
}

test('every partition: table, summary on stderr, exit 0 even with a preferred replica not available', async () => {
  const r = await rebalance([]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split('\n').map((l) => l.split(/\s{2,}/).filter(Boolean)), [
    ['TOPIC', 'PARTITION', 'RESULT'],
    ['orders', '0', 'moved to 1'],
    ['orders', '1', 'already preferred'],
    ['pay', '0', 'preferred replica 3 not in the ISR'],
    [],
  ]);
  assert.equal(r.err, '3 partitions: 1 moved, 1 already preferred, 1 not available, 0 failed\n');
  assert.deepEqual(r.asked, [null], 'null = every partition');
  assert.equal(r.closed, 1);
});

test('--topics names every partition of those topics; --json prints results and summary', async () => {
  const r = await rebalance(['--topics', 'orders', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.asked, [[{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]]);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.results, answers);
  assert.deepEqual(doc.summary, { partitions: 3, moved: 1, alreadyPreferred: 1, notAvailable: 1, failed: 0 });
  assert.equal(r.err, '', 'no summary line next to JSON');
});

test('an unknown topic in --topics is an error before any election; an empty --topics is a usage error', async () => {
  const r = await rebalance(['--topics', 'orders,gone']);
  assert.equal(r.code, 1);
  assert.match(r.err, /topic 'gone' does not exist/);
  assert.deepEqual(r.asked, []);
  const empty = await rebalance(['--topics', ' , ']);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /names no topic/);
});

test('a failed election: the table still prints, then exit 1 with the reason', async () => {
  const r = await rebalance([], [...answers, { topic: 'pay', partition: 1, preferredLeader: 1, result: 'failed', message: 'the state of pay-1 kept changing; try again' }]);
  assert.equal(r.code, 1);
  assert.match(r.out, /pay\s+1\s+failed: the state of pay-1 kept changing/);
  assert.match(r.err, /mq: error: 1 of 4 elections failed \(first: pay-1: /);
});
