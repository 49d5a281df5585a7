// mq groups list
import { Command } from 'commander';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function list(ctx: Context): Command {
  return new Command('list')
    .description('List consumer groups (from every broker)')
    .addOption(bootstrapOption())
    .option('--json', 'print a JSON array of {groupId, protocolType}')
    .action(async (o) => {
      const groups = await (await ctx.admin(o.bootstrap)).listGroups();
      await (o.json ? ctx.out.json(groups) : ctx.out.table(['GROUP', 'PROTOCOL-TYPE'], groups.map((g) => [g.groupId, g.protocolType || '-'])));
    });
}
