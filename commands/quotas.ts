// mq quotas <verb>: set, remove and list client quotas (producer_byte_rate, consumer_byte_rate,
// request_percentage per user and/or client-id) through a broker: AlterClientQuotas / DescribeClientQuotas.
import { Command } from 'commander';
import { entityFromFlags, entityLabel, filterFromFlags, parsePercentage, QUOTA_HEADERS, quotaRows, removedKeys, valuesFromFlags } from '../src/cli/quota-rows.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

const ENTITIES = `
Entities (Kafka's): a user (the principal User:NAME; User:ANONYMOUS before authentication), a
client-id (the client's client.id), or both; --user-default and --client-id-default set the quota
every user / client-id without its own gets, each counted separately. The most specific quota applies:
user+client-id, user, default user+client-id, default user, client-id, default client-id.`;

/** The entity flags of every verb. */
function withEntity(c: Command): Command {
  return c
    .addOption(bootstrapOption())
    .option('--user <name>', 'the quota of this user')
    .option('--user-default', 'the default quota of users')
    .option('--client-id <id>', 'the quota of this client-id')
    .option('--client-id-default', 'the default quota of client-ids')
    .addHelpText('after', ENTITIES);
}

export default function quotas(ctx: Context): Command {
  const set = withEntity(new Command('set')
    .description('Set quotas of a user and/or client-id')
    .option('--producer-byte-rate <bytes>', 'bytes per second produced', int(1))
    .option('--consumer-byte-rate <bytes>', 'bytes per second fetched', int(1))
    .option('--request-percentage <percent>', 'share of the broker\'s request handling time', cli(parsePercentage))
    .option('--validate-only', 'check with the broker without changing anything'))
    .action(async (o) => {
      const entity = entityFromFlags(o);
      const values = valuesFromFlags(o);
      await (await ctx.admin(o.bootstrap)).alterClientQuotas(entity, values, { validateOnly: o.validateOnly === true });
      const what = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
      await ctx.out.line(`quotas of ${entityLabel(entity)}: ${o.validateOnly ? 'valid, not set' : 'set'} ${what}`);
    });

  const remove = withEntity(new Command('remove')
    .description('Remove quotas of a user and/or client-id (every key unless flags name some)')
    .option('--producer-byte-rate', 'remove producer_byte_rate')
    .option('--consumer-byte-rate', 'remove consumer_byte_rate')
    .option('--request-percentage', 'remove request_percentage'))
    .action(async (o) => {
      const entity = entityFromFlags(o);
      const admin = await ctx.admin(o.bootstrap);
      let keys = removedKeys(o);
      if (keys.length === 0) keys = (await admin.describeClientQuotas({ ...entity, strict: true })).flatMap((e) => Object.keys(e.values)) as typeof keys;
      if (keys.length > 0) await admin.alterClientQuotas(entity, Object.fromEntries(keys.map((k) => [k, null])));
      await ctx.out.line(`quotas of ${entityLabel(entity)}: ${keys.length > 0 ? `removed ${keys.join(' ')}` : 'none set'}`);
    });

  const list = withEntity(new Command('list')
    .description('List quotas (all, or those of the entity the flags name)')
    .option('--strict', 'only the entity named, not the ones that add a component to it')
    .option('--json', 'print a JSON array of {entity: {user?, clientId?}, values: {KEY: N}} (null: the default)'))
    .action(async (o) => {
      const entries = await (await ctx.admin(o.bootstrap)).describeClientQuotas(filterFromFlags(o));
      await (o.json ? ctx.out.json(entries) : ctx.out.table(QUOTA_HEADERS, quotaRows(entries)));
    });

  return new Command('quotas')
    .description('Set, remove and list client quotas (byte rates and request time per user / client-id)')
    .alias('quota')
    .addCommand(set)
    .addCommand(remove)
    .addCommand(list);
}
