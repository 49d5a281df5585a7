// mq groups delete GROUP
import { Command } from 'commander';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function deleteGroup(ctx: Context): Command {
  return new Command('delete')
    .description('Delete a group and its committed offsets (it must have no live members)')
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .action(async (group: string, o) => {
      await (await ctx.admin(o.bootstrap)).deleteGroup(group);
      await ctx.out.line(`deleted group ${group}`);
    });
}
