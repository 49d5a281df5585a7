// mq bench produce | consume: throughput and latency against a running cluster.
import { Command, Option } from 'commander';
import { formatBenchResult, type BenchResult } from '../src/bench/bench-result.js';
import { runConsumeBench } from '../src/bench/consume-bench.js';
import { freshBenchTopic, runProduceBench } from '../src/bench/produce-bench.js';
import type { Acks } from '../src/client/types.js';
import { parseAcks } from '../src/cli/parsers.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

const PRODUCE_COUNT = 1_000_000;

interface BenchFlags {
  bootstrap: string[]; topic?: string; recordSize: number; count?: number; partitions: number;
  acks: Acks; lingerMs: number; batchSize: number; timeoutMs: number; json?: boolean;
}

function benchCommand(name: string, description: string, countHelp: string): Command {
  return new Command(name)
    .description(description)
    .addOption(bootstrapOption())
    .option('--topic <name>', 'topic to use, created when missing (default: a fresh bench-<random>)')
    .option('--record-size <bytes>', 'value size of each record', int(1), 100)
    .option('--count <n>', countHelp, int(1))
    .option('--partitions <n>', 'partitions when the topic is created', int(1), 1)
    .addOption(new Option('--acks <acks>', 'acknowledgements to wait for: 0, 1 or all').default(1, '1').argParser(cli(parseAcks)))
    .option('--linger-ms <ms>', 'producer linger', int(0), 5)
    .option('--batch-size <bytes>', 'producer batch size per partition', int(1), 65536)
    .option('--timeout-ms <ms>', 'stop and report after MS even if --count is not reached', int(1), 300_000)
    .option('--json', 'print {recordsPerSec, mbPerSec, latencyMs: {p50, p95, p99, p999, max}, ...}');
}

export default function bench(ctx: Context): Command {
  const print = (r: BenchResult, json?: boolean): void | Promise<void> => (json ? ctx.out.json(r) : ctx.out.write(formatBenchResult(r).join('\n') + '\n'));
  const produceRun = async (o: BenchFlags, topic: string, count: number): Promise<BenchResult> =>
    runProduceBench(await ctx.admin(o.bootstrap), await ctx.producer({ bootstrap: o.bootstrap, acks: o.acks, lingerMs: o.lingerMs, batchSize: o.batchSize }),
      { topic, count, recordSize: o.recordSize, partitions: o.partitions, timeoutMs: o.timeoutMs }, ctx.signal);

  const produce = benchCommand('produce', 'Measure produce throughput and send -> ack latency', `records to send (default: ${PRODUCE_COUNT})`)
    .action(async (o: BenchFlags) => print(await produceRun(o, o.topic ?? freshBenchTopic(), o.count ?? PRODUCE_COUNT), o.json));

  const consume = benchCommand('consume', 'Measure consume throughput and fetch latency, reading a topic from the beginning',
    `records to read (default: all; without --topic, first fills a fresh topic with ${PRODUCE_COUNT} records)`)
    .action(async (o: BenchFlags) => {
      const topic = o.topic ?? freshBenchTopic();
      if (o.topic === undefined) ctx.out.note(formatBenchResult(await produceRun(o, topic, o.count ?? PRODUCE_COUNT))[0]);
      await print(await runConsumeBench(await ctx.consumer({ bootstrap: o.bootstrap }), { topic, count: o.count, timeoutMs: o.timeoutMs }, ctx.signal), o.json);
    });

  return new Command('bench').description('Benchmark producing and consuming').addCommand(produce).addCommand(consume);
}
