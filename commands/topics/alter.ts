// mq topics alter NAME --partitions N
import { Command } from 'commander';
import { alterPartitions } from '../../src/cli/alter-partitions.js';
import type { Context } from '../context.js';
import { bootstrapOption, int } from '../options.js';

export default function alter(ctx: Context): Command {
  return new Command('alter')
    .description('Add partitions to a topic (partitions can only be added, never removed)')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .requiredOption('--partitions <n>', 'the new total number of partitions', int(1))
    .action(async (name: string, o) => {
      const before = await alterPartitions(await ctx.admin(o.bootstrap), name, o.partitions);
      await ctx.out.line(`topic ${name} now has ${o.partitions} partitions (was ${before})`);
    });
}
