// mq topics list
import { Command } from 'commander';
import { TOPIC_LIST_HEADERS, topicListRows, topicSummaries } from '../../src/cli/topic-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function list(ctx: Context): Command {
  return new Command('list')
    .description('List topics with their partition count and replication factor')
    .addOption(bootstrapOption())
    .option('--json', 'print a JSON array of {name, partitions, replicas}')
    .action(async (o) => {
      const topics = topicSummaries(await (await ctx.admin(o.bootstrap)).metadata(null));
      await (o.json ? ctx.out.json(topics) : ctx.out.table(TOPIC_LIST_HEADERS, topicListRows(topics)));
    });
}
