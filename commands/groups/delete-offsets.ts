// mq groups delete-offsets GROUP --topic T [--partition N ...]: Kafka's --delete-offsets (OffsetDelete).
import { Command } from 'commander';
import { GROUP_OFFSET_DELETION_HEADERS, failedDeletion, groupOffsetDeletionRows } from '../../src/cli/group-rows.js';
import type { Context } from '../context.js';
import { bootstrapOption, collect, int } from '../options.js';

export default function deleteOffsets(ctx: Context): Command {
  return new Command('delete-offsets')
    .description("Delete a group's committed offsets of a topic (refused for a topic its live members subscribe to)")
    .argument('<group>', 'group id')
    .addOption(bootstrapOption())
    .requiredOption('--topic <topic>', 'the topic whose committed offsets are deleted')
    .option('-p, --partition <n>', 'only this partition (repeatable; default: every partition of the topic)', collect(int(0)))
    .option('--json', 'print the outcome per partition as JSON')
    .action(async (group: string, o) => {
      const result = await (await ctx.admin(o.bootstrap)).deleteGroupOffsets({ groupId: group, topic: o.topic, partitions: o.partition });
      await (o.json ? ctx.out.json(result) : ctx.out.table(GROUP_OFFSET_DELETION_HEADERS, groupOffsetDeletionRows(result)));
      const failed = failedDeletion(group, result);
      if (failed) throw failed;
    });
}
