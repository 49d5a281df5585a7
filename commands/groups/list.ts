// mq groups list [--state S,...]
import { Command } from 'commander';
import { GROUP_LIST_HEADERS, groupListRows, parseGroupStates } from '../../src/cli/group-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption, cli } from '../options.js';

export default function list(ctx: Context): Command {
  return new Command('list')
    .description('List consumer groups (from every broker) with their states')
    .addOption(bootstrapOption())
    .option('--state <states>', 'only groups in these states (comma-separated: Empty, Stable, PreparingRebalance, CompletingRebalance)', cli(parseGroupStates))
    .option('--json', 'print a JSON array of {groupId, protocolType, state}')
    .action(async (o) => {
      const groups = await (await ctx.admin(o.bootstrap)).listGroups({ states: o.state });
      await (o.json ? ctx.out.json(groups) : ctx.out.table(GROUP_LIST_HEADERS, groupListRows(groups)));
    });
}
