// mq acls <verb>: add, list and remove ACL bindings through a broker (CreateAcls, DescribeAcls,
// DeleteAcls); brokers enforce them when authorizer.enabled=true. Flag parsing lives in src/cli/acl-rows.ts.
import { Command, Option } from 'commander';
import { ACL_HEADERS, aclRows, bindingsToAdd, filtersOf, selectsEverything, uniqueBindings, type FilterFlags } from '../src/cli/acl-rows.js';
import { describeBinding } from '../src/client/acl-admin.js';
import { MqError } from '../src/util/mq-error.js';
import type { Context } from './context.js';
import { bootstrapOption } from './options.js';

const repeat = (raw: string, previous: string[] | undefined): string[] => [...(previous ?? []), raw];

/** The resource flags of every verb; `filter` widens the pattern types to any and match. */
/** list's and remove's principal filters. */
function withPrincipalFilters(cmd: Command): Command {
  return cmd
    .option('--principal <principal>', 'only this principal\'s bindings (repeatable)', repeat)
    .option('--allow <principal>', 'only this principal\'s allow bindings (repeatable)', repeat)
    .option('--deny <principal>', 'only this principal\'s deny bindings (repeatable)', repeat);
}

function withResources(c: Command, filter: boolean): Command {
  return c
    .addOption(bootstrapOption())
    .option('--topic <name>', 'a topic (repeatable)', repeat)
    .option('--group <name>', 'a consumer group (repeatable)', repeat)
    .option('--cluster', 'the cluster (CreateTopics, ACL and user changes, follower fetches)')
    .option('--transactional-id <id>', 'a transactional id (repeatable)', repeat)
    .addOption(new Option('--resource-pattern-type <type>', filter
      ? 'literal, prefixed, any (default), or match (every binding that applies to the named resource)'
      : 'literal (the exact name, or * for all; default) or prefixed (every name starting with it)'))
    .option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (repeatable)', repeat)
    .option('--host <address>', filter ? 'only bindings for this client address (repeatable)' : 'client address the binding applies to (repeatable; default * for any)', repeat);
}

export default function acls(ctx: Context): Command {
  const add = withResources(new Command('add')
    .description('Add ACL bindings: each principal x operation x resource x host')
    .option('--allow <principal>', 'allow this principal (User:NAME, or User:* for everyone; repeatable)', repeat)
    .option('--deny <principal>', 'deny this principal (a deny wins over any allow; repeatable)', repeat), false)
    .addHelpText('after', '\nExample:\n  mq acls add --allow User:alice --operation Read --topic orders --group billing')
    .action(async (o) => {
      const bindings = bindingsToAdd(o);
      await (await ctx.admin(o.bootstrap)).createAcls(bindings);
      for (const b of bindings) await ctx.out.line(`added: ${describeBinding(b)}`);
    });

  const list = withResources(withPrincipalFilters(new Command('list')
    .description('List ACL bindings (all, or those the flags select)'))
    .option('--json', 'print a JSON array of {resourceType, resourceName, patternType, principal, host, operation, permission}'), true)
    .action(async (o) => {
      const admin = await ctx.admin(o.bootstrap);
      const found = uniqueBindings(await Promise.all(filtersOf(o as FilterFlags).map((f) => admin.describeAcls(f))));
      await (o.json ? ctx.out.json(found) : ctx.out.table(ACL_HEADERS, aclRows(found)));
    });

  const remove = withResources(withPrincipalFilters(new Command('remove')
    .description('Remove the ACL bindings the flags select, and print them'))
    .option('--all', 'remove every binding (required when no other flag narrows the selection)'), true)
    .action(async (o) => {
      if (selectsEverything(o as FilterFlags) && !o.all) {
        throw new MqError('INVALID_ARGUMENT', 'nothing selects which ACLs to remove', { hint: 'Name a resource, principal, operation or host; or pass --all to remove every ACL.' });
      }
      const admin = await ctx.admin(o.bootstrap);
      const removed = uniqueBindings(await Promise.all(filtersOf(o as FilterFlags).map((f) => admin.deleteAcls(f))));
      if (removed.length === 0) await ctx.out.line('no ACL bindings matched; nothing removed');
      for (const b of removed) await ctx.out.line(`removed: ${describeBinding(b)}`);
    });

  return new Command('acls')
    .description('Add, list and remove ACLs (who may do what on which topic, group or cluster)')
    .alias('acl')
    .addCommand(add)
    .addCommand(list)
    .addCommand(remove);
}
