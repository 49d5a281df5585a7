// mq bench produce | consume | e2e: throughput, latency and the broker's CPU and memory against a
// running cluster. The runs live in src/bench.
import { Command, Option } from 'commander';
import { formatBenchResult, type BenchMode, type BenchResult } from '../src/bench/bench-result.js';
import { DEFAULT_BENCH_COUNT, runBench, type BenchFlags } from '../src/bench/run-bench.js';
import { resolveConsumerProperties, resolveProducerProperties } from '../src/cli/client-properties.js';
import { parseAcks, parseCompression } from '../src/cli/parsers.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

function benchCommand(name: BenchMode, description: string, countHelp: string): Command {
  // consume reads; its producer settings only shape the topic it fills first when no --topic is given.
  const send = (help: string): string => (name === 'consume' ? `${help} (filling a fresh topic, without --topic)` : help);
  return new Command(name)
    .description(description)
    .addOption(bootstrapOption())
    .option('--topic <name>', 'topic to use, created when missing (default: a fresh bench-<random>)')
    .option('--record-size <bytes>', send('value size of each record'), int(1), 100)
    .option('--count <n>', countHelp, int(1))
    .option('--duration <s>', send('send for at most S seconds (without --count: as many records as fit)'), int(1))
    .option('--rate <n>', send('records per second over all producers, for latency at a fixed load (default: unlimited)'), int(1))
    .option('--partitions <n>', 'partitions when the topic is created', int(1), 1)
    .option('--producers <n>', send('producers (each with its own connection) sharing the count and rate'), int(1, 64), 1)
    .addOption(new Option('--acks <acks>', send('acknowledgements to wait for: 0, 1 or all (all: idempotent producers unless -X enable.idempotence=false)')).default(1, '1').argParser(cli(parseAcks)))
    .option('--linger-ms <ms>', send('producer linger'), int(0), 5)
    .option('--batch-size <bytes>', send('producer batch size per partition'), int(1), 262144)
    .addOption(new Option('--compression <codec>', send('producer compression: none or gzip')).default('none').argParser(cli(parseCompression)))
    .addOption(new Option('--flush-policy <policy>', 'flush.policy of the topic when the bench creates it').choices(['batch', 'interval', 'os']))
    .option('--broker-pid <pid>', 'broker process to read CPU and memory from (default: the local process listening on the bootstrap port)', int(1))
    .option('--timeout-ms <ms>', 'stop and report after MS even if --count is not reached', int(1), 300_000)
    .option('--json', 'print {recordsPerSec, mbPerSec, latencyMs: {p50, p95, p99, p999, max}, broker: {cpuSeconds, peakRssMb}, ...}');
}

export default function bench(ctx: Context): Command {
  const count = DEFAULT_BENCH_COUNT.toLocaleString('en-US');
  const run = (mode: BenchMode) => async (o: BenchFlags & { json?: boolean; property?: string[]; commandConfig?: string }): Promise<void> => {
    // -X enable.idempotence=true|false; unset, the producers are idempotent with --acks all only (the default --acks is 1).
    // -X isolation.level=read_committed|read_uncommitted for the consumers (default read_committed).
    const sources = { commandConfig: o.commandConfig ?? (ctx.env.MQ_COMMAND_CONFIG || undefined), env: ctx.env, properties: o.property };
    const props = { ...await resolveProducerProperties(sources), ...await resolveConsumerProperties(sources) };
    const r = await runBench(mode, { ...o, ...props, security: ctx.security }, ctx, (first: BenchResult) => ctx.out.note(formatBenchResult(first)[0]), ctx.signal);
    await (o.json ? ctx.out.json(r) : ctx.out.write(formatBenchResult(r).join('\n') + '\n'));
  };
  return new Command('bench').description('Benchmark producing and consuming')
    .addCommand(benchCommand('produce', 'Measure produce throughput and send -> ack latency', `records to send (default: ${count})`).action(run('produce')))
    .addCommand(benchCommand('consume', 'Measure consume throughput and fetch latency, reading a topic from the beginning',
      `records to read (default: all; without --topic, first fills a fresh topic with ${count} records)`).action(run('consume')))
    .addCommand(benchCommand('e2e', 'Produce and consume at once; measure send -> receive latency after a 1 s warm-up (the consumer runs in a child process on the same machine)', `records to send (default: ${count})`).action(run('e2e')));
}
