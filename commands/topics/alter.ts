// mq topics alter NAME [--partitions N] [--config key=value ...]
import { Command } from 'commander';
import { alterPartitions } from '../../src/cli/alter-partitions.js';
import { parseKeyValue } from '../../src/cli/parsers.js';
import { alterTopicConfigs } from '../../src/cli/topic-config-rows.js';
import { MqError } from '../../src/util/mq-error.js';
import type { Context } from '../context.js';
import { bootstrapOption, collect, int } from '../options.js';

export default function alter(ctx: Context): Command {
  return new Command('alter')
    .description('Add partitions to a topic (partitions can only be added, never removed) or change its settings, live')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .option('--partitions <n>', 'the new total number of partitions', int(1))
    .option('--config <key=value>', 'topic setting to change, e.g. retention.ms=3600000 (repeatable; others are kept)', collect((s) => parseKeyValue(s, 'config')))
    .action(async (name: string, o) => {
      if (o.partitions === undefined && o.config === undefined) {
        throw new MqError('INVALID_ARGUMENT', 'nothing to alter', { hint: 'Pass --partitions N and/or --config key=value.' });
      }
      const admin = await ctx.admin(o.bootstrap);
      if (o.partitions !== undefined) {
        const before = await alterPartitions(admin, name, o.partitions);
        await ctx.out.line(`topic ${name} now has ${o.partitions} partitions (was ${before})`);
      }
      if (o.config !== undefined) {
        for (const change of await alterTopicConfigs(admin, name, o.config)) await ctx.out.line(`topic ${name} ${change}`);
      }
    });
}
