// mq rebalance leaders [--topics T,...]: move leadership back to each partition's preferred replica.
// (The one use of "rebalance" outside consumer groups: the name issue 8 gives it, after Kafka's
// preferred leader rebalance. It elects leaders; it moves no replicas.)
import { Command } from 'commander';
import {
  LEADER_ELECTION_HEADERS, leaderElection, leaderElectionFailure, leaderElectionRows, leaderElectionSummaryLine, parseTopicList,
} from '../src/cli/leader-election.js';
import type { Context } from './context.js';
import { bootstrapOption, cli } from './options.js';

export default function rebalance(ctx: Context): Command {
  const leaders = new Command('leaders')
    .description('Elect each partition\'s preferred replica (the first in its replica list) as leader where it is live and in the ISR')
    .addOption(bootstrapOption())
    .option('--topics <topic,...>', 'only the partitions of these topics (comma-separated; default: every topic)', cli(parseTopicList))
    .option('--json', 'print {results: [{topic, partition, preferredLeader, result, message}], summary}')
    .addHelpText('after', `
The controller moves leadership of each partition to its preferred replica if that broker is live and
in the ISR (so it has every acknowledged record), with a new leader epoch. RESULT is "moved to N",
"already preferred", or why not (for example "preferred replica N not in the ISR"). A summary goes to
stderr. Exit 0 unless an election failed for another reason. Brokers also do this on their own every
leader.imbalance.check.interval.seconds when auto.leader.rebalance.enable is on (see man mq-broker).

Examples:
  mq rebalance leaders
  mq rebalance leaders --topics orders,payments -b 127.0.0.1:9093 --json`)
    .action(async (o: { bootstrap: string[]; topics?: string[]; json?: boolean }) => {
      const report = await leaderElection(await ctx.admin(o.bootstrap), o.topics);
      await (o.json ? ctx.out.json(report) : ctx.out.table(LEADER_ELECTION_HEADERS, leaderElectionRows(report.results)));
      if (!o.json) ctx.out.note(leaderElectionSummaryLine(report.summary));
      const failure = leaderElectionFailure(report);
      if (failure) throw failure;
    });
  return new Command('rebalance').description('Move partition leadership back to preferred replicas').addCommand(leaders);
}
