// mq reassign plan|execute|status|cancel: move partition replicas between brokers (cluster mode).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parseTopicList } from '../src/cli/leader-election.js';
import {
  parseBrokerIds, reassignCancel, reassignExecute, reassignPlan, reassignStatus, REASSIGN_STATUS_HEADERS, reassignStatusRows,
} from '../src/cli/reassign.js';
import { parseReassignmentPlan } from '../src/cluster/reassignment-plan.js';
import type { Context } from './context.js';
import { bootstrapOption, cli } from './options.js';

const ETCD_FLAGS = '--etcd <url,...>';
const ETCD_HELP = 'the cluster\'s etcd endpoints (comma-separated)';

export default function reassign(ctx: Context): Command {
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
    .requiredOption(ETCD_FLAGS, ETCD_HELP)
    .addHelpText('after', `
Each partition's new replicas are added first (its replica count is briefly above the replication
factor); once all of them are in the ISR the replica list becomes the planned one, the old replicas
leave, and leadership moves if the leader was one of them. Refused, with nothing started, when a
partition of the plan is being reassigned already.

Examples:
  mq reassign execute plan.json --etcd http://127.0.0.1:2379`)
    .action(async (file: string, o: { etcd: string }) => {
      const parsed = parseReassignmentPlan(await readFile(file, 'utf8'));
      const n = await reassignExecute(o.etcd, parsed);
      await ctx.out.line(`reassignment requested for ${n} partition${n === 1 ? '' : 's'}`);
      if (n > 0) ctx.out.note('watch it with: mq reassign status --etcd ' + o.etcd);
    });

  const status = new Command('status')
    .description('List the reassignments in progress with how far each new replica has caught up')
    .requiredOption(ETCD_FLAGS, ETCD_HELP)
    .option('--json', 'print {reassignments: [{topic, partition, state, replicas, target, adding, removing, leader, leaderLogEndOffset, progress}]}')
    .addHelpText('after', `
PROGRESS shows each adding replica's log end offset against its leader's ("4: 1200/5000 (24%)"), or
"in sync" once it joined the ISR. STATE is moving, requested (not picked up by the controller yet) or
cancelling. Prints "no reassignments in progress" when there are none.

Examples:
  mq reassign status --etcd http://127.0.0.1:2379
  mq reassign status --etcd http://127.0.0.1:2379 --json`)
    .action(async (o: { etcd: string; json?: boolean }) => {
      const list = await reassignStatus(o.etcd);
      if (o.json) await ctx.out.json({ reassignments: list });
      else if (list.length === 0) await ctx.out.line('no reassignments in progress');
      else await ctx.out.table(REASSIGN_STATUS_HEADERS, reassignStatusRows(list));
    });

  const cancel = new Command('cancel')
    .description('Roll back every reassignment not finished yet: partitions return to their old replicas')
    .requiredOption(ETCD_FLAGS, ETCD_HELP)
    .addHelpText('after', `
The replicas being added are dropped (they leave the ISR and delete their copies); the old replica list
stays. Moves that have completed already are not undone. Replica restores of lost brokers are
reassignments too: cancelling one only lets the controller start it again.

Examples:
  mq reassign cancel --etcd http://127.0.0.1:2379`)
    .action(async (o: { etcd: string }) => {
      const n = await reassignCancel(o.etcd);
      await ctx.out.line(n === 0 ? 'no reassignments in progress' : `cancel requested for ${n} partition${n === 1 ? '' : 's'}`);
    });

  return new Command('reassign')
    .description('Move partition replicas between brokers: plan, execute, status, cancel (cluster mode)')
    .addCommand(plan)
    .addCommand(execute)
    .addCommand(status)
    .addCommand(cancel)
    .addHelpText('after', `
A throttle for the replication traffic of moving replicas (--throttle) is not available yet.`);
}
