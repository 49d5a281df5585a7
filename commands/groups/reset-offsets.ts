// mq groups reset-offsets GROUP --topic T --to-...: a dry run (the plan) unless --execute.
import { Command } from 'commander';
import { RESET_PLAN_HEADERS, resetPlanRows, resetTarget } from '../../src/cli/group-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function resetOffsets(ctx: Context): Command {
  return new Command('reset-offsets')
    .description("Move a group's committed offsets for a topic (dry run unless --execute; the group must have no live members)")
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .requiredOption('--topic <topic>', 'the topic whose partitions are reset')
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset')
    .option('--to-offset <n>', 'to offset N (clamped to the log)')
    .option('--to-datetime <time>', 'to the first record at or after TIME (epoch ms or ISO-8601)')
    .option('--shift-by <n>', 'by N from the committed offset (negative: back)')
    .option('--execute', 'apply the plan (default: only print it)')
    .option('--json', 'print the plan as JSON')
    .action(async (group: string, o) => {
      const to = resetTarget(o);
      const plan = await (await ctx.admin(o.bootstrap)).resetGroupOffsets({ groupId: group, topic: o.topic, to, execute: o.execute === true });
      await (o.json ? ctx.out.json(plan) : ctx.out.table(RESET_PLAN_HEADERS, resetPlanRows(plan)));
      ctx.out.note(plan.executed ? `mq: committed the new offsets of group ${group}` : 'mq: dry run, nothing changed; pass --execute to apply');
    });
}
