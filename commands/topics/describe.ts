// mq topics describe NAME
import { Command } from 'commander';
import { TOPIC_CONFIG_HEADERS, topicConfigRows } from '../../src/cli/topic-config-rows.js';
import { TOPIC_DESCRIBE_HEADERS, topicDescribeRows } from '../../src/cli/topic-rows.js';
import { partitionStates, realConfigs } from '../../src/cli/partition-decommission.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function describe(ctx: Context): Command {
  return new Command('describe')
    .description('Show each partition of a topic (leader, replicas, ISR, log start offset, high watermark; state when one is decommissioned) and its effective config with the source of each value')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .option('--json', 'print the description as JSON')
    .action(async (name: string, o) => {
      const admin = await ctx.admin(o.bootstrap);
      const description = await admin.describeTopic(name);
      const described = await admin.describeTopicConfig(name);
      const configs = realConfigs(described);
      const states = partitionStates(description, described);
      if (o.json) {
        const byId = new Map(states.map((s) => [s.partition, s]));
        const partitions = description.partitions.map((p) => ({ ...p, ...byId.get(p.partition) }));
        await ctx.out.json({ ...description, partitions, deletedPartitions: states.filter((s) => s.state === 'deleted'), configs });
        return;
      }
      const withStates = states.some((s) => s.state !== 'active');
      await ctx.out.table(withStates ? [...TOPIC_DESCRIBE_HEADERS, 'STATE'] : TOPIC_DESCRIBE_HEADERS, topicDescribeRows(description, withStates ? states : undefined));
      await ctx.out.line('');
      await ctx.out.table(TOPIC_CONFIG_HEADERS, topicConfigRows(configs));
    });
}
