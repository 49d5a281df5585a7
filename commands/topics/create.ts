// mq topics create NAME
import { Command } from 'commander';
import { parseKeyValue } from '../../src/cli/parsers.js';
import type { Context } from '../context.js';
import { bootstrapOption, collect, int } from '../options.js';

export default function create(ctx: Context): Command {
  return new Command('create')
    .description('Create a topic')
    .argument('<name>', 'topic name: letters, digits, ".", "_" and "-", up to 249 characters')
    .addOption(bootstrapOption())
    .option('-p, --partitions <n>', 'number of partitions (default: the broker\'s num.partitions)', int(1))
    .option('-r, --replication-factor <n>', 'replicas per partition (default: the broker\'s default.replication.factor)', int(1))
    .option('--config <key=value>', 'topic setting, e.g. retention.ms=86400000 (repeatable)', collect((s) => parseKeyValue(s, 'config')))
    .action(async (name: string, o) => {
      const admin = await ctx.admin(o.bootstrap);
      await admin.createTopic({ topic: name, partitions: o.partitions, replicationFactor: o.replicationFactor, configs: Object.fromEntries(o.config ?? []) });
      await ctx.out.line(`created topic ${name}`);
    });
}
