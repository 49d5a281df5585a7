// mq topics describe NAME
import { Command } from 'commander';
import { TOPIC_DESCRIBE_HEADERS, topicDescribeRows } from '../../src/cli/topic-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function describe(ctx: Context): Command {
  return new Command('describe')
    .description('Show each partition of a topic: leader, replicas, ISR, log start offset and high watermark')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .option('--json', 'print the description as JSON')
    .action(async (name: string, o) => {
      const description = await (await ctx.admin(o.bootstrap)).describeTopic(name);
      await (o.json ? ctx.out.json(description) : ctx.out.table(TOPIC_DESCRIBE_HEADERS, topicDescribeRows(description)));
    });
}
