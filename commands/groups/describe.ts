// mq groups describe GROUP
import { Command } from 'commander';
import { GROUP_MEMBER_HEADERS, GROUP_OFFSET_HEADERS, groupMemberRows, groupOffsetRows, groupSummary } from '../../src/cli/group-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function describe(ctx: Context): Command {
  return new Command('describe')
    .description('Show a group: per partition the committed offset, log end offset, lag and owner; then its state, protocol and members')
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .option('--json', 'print the description as JSON')
    .action(async (group: string, o) => {
      const d = await (await ctx.admin(o.bootstrap)).describeGroup(group);
      if (o.json) return void (await ctx.out.json(d));
      await ctx.out.table(GROUP_OFFSET_HEADERS, groupOffsetRows(d));
      await ctx.out.line(`\n${groupSummary(d)}`);
      if (d.members.length > 0) await ctx.out.table(GROUP_MEMBER_HEADERS, groupMemberRows(d));
    });
}
