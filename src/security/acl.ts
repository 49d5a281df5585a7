// Kafka's ACL model and the decision it implies, without storage or wire: what CreateAcls (30),
// DescribeAcls (29) and DeleteAcls (31) carry, how a filter selects bindings, and how an operation by a
// principal from a host on a resource is allowed or denied.
//
// A binding: (resource type, name, pattern literal|prefixed) × (principal, host, operation, allow|deny).
// A request is decided as Kafka's authorizer decides it:
//   1. a super user is allowed everything;
//   2. the bindings that apply to the resource are the literal ones naming it, the literal wildcard "*",
//      and the prefixed ones whose name is a prefix of it; with none, allow.everyone.if.no.acl.found decides;
//   3. a matching DENY (principal or User:*, host or *, the operation or All) denies;
//   4. a matching ALLOW allows, where Describe is also allowed by Read, Write, Delete or Alter, and
//      DescribeConfigs by AlterConfigs (implication never runs the other way, and never for deny);
//   5. otherwise denied.
// The numeric codes are the wire's (Kafka's AclOperation, ResourceType, PatternType, AclPermissionType).
import { MqError } from '../util/mq-error.js';

export const ResourceType = { Any: 1, Topic: 2, Group: 3, Cluster: 4, TransactionalId: 5, DelegationToken: 6, User: 7 } as const;
export type ResourceTypeName = Exclude<keyof typeof ResourceType, 'Any'>;

export const PatternType = { Any: 1, Match: 2, Literal: 3, Prefixed: 4 } as const;
export type PatternTypeName = keyof typeof PatternType;

export const AclOperation = {
  Any: 1, All: 2, Read: 3, Write: 4, Create: 5, Delete: 6, Alter: 7, Describe: 8, ClusterAction: 9,
  DescribeConfigs: 10, AlterConfigs: 11, IdempotentWrite: 12, CreateTokens: 13, DescribeTokens: 14,
} as const;
export type AclOperationName = Exclude<keyof typeof AclOperation, 'Any'>;

export const AclPermission = { Any: 1, Deny: 2, Allow: 3 } as const;
export type AclPermissionName = Exclude<keyof typeof AclPermission, 'Any'>;

/** The one name a Cluster resource has. */
export const CLUSTER_RESOURCE = 'kafka-cluster';
export const WILDCARD = '*';

export interface AclBinding {
  resourceType: ResourceTypeName;
  resourceName: string;
  patternType: 'Literal' | 'Prefixed';
  /** "User:alice", or "User:*" for everyone. */
  principal: string;
  /** An address, or "*" for any. */
  host: string;
  operation: AclOperationName;
  permission: AclPermissionName;
}

/** DescribeAcls / DeleteAcls: undefined (or Any) matches everything; patternType Match also selects the wildcard and prefixed bindings that apply to resourceName. */
export interface AclFilter {
  resourceType?: ResourceTypeName | 'Any';
  resourceName?: string | null;
  patternType?: PatternTypeName;
  principal?: string | null;
  host?: string | null;
  operation?: AclOperationName | 'Any';
  permission?: AclPermissionName | 'Any';
}

/** The operations each resource type has (Kafka refuses a binding for any other). */
const OPERATIONS_BY_TYPE: Record<ResourceTypeName, readonly AclOperationName[]> = {
  Topic: ['All', 'Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'DescribeConfigs', 'AlterConfigs'],
  Group: ['All', 'Read', 'Describe', 'Delete'],
  Cluster: ['All', 'Create', 'ClusterAction', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite', 'Alter', 'Describe'],
  TransactionalId: ['All', 'Describe', 'Write'],
  DelegationToken: ['All', 'Describe'],
  User: ['All', 'CreateTokens', 'DescribeTokens'],
};

/** Operations an ALLOW of the key also allows. */
const IMPLIED_BY: Partial<Record<AclOperationName, readonly AclOperationName[]>> = {
  Describe: ['Read', 'Write', 'Delete', 'Alter'],
  DescribeConfigs: ['AlterConfigs'],
};

export function nameOf<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  return (Object.keys(table) as (keyof T)[]).find((k) => table[k] === code);
}

/** Checks a binding a client asked to create; throws INVALID_REQUEST naming what is wrong. */
export function validateBinding(b: AclBinding): void {
  const bad = (why: string): never => { throw new MqError('INVALID_REQUEST', `invalid ACL: ${why}`); };
  if (!(b.resourceType in OPERATIONS_BY_TYPE)) bad(`unknown resource type ${String(b.resourceType)}`);
  if (b.resourceName === '') bad('empty resource name');
  if (b.resourceType === 'Cluster' && b.resourceName !== CLUSTER_RESOURCE) bad(`a Cluster resource is named "${CLUSTER_RESOURCE}", not "${b.resourceName}"`);
  if (b.patternType !== 'Literal' && b.patternType !== 'Prefixed') bad(`pattern type must be Literal or Prefixed, not ${String(b.patternType)}`);
  if (b.patternType === 'Prefixed' && b.resourceName === WILDCARD) bad('"*" is a literal wildcard; a prefixed "*" would match only names starting with "*"');
  if (!/^[A-Za-z]+:.+$/.test(b.principal)) bad(`principal "${b.principal}" is not of the form User:NAME`);
  if (b.host === '') bad('empty host (use "*" for any host)');
  if (!OPERATIONS_BY_TYPE[b.resourceType].includes(b.operation)) {
    bad(`operation ${b.operation} does not apply to a ${b.resourceType} (it has ${OPERATIONS_BY_TYPE[b.resourceType].join(', ')})`);
  }
  if (b.permission !== 'Allow' && b.permission !== 'Deny') bad(`permission must be Allow or Deny, not ${String(b.permission)}`);
}

/** Whether a binding of (type, name, pattern) applies to the resource (type, name). */
function appliesTo(b: AclBinding, resourceType: ResourceTypeName, name: string): boolean {
  if (b.resourceType !== resourceType) return false;
  if (b.patternType === 'Literal') return b.resourceName === name || b.resourceName === WILDCARD;
  return name.startsWith(b.resourceName);
}

/** DescribeAcls / DeleteAcls selection. */
export function matchesFilter(b: AclBinding, f: AclFilter): boolean {
  if (f.resourceType !== undefined && f.resourceType !== 'Any' && f.resourceType !== b.resourceType) return false;
  const pattern = f.patternType ?? 'Any';
  const name = f.resourceName ?? null;
  if (pattern === 'Match') {
    if (name !== null && !appliesTo(b, b.resourceType, name)) return false;
  } else {
    if (pattern !== 'Any' && pattern !== b.patternType) return false;
    if (name !== null && name !== b.resourceName) return false;
  }
  if (f.principal != null && f.principal !== b.principal) return false;
  if (f.host != null && f.host !== b.host) return false;
  if (f.operation !== undefined && f.operation !== 'Any' && f.operation !== b.operation) return false;
  if (f.permission !== undefined && f.permission !== 'Any' && f.permission !== b.permission) return false;
  return true;
}

export interface AuthorizerOptions {
  /** Principals allowed everything ("User:admin"). */
  superUsers: readonly string[];
  /** What happens on a resource no binding applies to (Kafka's default with an authorizer: false). */
  allowEveryoneIfNoAclFound: boolean;
}

/** Who is asking: the authenticated principal ("User:ANONYMOUS" on a PLAINTEXT listener) and the client's address. */
export interface RequestContext {
  principal: string;
  host: string;
}

/** Decides operations against a set of bindings (replace it whole with setBindings when the store changes). */
export class AclAuthorizer {
  private bindings: readonly AclBinding[] = [];
  private readonly superUsers: Set<string>;

  constructor(private readonly opts: AuthorizerOptions) {
    this.superUsers = new Set(opts.superUsers);
  }

  setBindings(bindings: readonly AclBinding[]): void {
    this.bindings = bindings;
  }

  authorize(ctx: RequestContext, operation: AclOperationName, resourceType: ResourceTypeName, resourceName: string): boolean {
    if (this.superUsers.has(ctx.principal)) return true;
    const applying = this.bindings.filter((b) => appliesTo(b, resourceType, resourceName));
    if (applying.length === 0) return this.opts.allowEveryoneIfNoAclFound;
    const who = (b: AclBinding): boolean => (b.principal === ctx.principal || b.principal === 'User:*') && (b.host === WILDCARD || b.host === ctx.host);
    if (applying.some((b) => b.permission === 'Deny' && who(b) && (b.operation === operation || b.operation === 'All'))) return false;
    const allowedBy = new Set<AclOperationName>([operation, 'All', ...(IMPLIED_BY[operation] ?? [])]);
    return applying.some((b) => b.permission === 'Allow' && who(b) && allowedBy.has(b.operation));
  }
}
