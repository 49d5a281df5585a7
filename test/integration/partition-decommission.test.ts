// Issue 8, "partition decommission": while `mq produce` with keys runs, partition 1 of a topic is
// decommissioned. Its log end offset stops growing (the producer re-routes its keys), its old records
// are still consumed, `mq produce -p 1` fails with a clear message and kcat shows POLICY_VIOLATION.
// Then retention.ms is lowered: the controller (embedded: the broker) deletes the partition, which is
// gone from Metadata and from every replica's data dir. Once in embedded mode, once on a 3-broker
// cluster with replication factor 3.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCluster } from '../helpers/cluster.js';
import { eventually, run, startKeyedProducer, startBrokerProcess, tempDir, uniqueTopic } from '../helpers/mq-process.js';
import { defer } from '../helpers/in-process-broker.js';

const P = 1;
/** Broker settings: retention (and so the decommission deletion) is checked every 200 ms. */
const BROKER_CONFIG = { 'log.retention.check.interval.ms': '200' };

interface Described {
  partitions: { partition: number; highWatermark: number; state: string; decommissionedAtMs?: number; deleteAfterMs?: number | null }[];
  deletedPartitions: { partition: number; state: string }[];
}

async function describeTopic(b: string, topic: string): Promise<Described> {
  const r = await run(['topics', 'describe', topic, '--json', '-b', b]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Described;
}

const hwm = async (b: string, topic: string, p: number): Promise<number> => (await describeTopic(b, topic)).partitions.find((x) => x.partition === p)!.highWatermark;

/** The whole scenario against bootstrap `b`; `dataDirs` are every replica's data dir. */
async function scenario(t: { after(fn: () => unknown): void }, b: string, dataDirs: string[], replicationFactor: number): Promise<void> {
  const topic = uniqueTopic('decom');
  const created = await run(['topics', 'create', topic, '-p', '3', '-r', String(replicationFactor), '--config', 'retention.ms=3600000', '-b', b]);
  assert.equal(created.code, 0, created.stderr);

  const producer = startKeyedProducer(t, b, topic, 100, ['--metadata-max-age-ms', '500']);
  const send = (n: number): Promise<void> => producer.send(n);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  for (let i = 0; i < 10; i++) { await send(50); await pause(50); }
  await eventually(async () => (await hwm(b, topic, P)) > 0, { timeoutMs: 30_000 });

  const decommissioned = await run(['topics', 'decommission-partition', topic, String(P), '-b', b]);
  assert.equal(decommissioned.code, 0, decommissioned.stderr);
  assert.match(decommissioned.stdout, new RegExp(`partition ${topic}-${P} decommissioned since \\S+, deleted after \\S+`));
  const again = await run(['topics', 'decommission-partition', topic, String(P), '-b', b]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is already decommissioned/);
  const missing = await run(['topics', 'decommission-partition', topic, '7', '-b', b]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /partition .*-7 does not exist/);

  const state = (await describeTopic(b, topic)).partitions.find((x) => x.partition === P)!;
  assert.equal(state.state, 'decommissioned');
  assert.equal(state.deleteAfterMs, state.decommissionedAtMs! + 3_600_000);
  const table = await run(['topics', 'describe', topic, '-b', b]);
  assert.match(table.stdout, /STATE/);
  assert.match(table.stdout, /decommissioned since/);

  // Records keep coming; the partition's log end offset settles (poll) and then stays put.
  let settled = -1;
  for (let round = 0; round < 60; round++) {
    await send(50);
    await pause(100);
    if (round % 5 === 4) {
      const now = await hwm(b, topic, P);
      if (now === settled) break;
      settled = now;
    }
  }
  for (let i = 0; i < 20; i++) { await send(50); await pause(50); }
  assert.equal(await producer.end(), 0, producer.stderr());
  assert.equal(await hwm(b, topic, P), settled, 'no records landed on the decommissioned partition');
  const others = (await describeTopic(b, topic)).partitions.filter((x) => x.partition !== P).reduce((n, x) => n + x.highWatermark, 0);
  assert.equal(others + settled, producer.sent, 'every record sent was acknowledged exactly once');

  // Its old records are still consumed.
  const consumed = await run(['consume', topic, '-p', String(P), '-o', 'beginning', '-e', '-b', b]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.split('\n').filter((l) => l !== '').length, settled);

  // Naming it directly fails clearly, in mq and in kcat.
  const direct = await run(['produce', topic, '-p', String(P), '-b', b], { input: 'x\n' });
  assert.notEqual(direct.code, 0);
  assert.match(direct.stderr, new RegExp(`partition ${topic}-${P} is decommissioned: it takes no new records`));
  const kcat = await run(['-b', b, '-P', '-t', topic, '-p', String(P)], { cmd: 'kcat', input: 'x\n', timeoutMs: 60_000 });
  assert.match(kcat.stderr, /Policy violation/i);

  // Retention lowered: it passed long ago for P, so the next check deletes it.
  const altered = await run(['topics', 'alter', topic, '--config', 'retention.ms=4000', '-b', b]);
  assert.equal(altered.code, 0, altered.stderr);
  await eventually(async () => {
    const d = await describeTopic(b, topic);
    return !d.partitions.some((x) => x.partition === P) && d.deletedPartitions.some((x) => x.partition === P);
  }, { timeoutMs: 30_000 });
  await eventually(() => dataDirs.every((dir) => !existsSync(join(dir, `${topic}-${P}`))), { timeoutMs: 30_000 })
    .catch(() => assert.fail(`${topic}-${P} still on disk in ${dataDirs.filter((dir) => existsSync(join(dir, `${topic}-${P}`))).join(', ')}`));
  assert.ok(dataDirs.every((dir) => existsSync(join(dir, `${topic}-0`))), 'the other partitions stay');
  const kcatList = await run(['-b', b, '-L', '-t', topic], { cmd: 'kcat', timeoutMs: 60_000 });
  assert.match(kcatList.stdout, /2 partitions/);

  // Ids are never reused: the next partition added is 3; producing without -p still works.
  const grown = await run(['topics', 'alter', topic, '--partitions', '4', '-b', b]);
  assert.equal(grown.code, 0, grown.stderr);
  assert.deepEqual((await describeTopic(b, topic)).partitions.map((x) => x.partition), [0, 2, 3]);
  const after = await run(['produce', topic, '-k', ':', '-b', b], { input: Array.from({ length: 50 }, (_, i) => `k${i}:late${i}`).join('\n') + '\n' });
  assert.equal(after.code, 0, after.stderr);
}

test('embedded: a decommissioned partition stops taking records, stays readable, and is deleted after retention', async (t) => {
  const dir = await tempDir('mq-decom-');
  defer(t, async () => dir.remove());
  const config = join(dir.path, 'broker.properties');
  await writeFile(config, Object.entries(BROKER_CONFIG).map(([k, v]) => `${k}=${v}\n`).join(''));
  const broker = await startBrokerProcess(join(dir.path, 'data'), { args: ['--config', config] });
  defer(t, async () => broker.stop());
  await scenario(t, broker.bootstrap, [broker.dataDir], 1);
});

test('cluster (3 brokers, RF 3): the same, and the partition leaves every replica\'s disk', async (t) => {
  const cluster = await startCluster({ brokers: 3, config: BROKER_CONFIG });
  defer(t, async () => cluster.close());
  await scenario(t, cluster.bootstrap, cluster.ids.map((id) => cluster.broker(id).dataDir), 3);
});
