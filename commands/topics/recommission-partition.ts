// mq topics recommission-partition NAME PARTITION
import { Command } from 'commander';
import { recommissionPartition } from '../../src/cli/partition-decommission.js';
import type { Context } from '../context.js';
import { bootstrapOption, int } from '../options.js';

export default function recommissionPartitionCommand(ctx: Context): Command {
  return new Command('recommission-partition')
    .description('Take a decommissioned partition back into use (only until it is deleted)')
    .argument('<name>', 'topic name')
    .argument('<partition>', 'partition id', int(0))
    .addOption(bootstrapOption())
    .action(async (name: string, partition: number, o) => {
      await recommissionPartition(await ctx.admin(o.bootstrap), name, partition);
      await ctx.out.line(`partition ${name}-${partition} is active again`);
    });
}
