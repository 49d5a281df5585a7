// mq topics describe NAME
import { Command } from 'commander';
import { TOPIC_CONFIG_HEADERS, topicConfigRows } from '../../src/cli/topic-config-rows.js';
import { TOPIC_DESCRIBE_HEADERS, topicDescribeRows } from '../../src/cli/topic-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function describe(ctx: Context): Command {
  return new Command('describe')
    .description('Show each partition of a topic (leader, replicas, ISR, log start offset, high watermark) and its effective config with the source of each value')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .option('--json', 'print the description as JSON')
    .action(async (name: string, o) => {
      const admin = await ctx.admin(o.bootstrap);
      const description = await admin.describeTopic(name);
      const configs = await admin.describeTopicConfig(name);
      if (o.json) {
        await ctx.out.json({ ...description, configs });
        return;
      }
      await ctx.out.table(TOPIC_DESCRIBE_HEADERS, topicDescribeRows(description));
      await ctx.out.line('');
      await ctx.out.table(TOPIC_CONFIG_HEADERS, topicConfigRows(configs));
    });
}
