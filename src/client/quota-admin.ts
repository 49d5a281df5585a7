// Client quotas through the brokers: DescribeClientQuotas (48) lists the quotas a filter selects;
// AlterClientQuotas (49) sets or removes values of one entity. Entities are a user and/or a client-id,
// each a name or null (the default entity). Errors come back as MqErrors naming the entity.
import { ApiKey } from '../protocol/api.js';
import { errorFromCode } from '../protocol/error-codes.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/messages/alter-client-quotas.js';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../protocol/messages/describe-client-quotas.js';
import {
  describeEntity, ENTITY_CLIENT_ID, ENTITY_USER, entityFromWire, entityToWire, MATCH_ANY, MATCH_DEFAULT, MATCH_EXACT, type WireFilterComponent,
} from '../security/quota-entity.js';
import { QUOTA_KEYS, type QuotaEntity, type QuotaKey } from '../security/quota.js';
import type { Cluster } from './cluster.js';
import type { ClientQuotaEntry, ClientQuotaFilter } from './types.js';

/** The quotas the filter selects (every one without a filter), sorted by user then client-id. */
export async function describeClientQuotas(cluster: Cluster, filter: ClientQuotaFilter, timeoutMs: number): Promise<ClientQuotaEntry[]> {
  const component = (entityType: string, v: string | null | '*' | undefined): WireFilterComponent[] => {
    if (v === undefined) return [];
    if (v === '*') return [{ entityType, matchType: MATCH_ANY, match: null }];
    return [{ entityType, matchType: v === null ? MATCH_DEFAULT : MATCH_EXACT, match: v }];
  };
  const body: DescribeClientQuotasRequest = {
    components: [...component(ENTITY_USER, filter.user), ...component(ENTITY_CLIENT_ID, filter.clientId)],
    strict: filter.strict ?? false,
  };
  const res = await cluster.retry(() => cluster.requestAny<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, body, { timeoutMs }));
  if (res.errorCode !== 0) throw errorFromCode(res.errorCode, res.errorMessage ?? 'DescribeClientQuotas');
  return (res.entries ?? []).flatMap((e) => {
    const entity = entityFromWire(e.entity);
    if (typeof entity === 'string') return [];
    const values: ClientQuotaEntry['values'] = {};
    for (const v of e.values) if ((QUOTA_KEYS as readonly string[]).includes(v.key)) values[v.key as QuotaKey] = v.value;
    return [{ entity, values }];
  }).sort((a, b) => compareEntities(a.entity, b.entity));
}

/** Sets (a number) or removes (null) quota keys of one entity; `validateOnly` checks without changing. */
export async function alterClientQuotas(
  cluster: Cluster, entity: QuotaEntity, changes: Partial<Record<QuotaKey, number | null>>, validateOnly: boolean, timeoutMs: number,
): Promise<void> {
  const body: AlterClientQuotasRequest = {
    entries: [{
      entity: entityToWire(entity),
      ops: Object.entries(changes).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
    }],
    validateOnly,
  };
  const res = await cluster.retry(() => cluster.requestAny<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, body, { timeoutMs }));
  const failed = res.entries.find((r) => r.errorCode !== 0);
  if (failed) throw errorFromCode(failed.errorCode, failed.errorMessage ?? `quotas of ${describeEntity(entity)}`);
}

/** Named before default before absent, user first. */
function compareEntities(a: QuotaEntity, b: QuotaEntity): number {
  const rank = (v: string | null | undefined): string => (v === undefined ? '2' : v === null ? '1' : `0${v}`);
  const x = `${rank(a.user)}\0${rank(a.clientId)}`;
  const y = `${rank(b.user)}\0${rank(b.clientId)}`;
  return x < y ? -1 : x > y ? 1 : 0;
}
