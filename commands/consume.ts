// mq consume TOPIC: records to stdout, one per line (or per --format / --json).
import { Command, Option } from 'commander';
import { compileFormat, parseFormat } from '../src/cli/format.js';
import { parseOffsetSpec } from '../src/cli/offset-spec.js';
import { recordJson } from '../src/cli/record-json.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

const EXAMPLES = `
Offsets (-o): beginning, end (the default: only new records, like Kafka's console consumer),
  N (absolute offset), -N (N records before the end of each partition),
  @TIMESTAMP (first record at or after epoch milliseconds or an ISO-8601 time).

Format tokens (-f), as kcat's: %s value (%v too), %k key, %t topic, %p partition, %o offset,
  %T timestamp (ms), %h headers (k=v,k2=v2), %S value size or -1 if null, %K key size or -1 if null,
  %% percent; escapes \\n \\r \\t \\\\.

Examples:
  mq consume t -o beginning -e                 everything so far, then exit
  mq consume t -o -10 -c 10                    the last 10 records (of a one-partition topic)
  mq consume t -o @2024-05-01T00:00:00Z -e     from a point in time
  mq consume t -f '%p:%o %k=%v\\n'              partition, offset, key and value
  mq consume t -o beginning -e --json | jq .value`;

export default function consume(ctx: Context): Command {
  return new Command('consume')
    .description('Print the records of TOPIC to stdout, one value per line (null value: empty line)')
    .argument('<topic>', 'topic to consume')
    .addOption(bootstrapOption())
    .addOption(new Option('-o, --offset <spec>', 'where to start: beginning|end|N|-N|@TIMESTAMP').default({ kind: 'end' }, 'end').argParser(cli(parseOffsetSpec)))
    .option('-p, --partition <n>', 'consume only partition N (default: all partitions)', int(0))
    .option('-c, --count <n>', 'exit after N records', int(1))
    .option('-e, --exit-at-end', 'exit once every partition is read to its end')
    .addOption(new Option('-f, --format <fmt>', 'kcat-style output format (see below)').default('%v\\n', '%v\\n').argParser(cli((s) => (parseFormat(s), s))))
    .addOption(new Option('--json', 'print each record as one line of JSON').conflicts('format'))
    .addHelpText('after', EXAMPLES)
    .action(async (topic: string, o) => {
      const render = o.json ? recordJson : compileFormat(o.format);
      const consumer = await ctx.consumer({ bootstrap: o.bootstrap });
      await consumer.assign([{ topic, partitions: o.partition === undefined ? undefined : [o.partition], start: o.offset }]);
      let consumed = 0;
      for await (const record of consumer.records({ signal: ctx.signal, exitAtEnd: o.exitAtEnd })) {
        await ctx.out.write(render(record));
        if (++consumed === o.count) break;
      }
    });
}
