// Simulated distance (issue 13): a 3-broker cluster in network namespaces with a one-way delay on every
// link (delay-relay.ts; this kernel has no netem), for each delay: acks=all throughput (mq bench produce,
// unlimited rate), send -> ack latency at a fixed rate, and failover times for kill -9 and a network cut
// (the chaos scenario with mq's producer, faults taken in turn). Prints one BENCHMARKS.md row per delay.
//
//   node dist/test/chaos/distance.js --delays 0,1,5 --count 300000 --rate 5000 --faults 4
//
// Needs root, iproute2 and nftables. Not a *.test.ts file: it does nothing when node --test loads it.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createAdmin } from '../../src/client/index.js';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { mqBin } from '../helpers/mq-process.js';
import { failoverTimes, runChaosScenario } from './chaos-scenario.js';
import { SeededRandom } from './seeded-random.js';

interface BenchJson { recordsPerSec: number; mbPerSec: number; latencyMs: { p50: number; p99: number } }

async function bench(cluster: TestCluster, topic: string, args: string[]): Promise<BenchJson> {
  const child = spawn(process.execPath, [mqBin, 'bench', 'produce', '-b', cluster.bootstrap, '--topic', topic, '--acks', 'all', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  if (code !== 0 || !json) throw new Error(`mq bench produce failed (${code}):\n${out}${err}`);
  return JSON.parse(json) as BenchJson;
}

async function createTopic(cluster: TestCluster, topic: string): Promise<void> {
  const admin = createAdmin({ bootstrap: cluster.bootstrapList });
  try {
    await admin.createTopic({ topic, partitions: 6, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  } finally {
    await admin.close();
  }
}

const pct = (xs: number[], q: number): string => (xs.length ? String(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]) : '-');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      delays: { type: 'string', default: '0,1,5' },
      count: { type: 'string', default: '300000' },
      rate: { type: 'string', default: '5000' },
      faults: { type: 'string', default: '4' },
      seed: { type: 'string' },
    },
  });
  const delays = (values.delays ?? '').split(',').map(Number);
  const faults = Number(values.faults);
  const seed = values.seed !== undefined ? Number(values.seed) : SeededRandom.freshSeed();
  const rows: string[] = [];
  for (const delayMs of delays) {
    const cluster = await startCluster({ brokers: 3, netns: true });
    try {
      await cluster.setDelay(delayMs);
      const topic = `distance-${delayMs}ms`;
      await createTopic(cluster, topic);
      const full = await bench(cluster, topic, ['--count', String(values.count), '--record-size', '100', '--partitions', '6']);
      const paced = await bench(cluster, topic, ['--count', String(Number(values.rate) * 20), '--rate', String(values.rate), '--record-size', '100']);
      console.log(`delay ${delayMs} ms: ${Math.round(full.recordsPerSec)} rec/s (${full.mbPerSec.toFixed(1)} MB/s) unlimited; ` +
        `at ${values.rate} rec/s p50 ${paced.latencyMs.p50} ms, p99 ${paced.latencyMs.p99} ms`);
      const report = await runChaosScenario({
        cluster, acks: -1, seed, client: 'mq', records: 20_000 * faults, paceMs: 8000 * faults, faults: ['kill', 'isolate'], faultOrder: 'cycle',
        minIntervalMs: 7000, maxIntervalMs: 8000, minFaultMs: 5000, maxFaultMs: 5000, compareReplicas: false,
      });
      const kill = failoverTimes(report.kills.filter((k) => k.kind === 'kill')).sort((a, b) => a - b);
      const cut = failoverTimes(report.kills.filter((k) => k.kind === 'isolate')).sort((a, b) => a - b);
      console.log(`delay ${delayMs} ms: failover kill -9 median ${pct(kill, 0.5)} p99 ${pct(kill, 0.99)} (n=${kill.length}), ` +
        `isolated leader median ${pct(cut, 0.5)} p99 ${pct(cut, 0.99)} (n=${cut.length}); lost ${report.verify.lost}`);
      rows.push(`| ${delayMs} ms | ${Math.round(full.recordsPerSec).toLocaleString('en-US')} | ${paced.latencyMs.p50} / ${paced.latencyMs.p99} | ` +
        `${pct(kill, 0.5)} / ${pct(kill, 0.99)} | ${pct(cut, 0.5)} / ${pct(cut, 0.99)} | ${report.verify.lost} |`);
    } finally {
      await cluster.close();
    }
  }
  console.log(`| one-way delay | acks=all rec/s (100 B, unlimited) | ms p50 / p99 at ${values.rate} rec/s | failover ms kill -9 median / p99 | failover ms isolated leader median / p99 | lost |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  return 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.env.NODE_TEST_CONTEXT === undefined) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(2);
  });
}
