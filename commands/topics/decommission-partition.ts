// mq topics decommission-partition NAME PARTITION
import { Command } from 'commander';
import { decommissionPartition, stateText } from '../../src/cli/partition-decommission.js';
import type { Context } from '../context.js';
import { bootstrapOption, int } from '../options.js';

export default function decommissionPartitionCommand(ctx: Context): Command {
  return new Command('decommission-partition')
    .description('Stop new records going to a partition; it stays readable and is deleted once the topic\'s retention.ms has passed')
    .argument('<name>', 'topic name')
    .argument('<partition>', 'partition id', int(0))
    .addOption(bootstrapOption())
    .action(async (name: string, partition: number, o) => {
      const state = await decommissionPartition(await ctx.admin(o.bootstrap), name, partition);
      await ctx.out.line(`partition ${name}-${partition} ${stateText(state)}`);
      await ctx.out.line(state.deleteAfterMs === null
        ? 'producers skip it; consumers read it until drained; retention.ms=-1, so it is never deleted automatically'
        : 'producers skip it; consumers read it until drained; then the controller deletes it');
    });
}
