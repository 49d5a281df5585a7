// mq produce TOPIC: one record per line of stdin (or --file).
import { createReadStream } from 'node:fs';
import { Command, Option } from 'commander';
import { readLineChunks, readOwnStdin } from '../src/cli/line-reader.js';
import { resolveProducerProperties } from '../src/cli/client-properties.js';
import { LineProducer, unacknowledgedError } from '../src/cli/line-producer.js';
import { parseAcks, parseCompression, parseKeyValue } from '../src/cli/parsers.js';
import { formatProduceSummary } from '../src/cli/produce-summary.js';
import { MqError } from '../src/util/mq-error.js';
import type { Context } from './context.js';
import { bootstrapOption, cli, collect, int } from './options.js';

// --file is read in chunks this large; the producer's buffer bounds how far ahead of the acks.
const FILE_CHUNK_BYTES = 1024 * 1024;

const EXAMPLES = `
Examples:
  seq 1 200000 | mq produce t                 one record per line
  mq produce t -k : <<< 'user42:{"n":1}'      key "user42", value {"n":1}
  mq produce t -f events.txt -H source=batch  every record gets the header source=batch
  mq produce t --acks 1 --linger-ms 20        trade durability for throughput (no idempotence)
  mq produce t -X enable.idempotence=false    plain batches: no producer id, a retry may write twice

Idempotent by default (Kafka's enable.idempotence): every batch carries a producer id and sequence
numbers, so a batch retried after a lost answer or a failover is written once. It needs --acks all:
with --acks 0 or 1 it is off, unless -X enable.idempotence=true asks for both (an error).

With --transactional-id ID the lines are written in a transaction committed at the end of the input
(or one per --transaction-lines N lines): read_committed consumers see none of them before the
commit. Interrupted (Ctrl-C, SIGTERM) or failing, the open transaction is aborted; a producer killed
outright leaves it open until the next mq produce with the same id (which aborts it) or its timeout.
  mq produce t --transactional-id loader < day.txt          all of day.txt, or none of it
  mq produce t --transactional-id loader --transaction-lines 1000 < day.txt`;

export default function produce(ctx: Context): Command {
  return new Command('produce')
    .description('Produce one record per line of stdin (or --file) to TOPIC; a summary goes to stderr')
    .argument('<topic>', 'topic to produce to')
    .addOption(bootstrapOption())
    .option('-f, --file <file>', 'read lines from FILE instead of stdin')
    .option('-k, --key-separator <sep>', 'split each line at the first SEP into key and value (no SEP: null key)')
    .option('-H, --header <key=value>', 'add a header to every record (repeatable)', collect((s) => parseKeyValue(s, 'header')))
    .option('-p, --partition <n>', 'produce to partition N (default: by key hash, sticky when keyless)', int(0))
    .addOption(new Option('--acks <acks>', 'acknowledgements to wait for: 0, 1 or all').default(-1, 'all').argParser(cli(parseAcks)))
    .option('--linger-ms <ms>', 'wait up to MS for a batch to fill', int(0), 5)
    .option('--batch-size <bytes>', 'maximum bytes per partition batch', int(1), 1024 * 1024)
    .option('--buffer-memory <bytes>', 'bytes of records buffered unacknowledged before stdin is no longer read (buffer.memory)', int(1), 32 * 1024 * 1024)
    .addOption(new Option('--compression <codec>', 'none or gzip').default('none', 'none').argParser(cli(parseCompression)))
    .option('--transactional-id <id>', 'write in transactions with this transactional id (implies idempotence): all of the input in one, committed at its end')
    .option('--transaction-lines <n>', 'with --transactional-id: commit a transaction every N lines', int(1))
    .option('--metadata-max-age-ms <ms>', 're-read the topic\'s metadata this often (partitions added meanwhile get records)', int(1), 300000)
    .addHelpText('after', EXAMPLES)
    .action(async (topic: string, o) => {
      if (o.transactionLines !== undefined && o.transactionalId === undefined) {
        throw new MqError('INVALID_ARGUMENT', '--transaction-lines needs --transactional-id', { hint: 'Add --transactional-id ID (the id the transactions are written under).' });
      }
      const props = await resolveProducerProperties({ commandConfig: o.commandConfig ?? (ctx.env.MQ_COMMAND_CONFIG || undefined), env: ctx.env, properties: o.property });
      const producer = await ctx.producer({ bootstrap: o.bootstrap, acks: o.acks, lingerMs: o.lingerMs, batchSize: o.batchSize, bufferMemory: o.bufferMemory, compression: o.compression, metadataMaxAgeMs: o.metadataMaxAgeMs, transactionalId: o.transactionalId, ...props });
      const headers = ((o.header ?? []) as [string, string][]).map(([key, value]) => ({ key, value: Buffer.from(value) }));
      const transactional = o.transactionalId === undefined ? undefined : { lines: (o.transactionLines as number | undefined) ?? null };
      const job = new LineProducer(producer, { topic, partition: o.partition, keySeparator: o.keySeparator, headers, transactional });
      const progress = ctx.out.progress(() => job.stats.acknowledged);
      const input = o.file ? createReadStream(o.file, { highWaterMark: FILE_CHUNK_BYTES }) : ctx.stdin;
      // The process's own stdin (fd 0, a pipe or a file) is read into one reused buffer instead.
      const chunks = (o.file ? null : readOwnStdin(input, ctx.signal)) ?? input;
      // destroy(): after Ctrl-C or a fatal error, an open stdin must not keep the process alive.
      const result = await job.run(readLineChunks(chunks), ctx.signal).finally(() => { progress?.stop(); input.destroy(); });
      ctx.out.note(formatProduceSummary(result));
      if (result.transactionError !== null) {
        throw new MqError('TRANSACTION_FAILED', `transactional id '${String(o.transactionalId)}': the transaction was not committed (${result.committedTransactions} committed before it): ${result.transactionError.message}`, {
          cause: result.transactionError, hint: result.transactionError instanceof MqError ? result.transactionError.hint : undefined,
        });
      }
      if (result.transactionAborted) {
        throw new MqError('TRANSACTION_ABORTED', `transactional id '${String(o.transactionalId)}': stopped before the end of the input, so the open transaction was aborted (${result.committedTransactions} committed before it)`, {
          cause: unacknowledgedError(result) ?? undefined,
        });
      }
      const failure = unacknowledgedError(result);
      if (failure) throw failure;
    });
}
