// Runs the chaos scenario several times in a row on fresh clusters and prints each run's totals and the
// overall totals (for the issue note and BENCHMARKS.md):
//
//   node dist/test/chaos/run.js --acks all --runs 10 --records 200000
//   node dist/test/chaos/run.js --acks 1 --runs 3 --records 200000 --seed 42
//   node dist/test/chaos/run.js --acks all --rf 1 --min-isr 1 --runs 1 --records 50000 --pace-ms 30000
//
// Exit code 0 when no acknowledged record was lost and no key came back out of order in any run (with
// acks=1 loss is reported, not failed), 1 otherwise, 2 on a harness error. Not a *.test.ts file: the
// suite does not run it, and it does nothing when node --test loads it (as it loads all of dist/test).
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { startCluster } from '../helpers/cluster.js';
import { failoverTimes, formatChaosReport, runChaosScenario, type ChaosReport } from './chaos-scenario.js';
import { SeededRandom } from './seeded-random.js';

const USAGE = `usage: node dist/test/chaos/run.js [--acks all|1] [--runs N] [--records N] [--rf N] [--min-isr N]
  [--partitions N] [--pace-ms MS] [--seed N] [--retries N] [--quiet]`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      acks: { type: 'string', default: 'all' },
      runs: { type: 'string', default: '1' },
      records: { type: 'string', default: '200000' },
      rf: { type: 'string', default: '3' },
      'min-isr': { type: 'string', default: '2' },
      partitions: { type: 'string', default: '6' },
      'pace-ms': { type: 'string', default: '70000' },
      seed: { type: 'string' },
      retries: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const acks = values.acks === 'all' || values.acks === '-1' ? -1 : values.acks === '1' ? 1 : values.acks === '0' ? 0 : null;
  if (acks === null) {
    console.error(`--acks must be all, 1 or 0\n${USAGE}`);
    return 2;
  }
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${v}`);
    return n;
  };
  const runs = num('runs', values.runs);
  const records = num('records', values.records);
  const rf = num('rf', values.rf);
  const firstSeed = values.seed !== undefined ? num('seed', values.seed) : SeededRandom.freshSeed();
  const reports: ChaosReport[] = [];
  const log = values.quiet ? () => {} : (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
  for (let i = 0; i < runs; i++) {
    const seed = (firstSeed + i) >>> 0;
    console.log(`run ${i + 1}/${runs}: seed ${seed}`);
    const cluster = await startCluster({ brokers: 3 });
    try {
      const report = await runChaosScenario({
        cluster, acks, records, seed, replicationFactor: rf, minInsyncReplicas: num('min-isr', values['min-isr']),
        partitions: num('partitions', values.partitions), paceMs: num('pace-ms', values['pace-ms']),
        retries: values.retries !== undefined ? num('retries', values.retries) : undefined, log,
      });
      reports.push(report);
      for (const line of formatChaosReport(report)) console.log(`run ${i + 1}: ${line}`);
    } finally {
      await cluster.close();
    }
  }
  const sum = (f: (r: ChaosReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  const fo = reports.flatMap((r) => failoverTimes(r.kills)).sort((a, b) => a - b);
  const q = (p: number): string => (fo.length ? String(fo[Math.min(fo.length - 1, Math.floor(p * fo.length))]) : '-');
  console.log(`TOTAL ${reports.length} runs, acks ${acks === -1 ? 'all' : acks}, replication factor ${rf}: ` +
    `acknowledged ${sum((r) => r.verify.acknowledged)}, lost ${sum((r) => r.verify.lost)}, duplicated ${sum((r) => r.verify.duplicated)}, ` +
    `out of order ${sum((r) => r.verify.outOfOrder)}, failed-to-send ${sum((r) => r.workload.failed)}, unsettled ${sum((r) => r.workload.unsettled)}, ` +
    `kills ${sum((r) => r.kills.length)}, failover ms median ${q(0.5)} p90 ${q(0.9)} max ${fo[fo.length - 1] ?? '-'} (n=${fo.length})`);
  // The same totals as a BENCHMARKS.md table row.
  console.log('| acks | replication factor | runs | acknowledged | lost | duplicated | failed to send | kills | failover ms median / p90 / max |');
  console.log(`| ${acks === -1 ? 'all' : acks} | ${rf} | ${reports.length} | ${sum((r) => r.verify.acknowledged)} | ${sum((r) => r.verify.lost)} | ` +
    `${sum((r) => r.verify.duplicated)} | ${sum((r) => r.workload.failed)} | ${sum((r) => r.kills.length)} | ${q(0.5)} / ${q(0.9)} / ${fo[fo.length - 1] ?? '-'} |`);
  const bad = reports.some((r) => r.verify.outOfOrder > 0 || !r.verify.complete || (acks === -1 && r.verify.lost > 0));
  return bad ? 1 : 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.env.NODE_TEST_CONTEXT === undefined) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exit(2);
    },
  );
}
