// ACLs through the brokers: CreateAcls (30) adds bindings, DescribeAcls (29) lists what a filter selects,
// DeleteAcls (31) removes what each filter selects and says what it removed. Bindings and filters use the
// names of src/security/acl.ts (Topic, Read, Allow, Prefixed, ...); this file turns them into Kafka's
// numeric codes and back. A binding the broker refuses (INVALID_REQUEST with why) becomes an MqError.
import { ApiKey } from '../protocol/api.js';
import { errorFromCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../protocol/messages/create-acls.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../protocol/messages/delete-acls.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../protocol/messages/describe-acls.js';
import { AclOperation, AclPermission, nameOf, PatternType, ResourceType, type AclBinding, type AclFilter } from '../security/acl.js';
import type { Cluster } from './cluster.js';

/** Adds `bindings` (one already present is kept once). */
export async function createAcls(cluster: Cluster, bindings: AclBinding[], timeoutMs: number): Promise<void> {
  const body: CreateAclsRequest = {
    creations: bindings.map((b) => ({
      resourceType: ResourceType[b.resourceType], resourceName: b.resourceName, resourcePatternType: PatternType[b.patternType],
      principal: b.principal, host: b.host, operation: AclOperation[b.operation], permissionType: AclPermission[b.permission],
    })),
  };
  const res = await cluster.retry(() => cluster.requestAny<CreateAclsResponse>(ApiKey.CreateAcls, body, { timeoutMs }));
  const i = res.results.findIndex((r) => r.errorCode !== 0);
  if (i >= 0) throw errorFromCode(res.results[i].errorCode, res.results[i].errorMessage ?? `ACL ${describeBinding(bindings[i])}`);
}

/** The bindings `filter` selects, sorted (resource type, name, principal, operation). */
export async function describeAcls(cluster: Cluster, filter: AclFilter, timeoutMs: number): Promise<AclBinding[]> {
  const res = await cluster.retry(() => cluster.requestAny<DescribeAclsResponse>(ApiKey.DescribeAcls, wireFilter(filter), { timeoutMs }));
  if (res.errorCode !== 0) throw errorFromCode(res.errorCode, res.errorMessage ?? 'DescribeAcls');
  return sortBindings(res.resources.flatMap((r) => r.acls.map((a) => bindingOf({
    resourceType: r.type, resourceName: r.name, patternType: r.patternType, principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType,
  }))));
}

/** Removes what `filter` selects; returns the bindings removed, sorted. */
export async function deleteAcls(cluster: Cluster, filter: AclFilter, timeoutMs: number): Promise<AclBinding[]> {
  const body: DeleteAclsRequest = { filters: [wireFilter(filter)] };
  const res = await cluster.retry(() => cluster.requestAny<DeleteAclsResponse>(ApiKey.DeleteAcls, body, { timeoutMs }));
  const r = res.filterResults[0];
  if (r === undefined) throw errorFromCode(-1, 'DeleteAcls answered no result');
  if (r.errorCode !== 0) throw errorFromCode(r.errorCode, r.errorMessage ?? 'DeleteAcls');
  return sortBindings(r.matchingAcls.map(bindingOf));
}

/** "Allow User:alice Read on Topic orders (literal) from *". */
export function describeBinding(b: AclBinding): string {
  return `${b.permission} ${b.principal} ${b.operation} on ${b.resourceType} ${b.resourceName} (${b.patternType.toLowerCase()}) from ${b.host}`;
}

function wireFilter(f: AclFilter): DescribeAclsRequest {
  return {
    resourceTypeFilter: ResourceType[f.resourceType ?? 'Any'],
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: PatternType[f.patternType ?? 'Any'],
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: AclOperation[f.operation ?? 'Any'],
    permissionType: AclPermission[f.permission ?? 'Any'],
  };
}

function bindingOf(w: { resourceType: number; resourceName: string; patternType: number; principal: string; host: string; operation: number; permissionType: number }): AclBinding {
  const named = <T extends Record<string, number>>(table: T, code: number): keyof T & string => (nameOf(table, code) ?? `code ${code}`) as keyof T & string;
  return {
    resourceType: named(ResourceType, w.resourceType) as AclBinding['resourceType'],
    resourceName: w.resourceName,
    patternType: named(PatternType, w.patternType) as AclBinding['patternType'],
    principal: w.principal,
    host: w.host,
    operation: named(AclOperation, w.operation) as AclBinding['operation'],
    permission: named(AclPermission, w.permissionType) as AclBinding['permission'],
  };
}

function sortBindings(list: AclBinding[]): AclBinding[] {
  const key = (b: AclBinding): string => [b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permission].join('\0');
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
