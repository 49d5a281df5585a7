// Issue 13: acknowledged means kept, under every fault the nemesis has (test/chaos/chaos-loop.ts), with
// producers from two clients. Short seeded runs (MQ_CHAOS_SEED replays one); the long runs are one
// command each in BENCHMARKS.md (node dist/test/chaos/run.js ...). 3 brokers and etcd, 6 partitions,
// replication factor 3, min.insync.replicas=2, broker.session.timeout.ms and replica.lag.time.max.ms 3000.
//
// The Jepsen-style checks, each able to fail: every record a broker acknowledged is read back (lost),
// no key's sequence goes back (one send in flight), a consumer's offsets only move forward, and after
// healing the replicas' logs hold the same batches at the same offsets (compare-replicas.ts).
//
// kafkajs 2.2.4 is run the way issue 13's report ran it (acks -1, sends of 200 keyed records). Its
// send() can resolve without any broker answering for a partition whose leader moved mid-send
// (kafkajs-workload.ts says why); those records are counted apart and sent again, never taken as
// acknowledged. That was the loss of the report: the broker had never acknowledged them.
//
// The network faults need network namespaces (root, iproute2, nftables: test/run.sh installs them); where
// this machine cannot make them, those tests are skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { canCreateTestNetwork } from '../helpers/test-network.js';
import { formatChaosReport, runChaosScenario, type ChaosReport, type ChaosScenarioOptions } from '../chaos/chaos-scenario.js';
import { NETWORK_FAULTS, type FaultKind } from '../chaos/chaos-loop.js';
import { SeededRandom } from '../chaos/seeded-random.js';

const NETWORK: FaultKind[] = ['cut-etcd', 'cut-followers', 'cut-clients', 'isolate', 'split', 'netem'];

async function nemesisRun(t: { diagnostic(msg: string): void }, cluster: TestCluster, opts: Omit<ChaosScenarioOptions, 'cluster' | 'acks' | 'seed'>): Promise<ChaosReport> {
  const seed = process.env.MQ_CHAOS_SEED !== undefined ? Number(process.env.MQ_CHAOS_SEED) : SeededRandom.freshSeed();
  t.diagnostic(`seed ${seed} (MQ_CHAOS_SEED=${seed} replays this schedule)`);
  const progress: string[] = [];
  const report = await runChaosScenario({
    cluster, acks: -1, seed, faultOrder: 'cycle', minIntervalMs: 6000, maxIntervalMs: 7000, minFaultMs: 4000, maxFaultMs: 5000,
    log: (line) => progress.push(line), ...opts,
  });
  const lines = formatChaosReport(report);
  for (const line of lines) t.diagnostic(line);
  const context = [...lines, '', ...progress, '', ...cluster.ids.map((id) => brokerTail(cluster.output(id), id))].join('\n');
  const { verify, workload, kills, replicas } = report;
  assert.ok(report.settledMs >= 0, `every broker agreed on leaders and full ISRs within 60 s of healing\n${context}`);
  assert.ok(verify.complete, `the consumer read every partition to its high watermark\n${context}`);
  assert.equal(verify.lost, 0, `acknowledged records missing\n${context}`);
  assert.equal(verify.foreign, 0, `records the workload never sent\n${context}`);
  assert.equal(verify.offsetRegressions, 0, `a consumer's offsets went backwards\n${context}`);
  if (opts.client === 'mq' || (opts.inFlight ?? 1) === 1) assert.equal(verify.outOfOrder, 0, `keys read back out of sequence\n${context}`);
  assert.ok(replicas !== null && replicas.comparedOffsets > 0, `the replicas' logs were compared\n${context}`);
  assert.equal(replicas.divergentOffsets, 0, `replicas hold different records at the same offset\n${context}`);
  for (const kind of opts.faults ?? []) assert.ok(kills.some((k) => k.kind === kind), `the nemesis injected ${kind}\n${context}`);
  assert.ok(workload.acknowledged > 1000, `records were acknowledged (${workload.acknowledged})\n${context}`);
  return report;
}

test('kafkajs acks=-1, one send at a time, while leaders are killed with -9 and paused with SIGSTOP past their lease: nothing acknowledged is lost', { timeout: 240_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3 });
  t.after(() => cluster.close());
  await nemesisRun(t, cluster, { client: 'kafkajs', records: 2_000_000, paceMs: 40_000, faults: ['kill', 'pause', 'kill', 'pause'] });
});

test('every network fault (leader cut from etcd, from followers, from clients, isolated, minority split, 5% loss + 5 ms delay) with kafkajs, 4 sends in flight', { timeout: 300_000 }, async (t) => {
  const why = await canCreateTestNetwork();
  if (why) { t.skip(`network namespaces cannot be made here: ${why}`); return; }
  const cluster = await startCluster({ brokers: 3, netns: true });
  t.after(() => cluster.close());
  const report = await nemesisRun(t, cluster, { client: 'kafkajs', inFlight: 4, records: 2_000_000, paceMs: 55_000, faults: NETWORK });
  assert.ok(report.kills.every((k) => NETWORK_FAULTS.has(k.kind)));
});

test('every network fault with mq\'s own producer (acks=all, retries)', { timeout: 300_000 }, async (t) => {
  const why = await canCreateTestNetwork();
  if (why) { t.skip(`network namespaces cannot be made here: ${why}`); return; }
  const cluster = await startCluster({ brokers: 3, netns: true });
  t.after(() => cluster.close());
  await nemesisRun(t, cluster, { client: 'mq', records: 120_000, paceMs: 55_000, timeCapMs: 90_000, faults: NETWORK });
});

/** The last warnings and errors a broker logged, for a failure message. */
function brokerTail(output: string, id: number): string {
  const lines = output.split('\n').filter((l) => /warn|error|WARN|ERROR|-----/.test(l)).slice(-15);
  return `broker ${id} (last warnings/errors):\n${lines.join('\n')}`;
}
