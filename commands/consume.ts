// mq consume TOPIC: records to stdout, one per line (or per --format / --json), one write per fetched
// batch (src/cli/consume-assigned.ts); with -g, as a member of a consumer group that commits
// (src/cli/group-consume.ts). --isolation-level (or -X isolation.level) read_committed, the default,
// shows only committed transactions' records and stops at the oldest open transaction.
import { Command, Option } from 'commander';
import { consumeAssigned } from '../src/cli/consume-assigned.js';
import { resolveConsumerProperties } from '../src/cli/client-properties.js';
import { compileFormat, parseFormat } from '../src/cli/format.js';
import { DELIVERIES, exactlyOnceRefused, exitAtEndCooperativeRefused, groupConsume, parseDelivery, writtenOut } from '../src/cli/group-consume.js';
import { parseOffsetSpec } from '../src/cli/offset-spec.js';
import { recordJson } from '../src/cli/record-json.js';
import { ASSIGNOR_NAMES } from '../src/client/assignors/index.js';
import { MqError } from '../src/util/mq-error.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, int } from './options.js';

const EXAMPLES = `
Offsets (-o): beginning, end (the default: only new records, like Kafka's console consumer),
  N (absolute offset), -N (N records before the end of each partition),
  @TIMESTAMP (first record at or after epoch milliseconds or an ISO-8601 time).
  With -g the group's committed offsets decide; -o beginning means --auto-offset-reset earliest.

Format tokens (-f), as kcat's: %s value (%v too), %k key, %t topic, %p partition, %o offset,
  %T timestamp (ms), %h headers (k=v,k2=v2), %S value size or -1 if null, %K key size or -1 if null,
  %% percent; escapes \\n \\r \\t \\\\.

Groups (-g): members of one group share the partitions (each record goes to one member); every group
  gets every record. --delivery at-least-once (default) commits after a record is written and flushed
  (or --exec CMD exited 0); at-most-once commits before writing. Assignments and rebalances are
  reported on stderr. --exec CMD gets MQ_TOPIC, MQ_PARTITION, MQ_OFFSET and MQ_KEY; a key with a NUL
  byte or over 32768 bytes is left out of MQ_KEY and put in the file named by MQ_KEY_FILE instead
  (said once on stderr). With -e each member exits (0) once the partitions assigned to it are read to
  the end they had when it got them, and committed; a member assigned nothing exits after its first
  assignment. Start several with -e to drain a group from cron or CI (range or roundrobin only).

Transactions: read_committed (the default, as librdkafka's) shows the records of committed
  transactions and of non-transactional producers, and waits at the oldest transaction still open
  (the last stable offset); read_uncommitted shows every record up to the high watermark, aborted
  transactions' too. Transaction markers are never shown. -X isolation.level=... is the same setting.

Examples:
  mq consume t -o beginning -e                 everything so far, then exit
  mq consume t -o -10 -c 10                    the last 10 records (of a one-partition topic)
  mq consume t -o @2024-05-01T00:00:00Z -e     from a point in time
  mq consume t -f '%p:%o %k=%v\\n'              partition, offset, key and value
  mq consume t -o beginning -e --json | jq .value
  mq consume t -g billing --auto-offset-reset earliest
  mq consume t -g mailer --exec 'sendmail -t'  one command per record, committed when it exits 0
  mq consume t -g nightly -e                   drain the group's share of t, commit, exit`;

export default function consume(ctx: Context): Command {
  return new Command('consume')
    .description('Print the records of TOPIC to stdout, one value per line (null value: empty line)')
    .argument('<topic>', 'topic to consume')
    .addOption(bootstrapOption())
    .addOption(new Option('-o, --offset <spec>', 'where to start: beginning|end|N|-N|@TIMESTAMP').default({ kind: 'end' }, 'end').argParser(cli(parseOffsetSpec)))
    .option('-p, --partition <n>', 'consume only partition N (default: all partitions)', int(0))
    .option('-c, --count <n>', 'exit after N records', int(1))
    .option('-e, --exit-at-end', 'exit once every partition is read to its end (with -g: every partition assigned to this member, to its end when assigned)')
    .addOption(new Option('-f, --format <fmt>', 'kcat-style output format (see below)').default('%v\\n', '%v\\n').argParser(cli((s) => (parseFormat(s), s))))
    .addOption(new Option('--json', 'print each record as one line of JSON').conflicts('format'))
    .option('-g, --group <group>', 'consume as a member of consumer group GROUP and commit offsets')
    .addOption(new Option('--delivery <guarantee>', 'with -g: when offsets are committed').choices(DELIVERIES).default('at-least-once').argParser(cli(parseDelivery)))
    .option('--exec <cmd>', 'with -g: run CMD (sh -c) per record with the value on its stdin; commit when it exits 0')
    .option('--batch', 'with --exec: run CMD once per batch, values one per line on its stdin')
    .addOption(new Option('--assignor <name>', 'with -g: partition assignor').choices(ASSIGNOR_NAMES).default('range'))
    .addOption(new Option('--isolation-level <level>', 'read_committed: committed transactions only, up to the oldest open one; read_uncommitted: every record (default: read_committed, or -X isolation.level)').choices(['read_committed', 'read_uncommitted']))
    .addOption(new Option('--auto-offset-reset <where>', 'where to start without a committed offset, or when the offset is out of range').choices(['earliest', 'latest', 'none']))
    .option('--session-timeout-ms <ms>', 'with -g: the member is removed after this long without a heartbeat', int(1), 10000)
    .option('--metadata-max-age-ms <ms>', 'with -g: how often the group leader re-reads the topic (added partitions trigger a rebalance)', int(1), 300000)
    .addHelpText('after', EXAMPLES)
    .action(async (topic: string, o) => {
      const render = o.json ? recordJson : compileFormat(o.format);
      const onNotice = (message: string): void => ctx.out.note(`mq: ${message}`);
      if (o.delivery === 'exactly-once') throw exactlyOnceRefused();
      const isolationLevel = o.isolationLevel ?? (await resolveConsumerProperties({
        commandConfig: o.commandConfig ?? (ctx.env.MQ_COMMAND_CONFIG || undefined), env: ctx.env, properties: o.property,
      })).isolationLevel ?? 'read_committed';
      if (o.group === undefined) {
        if (o.exec !== undefined || o.batch) throw new MqError('INVALID_ARGUMENT', '--exec and --batch need a group (-g GROUP)');
        const consumer = await ctx.consumer({ bootstrap: o.bootstrap, autoOffsetReset: o.autoOffsetReset, isolationLevel, onNotice });
        await consumer.assign([{ topic, partitions: o.partition === undefined ? undefined : [o.partition], start: o.offset }]);
        await consumeAssigned({
          consumer, format: o.json ? null : o.format, signal: ctx.signal, count: o.count, exitAtEnd: o.exitAtEnd === true,
          write: (chunk, written) => ctx.out.writeBytes(chunk, written),
        });
        return;
      }
      if (o.partition !== undefined) throw new MqError('INVALID_ARGUMENT', '-p/--partition cannot be combined with -g (the group assigns partitions)');
      if (o.exitAtEnd && o.assignor === 'cooperative-sticky') throw exitAtEndCooperativeRefused();
      const say = (what: string) => (tps: { topic: string; partition: number }[]): void =>
        ctx.out.note(`mq: group ${o.group}: ${what} ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(' ')}`);
      const consumer = await ctx.groupConsumer({
        bootstrap: o.bootstrap, groupId: o.group, topics: [topic], assignors: groupProtocols(o.assignor),
        sessionTimeoutMs: o.sessionTimeoutMs, metadataMaxAgeMs: o.metadataMaxAgeMs, isolationLevel, onNotice, onAssign: say('assigned'), onRevoke: say('revoked'),
        autoOffsetReset: o.autoOffsetReset ?? (o.offset.kind === 'beginning' ? 'earliest' : 'latest'),
      });
      await groupConsume({
        consumer, delivery: o.delivery, render, signal: ctx.signal, count: o.count, exitAtEnd: o.exitAtEnd,
        write: (text) => ctx.out.write(text), note: (text) => ctx.out.note(`mq: ${text}`),
        flush: async () => { await ctx.out.flush(); await writtenOut(ctx.out.terminal); },
        exec: o.exec === undefined ? undefined : { command: o.exec, batch: o.batch === true },
      });
    });
}

/** The chosen assignor, then kafkajs' round robin so kafkajs consumers can share the group. */
function groupProtocols(assignor: string): string[] {
  return [assignor, 'RoundRobinAssigner'];
}
