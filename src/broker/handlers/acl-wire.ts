// Between the ACL wire structs (numeric codes, CreateAcls/DescribeAcls/DeleteAcls) and src/security/acl.ts'
// named bindings and filters, for the three ACL handlers. A code with no name becomes INVALID_REQUEST
// naming the field; Kafka's "unknown" code (0) is refused the same way.
import { AclOperation, AclPermission, PatternType, ResourceType, nameOf, type AclBinding, type AclFilter } from '../../security/acl.js';
import type { DescribeAclsRequest } from '../../protocol/messages/describe-acls.js';
import { MqError } from '../../util/mq-error.js';

function named<T extends Record<string, number>>(table: T, code: number, field: string): keyof T & string {
  const name = nameOf(table, code);
  if (name === undefined) throw new MqError('INVALID_REQUEST', `${field} code ${code} is not one Kafka defines (${Object.entries(table).map(([k, v]) => `${v} ${k}`).join(', ')})`);
  return name as keyof T & string;
}

/** A CreateAcls creation as a binding (validateBinding checks it further). */
export function bindingOfWire(c: { resourceType: number; resourceName: string; resourcePatternType: number; principal: string; host: string; operation: number; permissionType: number }): AclBinding {
  return {
    resourceType: named(ResourceType, c.resourceType, 'resource type') as AclBinding['resourceType'],
    resourceName: c.resourceName,
    patternType: named(PatternType, c.resourcePatternType, 'pattern type') as AclBinding['patternType'],
    principal: c.principal,
    host: c.host,
    operation: named(AclOperation, c.operation, 'operation') as AclBinding['operation'],
    permission: named(AclPermission, c.permissionType, 'permission') as AclBinding['permission'],
  };
}

/** A DescribeAcls request / DeleteAcls filter as an AclFilter. */
export function filterOfWire(f: DescribeAclsRequest): AclFilter {
  return {
    resourceType: named(ResourceType, f.resourceTypeFilter, 'resource type filter') as AclFilter['resourceType'],
    resourceName: f.resourceNameFilter,
    patternType: named(PatternType, f.patternTypeFilter, 'pattern type filter'),
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: named(AclOperation, f.operation, 'operation filter') as AclFilter['operation'],
    permission: named(AclPermission, f.permissionType, 'permission filter') as AclFilter['permission'],
  };
}

/** A binding's wire codes (DescribeAcls' resources, DeleteAcls' matching ACLs). */
export function wireOfBinding(b: AclBinding): { resourceType: number; resourceName: string; patternType: number; principal: string; host: string; operation: number; permissionType: number } {
  return {
    resourceType: ResourceType[b.resourceType], resourceName: b.resourceName, patternType: PatternType[b.patternType],
    principal: b.principal, host: b.host, operation: AclOperation[b.operation], permissionType: AclPermission[b.permission],
  };
}

/** Kafka answers ACL requests with SECURITY_DISABLED when no authorizer is configured. */
export const SECURITY_DISABLED_MESSAGE = 'ACLs are off on this broker: set authorizer.enabled=true in its config to create, list or delete them';
