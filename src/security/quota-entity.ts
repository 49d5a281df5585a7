// Client-quota entities and filters as DescribeClientQuotas (48) and AlterClientQuotas (49) carry them,
// shared by the broker's handlers and the client: the wire's list of (EntityType, EntityName) components
// to a QuotaEntity and back, a describe filter and what it selects, and the checks on one entity's ops.
//
// Wire vocabulary (Kafka's): entity types "user" and "client-id"; a null EntityName is the default entity
// ("<default>" in Kafka's tools). Filter match types: 0 exact name, 1 the default entity, 2 any entity
// that has this component (named or default). Strict: only entities with no component besides the
// filter's. Problems come back as a message (the handler answers INVALID_REQUEST with it).
import { QUOTA_KEYS, type QuotaEntity, type QuotaKey } from './quota.js';

export const ENTITY_USER = 'user';
export const ENTITY_CLIENT_ID = 'client-id';
export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_ANY = 2;

export interface WireEntityComponent { entityType: string; entityName: string | null }
export interface WireFilterComponent { entityType: string; matchType: number; match: string | null }

/** A component: exact name (string), the default (null) or any (undefined: the component must be present). */
type Wanted = { type: 'exact'; name: string } | { type: 'default' } | { type: 'any' };

/** A parsed describe filter. */
export interface QuotaFilter {
  user?: Wanted;
  clientId?: Wanted;
  strict: boolean;
}

function knownType(type: string): 'user' | 'clientId' | string {
  if (type === ENTITY_USER) return 'user';
  if (type === ENTITY_CLIENT_ID) return 'clientId';
  return `unknown entity type '${type}': mq keeps quotas per ${ENTITY_USER} and per ${ENTITY_CLIENT_ID} (not ip)`;
}

/** The entity the wire components name, or a message saying what is wrong with them. */
export function entityFromWire(components: readonly WireEntityComponent[]): QuotaEntity | string {
  if (components.length === 0) return 'an empty quota entity: name a user, a client-id or both';
  const entity: QuotaEntity = {};
  for (const c of components) {
    const field = knownType(c.entityType);
    if (field !== 'user' && field !== 'clientId') return field;
    if (field in entity) return `entity type '${c.entityType}' appears more than once in one entity`;
    entity[field] = c.entityName;
  }
  return entity;
}

/** The wire components of an entity, user first. */
export function entityToWire(entity: QuotaEntity): WireEntityComponent[] {
  const out: WireEntityComponent[] = [];
  if (entity.user !== undefined) out.push({ entityType: ENTITY_USER, entityName: entity.user });
  if (entity.clientId !== undefined) out.push({ entityType: ENTITY_CLIENT_ID, entityName: entity.clientId });
  return out;
}

/** "user=alice,client-id=<default>": an entity as messages and tables name it. */
export function describeEntity(entity: QuotaEntity): string {
  const name = (v: string | null): string => (v === null ? '<default>' : v);
  return entityToWire(entity).map((c) => `${c.entityType}=${name(c.entityName)}`).join(',') || '(no entity)';
}

/** A describe request's filter, or a message saying what is wrong with it (Kafka's checks). */
export function filterFromWire(components: readonly WireFilterComponent[], strict: boolean): QuotaFilter | string {
  const filter: QuotaFilter = { strict };
  for (const c of components) {
    const field = knownType(c.entityType);
    if (field !== 'user' && field !== 'clientId') return field;
    if (filter[field] !== undefined) return `entity type '${c.entityType}' appears more than once in the filter`;
    if (c.matchType === MATCH_EXACT) {
      if (c.match === null) return `match type exact (0) on '${c.entityType}' needs a name to match (use match type default (1) for the default entity)`;
      filter[field] = { type: 'exact', name: c.match };
    } else if (c.matchType === MATCH_DEFAULT || c.matchType === MATCH_ANY) {
      if (c.match !== null) return `match type ${c.matchType === MATCH_DEFAULT ? 'default (1)' : 'any (2)'} on '${c.entityType}' takes no name (got '${c.match}')`;
      filter[field] = { type: c.matchType === MATCH_DEFAULT ? 'default' : 'any' };
    } else {
      return `unknown match type ${c.matchType} on '${c.entityType}' (0 exact, 1 default, 2 any)`;
    }
  }
  return filter;
}

/** True when the filter selects `entity`. */
export function filterMatches(filter: QuotaFilter, entity: QuotaEntity): boolean {
  const one = (wanted: Wanted | undefined, have: string | null | undefined): boolean => {
    if (wanted === undefined) return !filter.strict || have === undefined;
    if (have === undefined) return false;
    if (wanted.type === 'any') return true;
    if (wanted.type === 'default') return have === null;
    return have === wanted.name;
  };
  return one(filter.user, entity.user) && one(filter.clientId, entity.clientId);
}

export interface QuotaOp { key: string; value: number; remove: boolean }

/**
 * One entity's ops as the store takes them (a value, or null to remove), or a message naming the first
 * problem: an unknown key, a key named twice, a rate that is not a whole number of bytes above 0, a
 * request_percentage not above 0.
 */
export function changesFromOps(ops: readonly QuotaOp[]): Partial<Record<QuotaKey, number | null>> | string {
  const changes: Partial<Record<QuotaKey, number | null>> = {};
  for (const op of ops) {
    if (!(QUOTA_KEYS as readonly string[]).includes(op.key)) return `unknown quota key '${op.key}' (known: ${QUOTA_KEYS.join(', ')})`;
    const key = op.key as QuotaKey;
    if (key in changes) return `quota key ${key} is changed twice for one entity`;
    if (op.remove) { changes[key] = null; continue; }
    if (!Number.isFinite(op.value) || op.value <= 0) return `${key}=${op.value}: must be above 0 (remove the key to lift the quota)`;
    if (key !== 'request_percentage' && !Number.isInteger(op.value)) return `${key}=${op.value}: must be a whole number of bytes per second`;
    changes[key] = op.value;
  }
  return changes;
}
