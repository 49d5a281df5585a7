// `mq quotas`: the entity the flags name (--user / --user-default, --client-id / --client-id-default),
// the changes `set` and `remove` send, the describe filter of `list`, and the rows of its table.
import type { ClientQuotaEntity, ClientQuotaEntry, ClientQuotaFilter } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

export type QuotaKeyName = keyof ClientQuotaEntry['values'];

/** Each quota key with the flag that sets it. */
export const QUOTA_FLAGS: { key: QuotaKeyName; flag: string; option: 'producerByteRate' | 'consumerByteRate' | 'requestPercentage' }[] = [
  { key: 'producer_byte_rate', flag: '--producer-byte-rate', option: 'producerByteRate' },
  { key: 'consumer_byte_rate', flag: '--consumer-byte-rate', option: 'consumerByteRate' },
  { key: 'request_percentage', flag: '--request-percentage', option: 'requestPercentage' },
];

export interface EntityFlags {
  user?: string;
  userDefault?: boolean;
  clientId?: string;
  clientIdDefault?: boolean;
}

/** The entity named by the flags; a user and/or a client-id is required. */
export function entityFromFlags(o: EntityFlags): ClientQuotaEntity {
  if (o.user !== undefined && o.userDefault) throw new MqError('INVALID_ARGUMENT', '--user and --user-default name two different entities; give one');
  if (o.clientId !== undefined && o.clientIdDefault) throw new MqError('INVALID_ARGUMENT', '--client-id and --client-id-default name two different entities; give one');
  const entity: ClientQuotaEntity = {};
  if (o.user !== undefined) entity.user = o.user;
  if (o.userDefault) entity.user = null;
  if (o.clientId !== undefined) entity.clientId = o.clientId;
  if (o.clientIdDefault) entity.clientId = null;
  if (entity.user === undefined && entity.clientId === undefined) {
    throw new MqError('INVALID_ARGUMENT', 'name whose quota this is: --user NAME, --user-default, --client-id ID and/or --client-id-default');
  }
  return entity;
}

/** The describe filter of `list`: the entity flags given (exact name or default), none for every quota. */
export function filterFromFlags(o: EntityFlags & { strict?: boolean }): ClientQuotaFilter {
  const none = o.user === undefined && !o.userDefault && o.clientId === undefined && !o.clientIdDefault;
  return none ? { strict: false } : { ...entityFromFlags(o), strict: o.strict ?? false };
}

/** The values `set` sends; at least one key. */
export function valuesFromFlags(o: Partial<Record<(typeof QUOTA_FLAGS)[number]['option'], number>>): Partial<Record<QuotaKeyName, number>> {
  const values: Partial<Record<QuotaKeyName, number>> = {};
  for (const f of QUOTA_FLAGS) if (o[f.option] !== undefined) values[f.key] = o[f.option]!;
  if (Object.keys(values).length === 0) throw new MqError('INVALID_ARGUMENT', `nothing to set: give ${QUOTA_FLAGS.map((f) => f.flag).join(', ')} (one or more)`);
  return values;
}

/** The keys `remove` names (flags without a value); none: every key the entity has. */
export function removedKeys(o: Partial<Record<(typeof QUOTA_FLAGS)[number]['option'], boolean>>): QuotaKeyName[] {
  return QUOTA_FLAGS.filter((f) => o[f.option] === true).map((f) => f.key);
}

/** A request_percentage: a number above 0 (may exceed 100 where a client may use several threads' worth in Kafka). */
export function parsePercentage(raw: string): number {
  const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new MqError('INVALID_ARGUMENT', `percentage '${raw}' is not a number above 0`);
  return n;
}

export const QUOTA_HEADERS = ['USER', 'CLIENT-ID', ...QUOTA_FLAGS.map((f) => f.key.toUpperCase())];

/** One row per entity: '<default>' for a default entity, '-' for a component or key not set. */
export function quotaRows(entries: ClientQuotaEntry[]): string[][] {
  const name = (v: string | null | undefined): string => (v === undefined ? '-' : v === null ? '<default>' : v);
  return entries.map((e) => [name(e.entity.user), name(e.entity.clientId), ...QUOTA_FLAGS.map((f) => (e.values[f.key] === undefined ? '-' : String(e.values[f.key])))]);
}

/** "user=alice,client-id=<default>". */
export function entityLabel(entity: ClientQuotaEntity): string {
  const name = (v: string | null): string => (v === null ? '<default>' : v);
  const parts: string[] = [];
  if (entity.user !== undefined) parts.push(`user=${name(entity.user)}`);
  if (entity.clientId !== undefined) parts.push(`client-id=${name(entity.clientId)}`);
  return parts.join(',');
}
