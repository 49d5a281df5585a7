// mq topics trim NAME --before OFFSET|@TIME
import { Command } from 'commander';
import { parseRecordsBefore } from '../../src/cli/topic-config-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption, cli } from '../options.js';

export default function trim(ctx: Context): Command {
  return new Command('trim')
    .description('Delete the records before an offset or a time in every partition (DeleteRecords); whole segments below are freed')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .requiredOption('--before <offset|@time>', 'keep records from this offset, or from the first record at or after @TIME (epoch ms or ISO-8601)', cli(parseRecordsBefore))
    .action(async (name: string, o) => {
      const results = await (await ctx.admin(o.bootstrap)).deleteRecords(name, o.before);
      await ctx.out.table(['PARTITION', 'LOG-START'], results.map((r) => [String(r.partition), String(r.logStartOffset)]));
    });
}
