// mq brokers list: the brokers of the cluster (from Metadata) and which one is controller.
import { Command } from 'commander';
import { BROKER_LIST_HEADERS, brokerListing, brokerListRows } from '../src/cli/broker-rows.js';
import {
  brokersDecommissionSource, decommissionProgress, decommissionProgressLine, decommissionStart, decommissionTimeoutError, etcdDecommissionSource,
  registeredBrokers, safeToStopLine,
} from '../src/cli/decommission.js';
import { sleep } from '../src/util/promise.js';
import { AdminHttpClient } from '../src/client/admin-http.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';
import { parseThrottle } from '../src/cli/reassign.js';
import { etcdTargetOf, withEtcdSecurity, type EtcdOptionValues } from './etcd-options.js';

const DECOMMISSION_POLL_MS = 1000;

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
  const decommission = new Command('decommission')
    .description('Move every replica off a broker onto the other registered brokers, and say when it is safe to stop it')
    .argument('<id>', 'the broker to empty', int(0))
    .addOption(bootstrapOption())
    .option('--etcd <url,...>', 'talk to the cluster\'s etcd (comma-separated endpoints) instead of the brokers')
    .option('--wait', 'follow the moves until the broker holds and leads no partition')
    .option('--timeout <s>', 'with --wait: give up waiting after this many seconds (exit 1; the moves continue); default: no limit', int(1))
    .option('--throttle <MB/s>', 'cap the replication traffic of the moves, per receiving broker (as mq reassign execute --throttle)', cli((v) => parseThrottle(v)))
    .option('--json', 'print {broker, targets, holding, moving, plan} (with --wait: {broker, moving, safe}; progress goes to stderr)')
    .addHelpText('after', `
The plan is what \`mq reassign plan --brokers <every registered broker but ID>\` prints (it also evens
out the remaining brokers); the controller adds each new replica, waits for it to join the ISR, moves
leadership off ID, then drops ID's replica. Refused, with nothing started, when fewer brokers than some
topic's replication factor would remain. With -b alone everything goes through the brokers
(Metadata, AlterPartitionReassignments, ListPartitionReassignments); with --etcd the moves are written
to etcd and, without -b, Metadata is asked from the registered brokers.
With --wait and --timeout, a wait that runs out says what is still moving and exits 1; the moves go on
(run the command again with --wait to keep following them). --throttle caps the copying as
\`mq reassign execute --throttle\` does; change it with \`mq reassign throttle\`.

Examples:
  mq brokers decommission 4 -b 127.0.0.1:9092 --wait
  mq brokers decommission 4 -b 127.0.0.1:9092 --wait --timeout 3600
  mq brokers decommission 4 --etcd http://127.0.0.1:2379 && mq reassign status --etcd http://127.0.0.1:2379`)
    .action(async (id: number, o: EtcdOptionValues & { bootstrap: string[]; wait?: boolean; json?: boolean; timeout?: number; throttle?: number | null }, cmd: Command) => {
      const etcd = await etcdTargetOf(o, ctx.env);
      const bootstrap = etcd && cmd.getOptionValueSource('bootstrap') === 'default'
        ? [...(await registeredBrokers(etcd)).values()]
        : o.bootstrap;
      const admin = await ctx.admin(bootstrap.length > 0 ? bootstrap : o.bootstrap);
      const http = new AdminHttpClient(ctx.security);
      const source = etcd ? etcdDecommissionSource(etcd, http) : brokersDecommissionSource(admin, o.bootstrap, http);
      try {
        const started = await decommissionStart(admin, source, id, o.throttle ?? undefined);
        const moving = `moving ${started.moving} partition${started.moving === 1 ? '' : 's'} off broker ${id} onto ${started.targets.join(',')} (it holds ${started.holding})`;
        if (!o.wait) {
          if (o.json) await ctx.out.json(started);
          else if (started.holding === 0) await ctx.out.line(safeToStopLine(id));
          else {
            await ctx.out.line(moving);
            await ctx.out.line(`run \`mq brokers decommission ${id} --wait\` or \`mq reassign status\` to follow it`);
          }
          return;
        }
        const say = (text: string): void | Promise<void> => (o.json ? ctx.out.note(text) : ctx.out.line(text));
        if (started.holding > 0) await say(moving);
        let last = '';
        const deadlineMs = o.timeout === undefined ? Infinity : Date.now() + o.timeout * 1000;
        for (;;) {
          const p = await decommissionProgress(source, id);
          if (p.done) break;
          if (Date.now() >= deadlineMs) throw decommissionTimeoutError(p, o.timeout!, source.backend.flag);
          const line = decommissionProgressLine(p);
          if (line !== last) await say(line);
          last = line;
          await sleep(Math.max(0, Math.min(DECOMMISSION_POLL_MS, deadlineMs - Date.now())), ctx.signal);
        }
        if (o.json) await ctx.out.json({ broker: id, moving: started.moving, safe: true });
        else await ctx.out.line(safeToStopLine(id));
      } finally {
        await source.backend.close();
      }
    });
  return new Command('brokers').description('Inspect the brokers of a cluster and empty one before it leaves').addCommand(list).addCommand(withEtcdSecurity(decommission));
}
