// mq users <verb>: create, list, delete SCRAM users — through a broker (-b: DescribeUserScramCredentials /
// AlterUserScramCredentials), or straight on the metadata store (--data DIR of a stopped embedded broker,
// --etcd URL of a cluster) to create the first user before any broker trusts anyone.
import { Command, Option } from 'commander';
import { deleteCredentials, readPassword, userRows, USER_HEADERS } from '../src/cli/user-rows.js';
import type { UserAdmin } from '../src/client/types.js';
import { MIN_ITERATIONS, MAX_ITERATIONS, SCRAM_MECHANISMS, type ScramMechanism } from '../src/security/scram.js';
import type { Context } from './context.js';
import { bootstrapOption, int } from './options.js';
import { etcdTargetOf, withEtcdSecurity, type EtcdOptionValues } from './etcd-options.js';

const TARGETS = `
Where users are kept: -b asks a broker (default 127.0.0.1:9092); --data DIR edits a stopped embedded
broker's data directory; --etcd URL edits a cluster's etcd. Brokers keep only a salted hash (SCRAM
StoredKey and ServerKey), never the password; with -b the password is salted and hashed here, so it
never crosses the network either.`;

/** -b, --data, --etcd (with its credentials) on every verb. */
function withTarget(c: Command): Command {
  c
    .addOption(bootstrapOption())
    .option('--data <dir>', 'edit the users of a stopped embedded broker\'s data directory')
    .option('--etcd <url,...>', 'edit the users of a cluster in its etcd (comma-separated endpoints)')
    .addHelpText('after', TARGETS);
  return withEtcdSecurity(c);
}

async function target(ctx: Context, o: EtcdOptionValues & { bootstrap: string[]; data?: string }): Promise<UserAdmin> {
  if (o.data === undefined && o.etcd === undefined) return ctx.admin(o.bootstrap);
  const { openUserStore } = await import('../src/cli/user-store.js');
  return ctx.track(await openUserStore({ data: o.data, etcd: await etcdTargetOf(o, ctx.env) }));
}

const mechanismOption = (what: string): Option => new Option('--mechanism <name>', what).choices(SCRAM_MECHANISMS);

export default function users(ctx: Context): Command {
  const create = withTarget(new Command('create')
    .description('Create a user, or replace its password (SCRAM credential)')
    .argument('<name>', 'user name (the principal is User:NAME)')
    .requiredOption('--password-stdin', 'read the password from the first line of standard input')
    .addOption(mechanismOption('SCRAM mechanism').default('SCRAM-SHA-512'))
    .option('--iterations <n>', `PBKDF2 iterations (${MIN_ITERATIONS}-${MAX_ITERATIONS})`, int(MIN_ITERATIONS, MAX_ITERATIONS), MIN_ITERATIONS))
    .action(async (name: string, o) => {
      const password = await readPassword(ctx.stdin);
      await (await target(ctx, o)).upsertUser(name, password, { mechanism: o.mechanism as ScramMechanism, iterations: o.iterations as number });
      await ctx.out.line(`user ${name}: ${o.mechanism} credential set (${o.iterations} iterations)`);
    });

  const list = withTarget(new Command('list')
    .description('List users and the SCRAM mechanisms they have credentials for')
    .option('--json', 'print a JSON array of {user, credentials: [{mechanism, iterations}]}'))
    .action(async (o) => {
      const all = await (await target(ctx, o)).describeUsers();
      await (o.json ? ctx.out.json(all) : ctx.out.table(USER_HEADERS, userRows(all)));
    });

  const remove = withTarget(new Command('delete')
    .description('Delete a user\'s credentials (every mechanism unless --mechanism names one)')
    .argument('<name>', 'user name')
    .addOption(mechanismOption('delete only this mechanism\'s credential')))
    .action(async (name: string, o) => {
      const deleted = await deleteCredentials(await target(ctx, o), name, o.mechanism as ScramMechanism | undefined);
      await ctx.out.line(`user ${name}: deleted ${deleted.join(', ')}`);
    });

  return new Command('users')
    .description('Create, list and delete SCRAM users (SASL authentication)')
    .alias('user')
    .addCommand(create)
    .addCommand(list)
    .addCommand(remove);
}
