// mq topics delete NAME
import { Command } from 'commander';
import type { Context } from '../context.js';
import { bootstrapOption } from '../options.js';

export default function deleteTopic(ctx: Context): Command {
  return new Command('delete')
    .description('Delete a topic and all its records')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .action(async (name: string, o) => {
      await (await ctx.admin(o.bootstrap)).deleteTopic(name);
      await ctx.out.line(`deleted topic ${name}`);
    });
}
