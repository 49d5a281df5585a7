// mq top: the live dashboard (Ink), --charts (blessed-contrib), or one snapshot with --once / when
// stdout is not a terminal. The TUI is loaded here and only here, with a dynamic import().
import { Command, Option } from 'commander';
import { parseBootstrap } from '../src/cli/parsers.js';
import { bootstrapDiscovery } from '../src/cli/bootstrap-discovery.js';
import { etcdDiscovery } from '../src/cli/etcd-discovery.js';
import { AdminHttpClient } from '../src/client/admin-http.js';
import { MqError } from '../src/util/mq-error.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';
import { etcdTargetOf, withEtcdSecurity } from './etcd-options.js';

const seconds = cli((raw) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600) throw new MqError('INVALID_ARGUMENT', `interval '${raw}' must be a number of seconds from 0.1 to 3600`);
  return n;
});

export default function top(ctx: Context): Command {
  return withEtcdSecurity(new Command('top')
    .description('Watch brokers, topics and groups live: throughput, latency, ISR, lag, CPU, memory, disk')
    .addOption(bootstrapOption())
    .option('--admin <host:port,...>', 'admin endpoints to poll directly (comma-separated; instead of discovering brokers through -b)', cli(parseBootstrap))
    .option('--admin-port <port>', 'admin port to try for a broker discovered through -b that does not report its own', int(1, 65535), 9644)
    .option('--etcd <url,...>', 'find brokers and their admin endpoints through etcd (cluster mode) instead of -b')
    .option('--interval <seconds>', 'refresh every this many seconds', seconds, 1)
    .option('--once', 'print one snapshot and exit (the default when stdin or stdout is not a terminal)')
    .option('--json', 'with --once: print the snapshot as JSON')
    .option('--charts', 'full-screen line charts of throughput and lag instead of the tables')
    .option('--topic <name>', 'with --charts: the topic to chart (default: the first)')
    .option('--group <id>', 'with --charts: the group whose lag to chart (default: the first)')
    .addOption(new Option('--view <name>', 'view to start in').choices(['brokers', 'topics', 'groups']).default('brokers'))
    .addHelpText('after', `
Keys: 1 brokers, 2 topics, 3 groups (Tab cycles), / filter, arrows select, Enter drills into a topic
or group, Esc back, q quits. Brokers are polled on their admin endpoint (mq broker start --admin-listen).

Examples:
  mq top                                   the broker at 127.0.0.1:9092, its admin endpoint on :9644
  mq top --admin 127.0.0.1:9644 --view groups
  mq top --etcd http://127.0.0.1:2379      every broker of a cluster, found through etcd
  mq top --charts --topic orders --group billing
  mq top --once --json | jq '.partitions[] | {topic, partition, highWatermark}'`)
    .action(async function (this: Command, o) {
      const stdout = ctx.out.terminal as NodeJS.WriteStream;
      const stdin = ctx.stdin as NodeJS.ReadStream;
      // Keys need a terminal on both sides; otherwise (a pipe, cron, CI) print one snapshot.
      const interactive = !o.once && !o.json && stdout.isTTY === true && stdin.isTTY === true;
      // Ink draws only the last frame when CI or CONTINUOUS_INTEGRATION is set, which would leave a live
      // dashboard blank on a real terminal; the terminal check above is the one that matters here.
      // Ink reads these once, when it is first imported, so this must come before the import.
      if (interactive) for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) if (name in process.env) process.env[name] = 'false';
      const tui = await import('../tui/index.js');
      const viaBootstrap = !o.etcd && (!o.admin || this.getOptionValueSource('bootstrap') !== 'default');
      const etcdAt = await etcdTargetOf(o, ctx.env);
      const etcd = etcdAt ? await etcdDiscovery(etcdAt) : null;
      const source = tui.adminSource({
        admins: o.admin,
        adminPort: o.adminPort,
        intervalMs: o.interval * 1000,
        http: new AdminHttpClient(ctx.security),
        discover: etcd ? () => etcd.brokers()
          : viaBootstrap ? bootstrapDiscovery(() => ctx.admin(o.bootstrap)) : undefined,
      });
      try {
        if (!interactive) {
          const snap = await tui.firstSnapshot(source, ctx.signal);
          if (o.json) await ctx.out.json(snap);
          else for (const t of snap ? tui.snapshotTables(snap) : []) { await ctx.out.line(`${t.title}:`); await ctx.out.table(t.table.headers, t.table.rows); await ctx.out.line(''); }
        } else if (o.charts) {
          await tui.runChartsScreen(source, { topic: o.topic, group: o.group, signal: ctx.signal, intervalMs: o.interval * 1000 });
        } else {
          await tui.runDashboard(source, { stdout, stdin, signal: ctx.signal, initialView: o.view });
        }
      } finally {
        await etcd?.close();
      }
    }));
}
