// `mq acls`: flags -> ACL bindings (add) and filters (list, remove), and the table rows of list.
// Operation, pattern and permission names are taken case-insensitively and with or without dashes
// ("describe-configs", "DescribeConfigs"); add checks each binding as the broker will (validateBinding),
// so a Write on a group is refused before anything is sent.
import { AclOperation, CLUSTER_RESOURCE, validateBinding, type AclBinding, type AclFilter, type AclOperationName, type PatternTypeName, type ResourceTypeName } from '../security/acl.js';
import { MqError } from '../util/mq-error.js';

export const ACL_HEADERS = ['PRINCIPAL', 'PERMISSION', 'OPERATION', 'HOST', 'RESOURCE', 'NAME', 'PATTERN'];

/** The resource flags every verb takes. */
export interface ResourceFlags {
  topic?: string[];
  group?: string[];
  cluster?: boolean;
  transactionalId?: string[];
  resourcePatternType?: string;
}

export interface AddFlags extends ResourceFlags {
  allow?: string[];
  deny?: string[];
  operation?: string[];
  host?: string[];
}

export interface FilterFlags extends ResourceFlags {
  allow?: string[];
  deny?: string[];
  principal?: string[];
  operation?: string[];
  host?: string[];
}

const squash = (s: string): string => s.replace(/[-_\s]/g, '').toLowerCase();

/** "read", "Read", "describe-configs" -> the operation's name; "any" too when `any`. */
export function parseOperation(raw: string, any = false): AclOperationName | 'Any' {
  const names = Object.keys(AclOperation).filter((n) => any || n !== 'Any') as (AclOperationName | 'Any')[];
  const found = names.find((n) => squash(n) === squash(raw));
  if (!found) throw new MqError('INVALID_ARGUMENT', `unknown operation "${raw}" (one of ${names.join(', ')})`);
  return found;
}

export function parsePatternType(raw: string, forFilter: boolean): PatternTypeName {
  const names: PatternTypeName[] = forFilter ? ['Any', 'Match', 'Literal', 'Prefixed'] : ['Literal', 'Prefixed'];
  const found = names.find((n) => squash(n) === squash(raw));
  if (!found) throw new MqError('INVALID_ARGUMENT', `--resource-pattern-type must be ${names.map((n) => n.toLowerCase()).join(', ')}; not "${raw}"`);
  return found;
}

/** "alice" -> "User:alice"; "User:alice", "User:*" as given. */
export function principalOf(raw: string): string {
  if (raw === '') throw new MqError('INVALID_ARGUMENT', 'an empty principal (use User:NAME, or User:* for everyone)');
  return raw.includes(':') ? raw : `User:${raw}`;
}

function resources(f: ResourceFlags): { type: ResourceTypeName; name: string }[] {
  return [
    ...(f.topic ?? []).map((name) => ({ type: 'Topic' as const, name })),
    ...(f.group ?? []).map((name) => ({ type: 'Group' as const, name })),
    ...(f.cluster ? [{ type: 'Cluster' as const, name: CLUSTER_RESOURCE }] : []),
    ...(f.transactionalId ?? []).map((name) => ({ type: 'TransactionalId' as const, name })),
  ];
}

/** Every binding `add` means: each principal (allowed or denied) x operation x resource x host. */
export function bindingsToAdd(f: AddFlags): AclBinding[] {
  const who = [...(f.allow ?? []).map((p) => ({ principal: principalOf(p), permission: 'Allow' as const })), ...(f.deny ?? []).map((p) => ({ principal: principalOf(p), permission: 'Deny' as const }))];
  if (who.length === 0) throw new MqError('INVALID_ARGUMENT', 'no principal: pass --allow User:NAME or --deny User:NAME (User:* for everyone)');
  const ops = (f.operation ?? []).map((o) => parseOperation(o) as AclOperationName);
  if (ops.length === 0) throw new MqError('INVALID_ARGUMENT', 'no --operation (Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All)');
  const on = resources(f);
  if (on.length === 0) throw new MqError('INVALID_ARGUMENT', 'no resource: pass --topic NAME, --group NAME, --cluster or --transactional-id ID');
  const patternType = parsePatternType(f.resourcePatternType ?? 'literal', false) as AclBinding['patternType'];
  if (patternType === 'Prefixed' && f.cluster) throw new MqError('INVALID_ARGUMENT', '--cluster has one name (kafka-cluster): it cannot be prefixed');
  const hosts = f.host?.length ? f.host : ['*'];
  const out: AclBinding[] = [];
  for (const w of who) {
    for (const operation of ops) {
      for (const r of on) {
        for (const host of hosts) {
          const b: AclBinding = { resourceType: r.type, resourceName: r.name, patternType, principal: w.principal, host, operation, permission: w.permission };
          try {
            validateBinding(b);
          } catch (err) {
            throw new MqError('INVALID_ARGUMENT', (err as Error).message);
          }
          out.push(b);
        }
      }
    }
  }
  return out;
}

/** The filters `list` / `remove` mean: one per resource named (or one for any resource), each with every other flag. */
export function filtersOf(f: FilterFlags): AclFilter[] {
  const patternType = f.resourcePatternType === undefined ? undefined : parsePatternType(f.resourcePatternType, true);
  const on = resources(f);
  const who = [
    ...(f.principal ?? []).map((p) => ({ principal: principalOf(p), permission: 'Any' as const })),
    ...(f.allow ?? []).map((p) => ({ principal: principalOf(p), permission: 'Allow' as const })),
    ...(f.deny ?? []).map((p) => ({ principal: principalOf(p), permission: 'Deny' as const })),
  ];
  const ops = f.operation?.length ? f.operation.map((o) => parseOperation(o, true)) : ['Any' as const];
  const hosts: (string | null)[] = f.host?.length ? f.host : [null];
  const filters: AclFilter[] = [];
  for (const r of on.length ? on : [null]) {
    for (const w of who.length ? who : [null]) {
      for (const operation of ops) {
        for (const host of hosts) {
          filters.push({
            resourceType: r?.type ?? 'Any', resourceName: r?.name ?? null,
            // A named resource without a pattern type: its literal and prefixed bindings alike.
            patternType: patternType ?? 'Any',
            principal: w?.principal ?? null, permission: w?.permission ?? 'Any', operation, host,
          });
        }
      }
    }
  }
  return filters;
}

/** Whether the flags select nothing narrower than "every ACL". */
export function selectsEverything(f: FilterFlags): boolean {
  return resources(f).length === 0 && !f.principal?.length && !f.allow?.length && !f.deny?.length && !f.operation?.length && !f.host?.length;
}

export function aclRows(bindings: AclBinding[]): string[][] {
  return bindings.map((b) => [b.principal, b.permission, b.operation, b.host, b.resourceType, b.resourceName, b.patternType]);
}

/** Bindings without repeats (several filters may select one binding), in their first order. */
export function uniqueBindings(lists: AclBinding[][]): AclBinding[] {
  const seen = new Set<string>();
  return lists.flat().filter((b) => {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permission]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
