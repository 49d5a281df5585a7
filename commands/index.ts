// The mq command line: builds the commander tree and runs it. This is the one place that turns errors
// into what the user sees and into exit codes:
//   0  success, --help, --version, Ctrl-C, or stdout's reader went away (`| head`)
//   1  runtime error: `mq: error: <message>` and `hint: <hint>` on stderr (stack only with --debug or MQ_DEBUG=1)
//   2  usage error: unknown command or flag, bad flag value, missing argument
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { MqError } from '../src/util/mq-error.js';
import bench from './bench.js';
import broker from './broker.js';
import brokers from './brokers.js';
import cluster from './cluster.js';
import completion from './completion.js';
import consume from './consume.js';
import { Context, type Deps } from './context.js';
import { addSecurityOptions, takesBootstrap } from './options.js';
import { Output } from './output.js';
import { resolveClientSecurity } from '../src/cli/client-properties.js';
import produce from './produce.js';
import top from './top.js';
import topics from './topics/index.js';
import groups from './groups/index.js';
import rebalance from './rebalance.js';
import reassign from './reassign.js';
import users from './users.js';
import quotas from './quotas.js';
import acls from './acls.js';
import transactions from './transactions.js';

export interface Io {
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  stdin?: Readable;
  /** Defaults to process.env (MQ_DEBUG, and MQ_* settings passed to the broker config). */
  env?: NodeJS.ProcessEnv;
  /** Replaces SIGINT/SIGTERM handling: aborting it is the user's Ctrl-C. */
  signal?: AbortSignal;
  /** Fakes for the client and broker factories (tests). */
  deps?: Partial<Deps>;
}

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The full command tree; actions run against `ctx`. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('mq')
    .description('A message broker and event-streaming log that speaks the Kafka protocol')
    .version(version, '-V, --version', 'print the mq version')
    .option('--debug', 'log what the client retries or drops (failed auto-commits, refreshes) and stack traces to stderr (env: MQ_DEBUG=1)')
    .hook('preAction', (root) => { if ((root.opts() as { debug?: boolean }).debug) ctx.enableDebug(); })
    .addCommand(broker(ctx))
    .addCommand(cluster(ctx))
    .addCommand(brokers(ctx))
    .addCommand(produce(ctx))
    .addCommand(consume(ctx))
    .addCommand(topics(ctx))
    .addCommand(groups(ctx))
    .addCommand(transactions(ctx))
    .addCommand(rebalance(ctx))
    .addCommand(reassign(ctx))
    .addCommand(users(ctx))
    .addCommand(quotas(ctx))
    .addCommand(acls(ctx))
    .addCommand(bench(ctx))
    .addCommand(top(ctx))
    .addCommand(completion(ctx))
    .addHelpText('after', `
Every command that talks to brokers takes -b, --bootstrap HOST:PORT[,HOST:PORT] (env MQ_BOOTSTRAP,
default 127.0.0.1:9092), and reaches a secured broker with -X key=value (repeatable) or
--command-config FILE (Java properties; env MQ_COMMAND_CONFIG), using librdkafka's names:
  security.protocol (plaintext, ssl, sasl_plaintext, sasl_ssl), sasl.mechanism (PLAIN, SCRAM-SHA-256,
  SCRAM-SHA-512), sasl.username, sasl.password, sasl.jaas.config, ssl.ca.location,
  ssl.certificate.location, ssl.key.location, ssl.key.password, enable.ssl.certificate.verification,
  ssl.endpoint.identification.algorithm (https or none)
each also as MQ_ + the name upper-cased with dots as underscores (MQ_SASL_PASSWORD). A later source
wins: file < environment < -X. -X sasl.password=... is visible to other users in ps: keep the password
in the file or MQ_SASL_PASSWORD. --debug (or MQ_DEBUG=1) logs what the client retries or drops, such as an
auto-commit that failed on a rebalance, and prints stack traces; for a broker's own log use
mq broker start --log-level debug. See man mq for more.

Examples:
  mq broker start
  mq topics create orders -p 3
  seq 1 1000 | mq produce orders
  mq consume orders -o beginning -e`);
  // Every command that talks to brokers can reach a secured one; settings are resolved before its action.
  for (const cmd of allCommands(program)) if (takesBootstrap(cmd)) addSecurityOptions(cmd);
  program.hook('preAction', async (_root, action) => {
    if (!takesBootstrap(action)) return;
    const o = action.opts() as { property?: string[]; commandConfig?: string };
    ctx.security = await resolveClientSecurity({ commandConfig: o.commandConfig ?? (ctx.env.MQ_COMMAND_CONFIG || undefined), env: ctx.env, properties: o.property });
  });
  return program;
}

/** Every command of the tree, depth first, root included. */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c as Command))];
}

/** "mq topics alter" */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Runs the mq command line; resolves to the exit code (never calls process.exit). */
export async function main(argv: string[], io: Io = {}): Promise<number> {
  const errStream = io.err ?? process.stderr;
  const env = io.env ?? process.env;
  const out = new Output(io.out ?? process.stdout, errStream);
  const interrupt = new AbortController();
  const detach = io.signal ? follow(io.signal, interrupt) : onProcessSignals(interrupt);
  const run = new AbortController();
  const stop = (): void => run.abort(interrupt.signal.reason ?? out.closed.reason);
  interrupt.signal.addEventListener('abort', stop, { once: true });
  out.closed.addEventListener('abort', stop, { once: true });
  const ctx = new Context(out, () => io.stdin ?? process.stdin, run.signal, env, io.deps);
  const program = buildProgram(ctx);
  // commander only passes settings to subcommands made with .command(), so configure each one.
  let failed: Command = program;
  for (const cmd of allCommands(program)) {
    cmd
      .exitOverride((err) => { failed = cmd; throw err; })
      .configureOutput({ writeOut: (s) => { void out.write(s); }, writeErr: (s) => errStream.write(s), outputError: () => undefined });
  }
  let code = EXIT_OK;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const quiet = out.closed.aborted || (interrupt.signal.aborted && isAbort(err, interrupt.signal));
    code = quiet ? EXIT_OK : report(err, failed, errStream, ctx.debug || env.MQ_DEBUG === '1');
  } finally {
    await ctx.close();
    await out.flush().catch(() => undefined);
    out.dispose();
    detach();
  }
  return code;
}

function report(err: unknown, cmd: Command, stderr: NodeJS.WritableStream, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    if (err.code === 'commander.help') return EXIT_USAGE; // help for a bare group was printed on stderr
    stderr.write(`mq: error: ${err.message.replace(/^error: /, '')} (see '${commandPath(cmd)} --help')\n`);
    return EXIT_USAGE;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  stderr.write(`mq: error: ${describe(error)}\n`);
  const hint = error instanceof MqError ? error.hint ?? HINTS[error.code] : undefined;
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (debug) stderr.write(`${stackWithCauses(error)}\n`);
  return error instanceof MqError && error.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_ERROR;
}

// Hints for errors that arrive without one.
const HINTS: Record<string, string> = {
  NETWORK_EXCEPTION: 'Is a broker running there? Start one with `mq broker start`, or point -b / MQ_BOOTSTRAP at one.',
  REQUEST_TIMED_OUT: 'The broker did not answer in time; check that -b / MQ_BOOTSTRAP points at a running broker.',
  UNKNOWN_TOPIC_OR_PARTITION: 'See the topics with `mq topics list`; create one with `mq topics create NAME`.',
  TOPIC_ALREADY_EXISTS: 'Inspect it with `mq topics describe NAME`, or choose another name.',
  LEADER_NOT_AVAILABLE: 'The partition is electing a leader; try again in a moment.',
  NOT_LEADER_OR_FOLLOWER: 'Leadership moved; try again in a moment.',
  MESSAGE_TOO_LARGE: 'Send smaller records, or create the topic with a larger max.message.bytes (mq topics create NAME --config max.message.bytes=N).',
  INVALID_TOPIC_EXCEPTION: 'Topic names use letters, digits, ".", "_" and "-" (at most 249), and are not "." or "..".',
};

function describe(error: Error): string {
  const errno = error as NodeJS.ErrnoException;
  if (errno.code === 'ENOENT' && errno.path) return `no such file: ${errno.path}`;
  if (errno.code === 'EACCES' && errno.path) return `permission denied: ${errno.path}`;
  return error.message;
}

function stackWithCauses(error: Error): string {
  let text = error.stack ?? String(error);
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 5; cause = (cause as Error).cause, depth++) {
    text += `\ncaused by: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`;
  }
  return text;
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return err === signal.reason || (err instanceof Error && (err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR'));
}

function follow(outer: AbortSignal, inner: AbortController): () => void {
  const onAbort = (): void => inner.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return () => outer.removeEventListener('abort', onAbort);
}

// The first SIGINT/SIGTERM asks the command to finish; a second one gets Node's default (exit).
function onProcessSignals(inner: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals): void => inner.abort(new MqError('INTERRUPTED', `interrupted by ${signal}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => { process.removeListener('SIGINT', onSignal); process.removeListener('SIGTERM', onSignal); };
}
