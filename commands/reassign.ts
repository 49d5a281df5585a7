// mq reassign plan|execute|status|throttle|cancel: move partition replicas between brokers (cluster mode),
// through the brokers (-b, KIP-455 requests) or through etcd (--etcd).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseTopicList } from '../src/cli/leader-election.js';
import { parseBrokerIds, parseThrottle, reassignPlan, REASSIGN_STATUS_HEADERS, reassignStatusRows } from '../src/cli/reassign.js';
import { brokersBackend, etcdBackend, type ReassignBackend } from '../src/cli/reassign-brokers.js';
import { AdminHttpClient } from '../src/client/admin-http.js';
import { etcdTargetOf, withEtcdSecurity, type EtcdOptionValues } from './etcd-options.js';
import { formatByteRate } from '../src/cli/reassign-progress.js';
import { watchReassignments } from '../src/cli/reassign-watch.js';
import { sleep } from '../src/util/promise.js';
import { parseReassignmentPlan } from '../src/cluster/reassignment-plan.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

const ETCD_FLAGS = '--etcd <url,...>';
const ETCD_HELP = 'talk to the cluster\'s etcd (comma-separated endpoints) instead of the brokers';

interface Where extends EtcdOptionValues { bootstrap: string[] }

export default function reassign(ctx: Context): Command {
  /** etcd when --etcd is given, else the brokers of -b; closed after `fn`. */
  const using = async <T>(o: Where, fn: (b: ReassignBackend) => Promise<T>): Promise<T> => {
    const etcd = await etcdTargetOf(o, ctx.env);
    const http = new AdminHttpClient(ctx.security);
    const b = etcd ? etcdBackend(etcd, http) : brokersBackend(await ctx.admin(o.bootstrap), o.bootstrap, http);
    try {
      return await fn(b);
    } finally {
      await b.close();
    }
  };

  const plan = new Command('plan')
    .description('Print a JSON plan that balances replicas and leaders over the given brokers with the fewest moves')
    .requiredOption('--brokers <id,...>', 'the brokers that should carry the replicas afterwards (comma-separated ids)', cli(parseBrokerIds))
    .option('--topics <topic,...>', 'only the partitions of these topics (comma-separated; default: every topic)', cli(parseTopicList))
    .addOption(bootstrapOption())
    .addHelpText('after', `
The plan is Kafka's reassignment JSON, {"version":1,"partitions":[{"topic","partition","replicas"}]},
listing only partitions whose replica list changes. Replicas on brokers not listed move off them; then
replicas move from the most to the least loaded broker until each carries floor(mean) to ceil(mean);
leaders (first replicas) are spread by reordering. Never two replicas of a partition on one broker;
with racks set, replicas stay on distinct racks where possible.

Examples:
  mq reassign plan --brokers 1,2,3,4 > plan.json
  mq reassign plan --brokers 1,2,4 --topics orders -b 127.0.0.1:9093`)
    .action(async (o: { brokers: number[]; topics?: string[]; bootstrap: string[] }) => {
      await ctx.out.json(await reassignPlan(await ctx.admin(o.bootstrap), o.brokers, o.topics));
    });

  const execute = new Command('execute')
    .description('Start the moves of a plan file (the controller adds new replicas, waits for them to catch up, then drops old ones)')
    .argument('<plan-file>', 'a plan from mq reassign plan (or Kafka reassignment JSON)')
    .addOption(bootstrapOption())
    .option(ETCD_FLAGS, ETCD_HELP)
    .option('--throttle <MB/s>', 'cap the replication traffic of the moving replicas, per receiving broker (1 MB = 10^6 bytes)', cli((v) => parseThrottle(v)))
    .addHelpText('after', `
Each partition's new replicas are added first (its replica count is briefly above the replication
factor); once all of them are in the ISR the replica list becomes the planned one, the old replicas
leave, and leadership moves if the leader was one of them. Refused, with nothing started, when a
partition of the plan is being reassigned already.

--throttle caps what each broker receiving a new replica copies for the moves (one budget per broker
shared by its moving replicas); its other followers, and moves started without --throttle, are not
slowed. The throttle lives in each move's record and ends with it; change or remove it while the moves
run with \`mq reassign throttle MB/s|none\`.

Through the brokers (-b) the moves are sent as AlterPartitionReassignments (any broker passes them to
the controller) and --throttle is set right after they start; with --etcd they are written there.

Examples:
  mq reassign execute plan.json -b 127.0.0.1:9092
  mq reassign execute plan.json -b 127.0.0.1:9092 --throttle 20
  mq reassign execute plan.json --etcd http://127.0.0.1:2379`)
    .action(async (file: string, o: Where & { throttle?: number | null }) => {
      const parsed = parseReassignmentPlan(await readFile(file, 'utf8'));
      const { n, flag } = await using(o, async (b) => ({ n: await b.execute(parsed, o.throttle ?? undefined), flag: b.flag }));
      await ctx.out.line(`reassignment requested for ${n} partition${n === 1 ? '' : 's'}${o.throttle && n > 0 ? `, throttled at ${formatByteRate(o.throttle)} per receiving broker` : ''}`);
      if (n > 0) ctx.out.note(`watch it with: mq reassign status ${flag}`);
    });

  const status = new Command('status')
    .description('Show the reassignments in progress: bytes each new replica has caught up, its copy rate and ETA (live on a terminal)')
    .addOption(bootstrapOption())
    .option(ETCD_FLAGS, ETCD_HELP)
    .option('--json', 'print {reassignments: [{topic, partition, state, replicas, target, adding, removing, leader, leaderSizeBytes, throttleBytesPerSec, progress: [{broker, sizeBytes, percent, remainingBytes, rateBytesPerSec, etaSeconds, inIsr}]}]}')
    .option('--interval-ms <ms>', 'time between the two samples a rate is measured over (and between redraws on a terminal); 0: one sample, no rates', int(0), 1000)
    .option('--once', 'print one table even on a terminal (the default when stdout is not a terminal)')
    .addHelpText('after', `
On a terminal (stdout) without --json or --once, a live view: one line per moving replica with a
progress bar, bytes caught up against its leader, copy rate and ETA, and a totals line, redrawn every
--interval-ms; it ends by itself when nothing is moving any more, or with Ctrl-C (the moves go on).
Otherwise one table: PROGRESS shows each adding replica's log size against its leader's
("4: 12.0 MB/50.0 MB (24%)"), or "in sync" once it joined the ISR; RATE is how fast it grew between two
samples --interval-ms apart, ETA the bytes left at that rate ("-" when unknown or not growing), THROTTLE
the move's --throttle. STATE is moving, requested (not picked up by the controller yet) or cancelling.
Prints "no reassignments in progress" when there are none. Through the brokers (-b) the list is
ListPartitionReassignments, a move shows once the controller has taken it, and THROTTLE is the broker
config follower.replication.throttled.rate; --etcd also shows requests the controller has not taken yet.

Examples:
  mq reassign status -b 127.0.0.1:9092
  mq reassign status -b 127.0.0.1:9092 --json
  mq reassign status --etcd http://127.0.0.1:2379 --once --interval-ms 5000`)
    .action(async (o: Where & { json?: boolean; intervalMs: number; once?: boolean }) => {
      const stdout = ctx.out.terminal as NodeJS.WriteStream;
      if (!o.json && !o.once && stdout.isTTY === true && o.intervalMs > 0) {
        await using(o, (b) => watchReassignments({
          read: (previous) => b.status(previous), intervalMs: o.intervalMs, signal: ctx.signal,
          write: (text) => ctx.out.write(text), columns: () => stdout.columns ?? 80,
        }));
        return;
      }
      const list = await using(o, async (b) => {
        const first = await b.status();
        if (first.length === 0 || o.intervalMs <= 0) return first;
        await sleep(o.intervalMs, ctx.signal);
        return b.status(first);
      });
      if (o.json) await ctx.out.json({ reassignments: list });
      else if (list.length === 0) await ctx.out.line('no reassignments in progress');
      else await ctx.out.table(REASSIGN_STATUS_HEADERS, reassignStatusRows(list));
    });

  const throttle = new Command('throttle')
    .description('Change or remove the throttle of the reassignments in progress')
    .argument('<MB/s|none>', 'the new rate per receiving broker in MB/s (1 MB = 10^6 bytes), or none', cli((v) => parseThrottle(v, true)))
    .addOption(bootstrapOption())
    .option(ETCD_FLAGS, ETCD_HELP)
    .addHelpText('after', `
Applies to every reassignment in progress and every request not picked up yet, throttled or not
(replica restores of lost brokers included). The controller writes the new rate into each move's
record; the brokers' replica fetchers follow it within a moment. A finished move has no throttle left.
Through the brokers (-b) it is the broker config follower.replication.throttled.rate (bytes/s) set with
IncrementalAlterConfigs, which Kafka's tools can set and read too (kafka-configs.sh --entity-type brokers
--entity-default); it describes as the throttle of the moves in progress.

Examples:
  mq reassign throttle 50 -b 127.0.0.1:9092
  mq reassign throttle none --etcd http://127.0.0.1:2379`)
    .action(async (rate: number | null, o: Where) => {
      const n = await using(o, (b) => b.throttle(rate));
      const what = rate === null ? 'throttle removed' : `throttle set to ${formatByteRate(rate)} per receiving broker`;
      await ctx.out.line(n === 0 ? 'no reassignments in progress' : `${what} for ${n} partition${n === 1 ? '' : 's'}`);
    });

  const cancel = new Command('cancel')
    .description('Roll back every reassignment not finished yet: partitions return to their old replicas')
    .addOption(bootstrapOption())
    .option(ETCD_FLAGS, ETCD_HELP)
    .addHelpText('after', `
The replicas being added are dropped (they leave the ISR and delete their copies); the old replica list
stays. Moves that have completed already are not undone. Replica restores of lost brokers are
reassignments too: cancelling one only lets the controller start it again.

Through the brokers (-b) each move is cancelled with AlterPartitionReassignments (replicas null).

Examples:
  mq reassign cancel -b 127.0.0.1:9092
  mq reassign cancel --etcd http://127.0.0.1:2379`)
    .action(async (o: Where) => {
      const n = await using(o, (b) => b.cancel());
      await ctx.out.line(n === 0 ? 'no reassignments in progress' : `cancel requested for ${n} partition${n === 1 ? '' : 's'}`);
    });

  return new Command('reassign')
    .description('Move partition replicas between brokers: plan, execute, status, throttle, cancel (cluster mode)')
    .addCommand(plan)
    .addCommand(withEtcdSecurity(execute))
    .addCommand(withEtcdSecurity(status))
    .addCommand(withEtcdSecurity(throttle))
    .addCommand(withEtcdSecurity(cancel));
}
