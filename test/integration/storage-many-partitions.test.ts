// A broker with 10,000 partitions (1,000 topics x 10) starts, takes a produce to every partition,
// stays within log.max.open.files descriptors for its logs, and restarts cleanly with every record
// (high watermarks of all, and the records of a spread of partitions read back).
// Prints start-up time, open descriptors and resident memory (figures in BENCHMARKS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { createAdmin, createProducer } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/api.js';
import { readPartitionRaw } from '../helpers/raw-log.js';
import { WireSocket } from '../helpers/wire.js';
import { startBrokerProcess, tempDir, uniqueTopic, type BrokerProcess } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const TOPICS = 1000;
const PARTITIONS = 10;
const MAX_OPEN_FILES = 1000;

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** High watermarks of every partition, with one ListOffsets request. */
async function highWatermarks(port: number, topics: string[]): Promise<number[]> {
  const ws = await WireSocket.connect(port);
  try {
    const res = await ws.request(ApiKey.ListOffsets, 1, {
      replicaId: -1,
      topics: topics.map((name) => ({ name, partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) })),
    }, 60_000);
    return res.topics.flatMap((t: any) => t.partitions.map((p: any) => (p.errorCode === 0 ? Number(p.offset) : -100 - p.errorCode)));
  } finally {
    ws.close();
  }
}

test(`${TOPICS * PARTITIONS} partitions start, take produce everywhere and restart within the descriptor cap`, { timeout: 300_000 }, async (t) => {
  const d = await tempDir();
  defer(t, async () => d.remove());
  const env = { MQ_LOG_MAX_OPEN_FILES: String(MAX_OPEN_FILES), MQ_LOG_FLUSH_POLICY: 'os' };
  let broker: BrokerProcess = await startBrokerProcess(d.path, { env, startTimeoutMs: 120_000 });
  defer(t, async () => broker.stop());
  const prefix = uniqueTopic('many');
  const topics = Array.from({ length: TOPICS }, (_, i) => `${prefix}-${i}`);

  const admin = createAdmin({ bootstrap: [broker.bootstrap] });
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < topics.length) await admin.createTopic({ topic: topics[next++], partitions: PARTITIONS, replicationFactor: 1 });
  }));
  await admin.close();

  const producer = createProducer({ bootstrap: [broker.bootstrap], acks: 1, lingerMs: 5 });
  await Promise.all(topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) =>
    producer.send({ topic, partition, value: Buffer.from(`${topic}/${partition}`) }))));
  await producer.close();
  const fdsServing = await openFds(broker.proc.pid!);
  t.diagnostic(`serving: ${fdsServing} open descriptors, RSS ${(await rssMiB(broker.proc.pid!)).toFixed(0)} MiB`);
  assert.ok(fdsServing < MAX_OPEN_FILES + 200, `${fdsServing} descriptors open`);

  assert.equal(await broker.stop(), 0);
  const started = Date.now();
  broker = await startBrokerProcess(d.path, { env, startTimeoutMs: 120_000 });
  const startupMs = Date.now() - started;
  const fdsStarted = await openFds(broker.proc.pid!);
  t.diagnostic(`restart with ${TOPICS * PARTITIONS} partitions: ${startupMs} ms to listening, ${fdsStarted} open descriptors, RSS ${(await rssMiB(broker.proc.pid!)).toFixed(0)} MiB`);
  assert.ok(fdsStarted < MAX_OPEN_FILES + 200);
  const hw = await highWatermarks(broker.port, topics);
  assert.equal(hw.length, TOPICS * PARTITIONS);
  assert.deepEqual(hw.filter((x) => x !== 1), [], 'every partition holds its one record');
  // And serves it: a spread of partitions read back over the wire (their files opened on demand).
  for (let i = 0; i < TOPICS; i += 97) {
    const partition = i % PARTITIONS;
    assert.deepEqual((await readPartitionRaw(broker.port, topics[i], partition)).values, [`${topics[i]}/${partition}`]);
  }
  assert.ok((await openFds(broker.proc.pid!)) < MAX_OPEN_FILES + 200);
});
