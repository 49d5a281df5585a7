// mq transactions <verb>: list, describe and abort the transactions of transactional producers
// (src/client/transaction-admin.ts: ListTransactions, DescribeTransactions, and an InitProducerId that
// bumps the epoch to abort an abandoned transaction).
import { Command, Option } from 'commander';
import type { TransactionAdmin, TransactionDescription, TransactionListing } from '../src/client/transaction-admin.js';
import { MqError } from '../src/util/mq-error.js';
import type { Context } from './context.js';
import { bootstrapOption, cli } from './options.js';

const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead'];

const EXAMPLES = `
States (Kafka's): Empty (no transaction yet or since the last one), Ongoing (open), PrepareCommit /
  PrepareAbort (markers being written), CompleteCommit / CompleteAbort (the last one ended so).
  A read_committed consumer waits at the first record of the oldest Ongoing transaction of a partition.

abort ID: for a transaction left open by a producer that went away (until transaction.timeout.ms
  aborts it anyway). It does what a new producer with the same transactional.id does on start: an
  InitProducerId bumps the producer epoch, which fences the old producer (its next send or commit
  fails with PRODUCER_FENCED) and makes the coordinator abort the open transaction. Refused unless the
  transaction is Ongoing (or already aborting).

Examples:
  mq transactions list
  mq transactions list --state Ongoing
  mq transactions describe payments-tx-1 --json
  mq transactions abort payments-tx-1`;

export default function transactions(ctx: Context): Command {
  return new Command('transactions')
    .description('List, describe and abort the transactions of transactional producers')
    .alias('transaction')
    .addCommand(list(ctx))
    .addCommand(describe(ctx))
    .addCommand(abort(ctx))
    .addHelpText('after', EXAMPLES);
}

function list(ctx: Context): Command {
  return new Command('list')
    .description('List transactional ids (from every broker\'s coordinator) with their producer id and state')
    .addOption(bootstrapOption())
    .option('--state <states>', `only transactions in these states (comma-separated: ${STATES.join(', ')})`, cli(parseStates))
    .option('--json', 'print a JSON array of {transactionalId, producerId, state, coordinator}')
    .action(async (o) => {
      const found = await withAdmin(ctx, o.bootstrap, (a) => a.listTransactions({ states: o.state }));
      if (o.json) return void (await ctx.out.json(found.map(listingJson)));
      await ctx.out.table(['TRANSACTIONAL-ID', 'PRODUCER-ID', 'STATE', 'COORDINATOR'],
        found.map((t) => [t.transactionalId, String(t.producerId), t.state, String(t.coordinator)]));
    });
}

function describe(ctx: Context): Command {
  return new Command('describe')
    .description('Show transactions: state, producer id and epoch, timeout, start time and the partitions of the open one')
    .argument('<id...>', 'transactional ids')
    .addOption(bootstrapOption())
    .option('--json', 'print a JSON array of the descriptions')
    .action(async (ids: string[], o) => {
      const found = await withAdmin(ctx, o.bootstrap, (a) => a.describeTransactions(ids));
      if (o.json) return void (await ctx.out.json(found.map(descriptionJson)));
      await ctx.out.table(['TRANSACTIONAL-ID', 'STATE', 'PRODUCER-ID', 'EPOCH', 'TIMEOUT-MS', 'STARTED', 'COORDINATOR', 'PARTITIONS'],
        found.map((d) => [
          d.transactionalId, d.state, String(d.producerId), String(d.producerEpoch), String(d.timeoutMs),
          d.startTimeMs >= 0 ? new Date(d.startTimeMs).toISOString() : '-', String(d.coordinator),
          d.partitions.length > 0 ? d.partitions.map((p) => `${p.topic}-${p.partition}`).join(' ') : '-',
        ]));
    });
}

function abort(ctx: Context): Command {
  return new Command('abort')
    .description('Abort the open transaction of a transactional id, fencing its producer (see below)')
    .argument('<id>', 'transactional id')
    .addOption(bootstrapOption())
    .addOption(new Option('--json', 'print {transactionalId, previousState, producerId, producerEpoch}'))
    .action(async (id: string, o) => {
      const r = await withAdmin(ctx, o.bootstrap, (a) => a.abortTransaction(id));
      if (o.json) return void (await ctx.out.json({ ...r, producerId: Number(r.producerId) }));
      await ctx.out.line(`aborted transaction '${id}' (was ${r.previousState}); producer ${r.producerId} is now at epoch ${r.producerEpoch}, its old producer fenced`);
    });
}

/** Runs `fn` with a transaction admin of the command's bootstrap and security settings, then closes it. */
async function withAdmin<T>(ctx: Context, bootstrap: string[], fn: (a: TransactionAdmin) => Promise<T>): Promise<T> {
  const { createTransactionAdmin } = await import('../src/client/transaction-admin.js');
  const admin = createTransactionAdmin({ bootstrap, clientId: 'mq-cli', ...(ctx.security ? { security: ctx.security } : {}) });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** --state Ongoing,Empty: Kafka's state names, checked. */
function parseStates(raw: string): string[] {
  const states = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of states) {
    const known = STATES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (!known) throw new MqError('INVALID_ARGUMENT', `--state ${s}: not a transaction state`, { hint: `States: ${STATES.join(', ')}.` });
  }
  return states.map((s) => STATES.find((x) => x.toLowerCase() === s.toLowerCase())!);
}

const listingJson = (t: TransactionListing): object => ({ ...t, producerId: Number(t.producerId) });
const descriptionJson = (d: TransactionDescription): object => ({ ...d, producerId: Number(d.producerId) });
