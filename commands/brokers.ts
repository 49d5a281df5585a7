// mq brokers list: the brokers of the cluster (from Metadata) and which one is controller.
import { Command } from 'commander';
import { BROKER_LIST_HEADERS, brokerListing, brokerListRows } from '../src/cli/broker-rows.js';
import type { Context } from './context.js';
import { bootstrapOption } from './options.js';

export default function brokers(ctx: Context): Command {
  const list = new Command('list')
    .description('List the brokers in the cluster and mark the controller')
    .addOption(bootstrapOption())
    .option('--json', 'print a JSON array of {id, host, port, rack, controller}')
    .addHelpText('after', `
The list comes from Metadata: the brokers registered now (in cluster mode, those holding their etcd lease).

Examples:
  mq brokers list
  mq brokers list -b 127.0.0.1:9093 --json`)
    .action(async (o) => {
      const listing = brokerListing(await (await ctx.admin(o.bootstrap)).metadata([]));
      await (o.json ? ctx.out.json(listing) : ctx.out.table(BROKER_LIST_HEADERS, brokerListRows(listing)));
    });
  return new Command('brokers').description('Inspect the brokers of a cluster').addCommand(list);
}
