// AlterClientQuotas: sets or removes quota values per entity (Kafka's semantics), one result per entry
// naming its entity. An entity is a user and/or a client-id, each a name or null (the default entity).
// Each entry is checked on its own and refused with INVALID_REQUEST and a message: an unknown entity type
// or quota key, a type or key named twice, a value not above 0 (or a byte rate that is not whole). An op
// with Remove set lifts that key; removing a key that is not set is not an error. ValidateOnly checks
// and changes nothing. Brokers pick changes up through their store watch (src/broker/quota-cache.ts).
import { SecurityStore } from '../../cluster/security-store.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../../protocol/messages/alter-client-quotas.js';
import { changesFromOps, describeEntity, entityFromWire } from '../../security/quota-entity.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleAlterClientQuotas: Handler<AlterClientQuotasRequest, AlterClientQuotasResponse> = async (req, ctx) => {
  const store = new SecurityStore(ctx.broker.authority.store);
  const entries: AlterClientQuotasResponse['entries'] = [];
  const changed: string[] = [];
  for (const e of req.entries) {
    const result = (errorCode: number, errorMessage: string | null): void => { entries.push({ errorCode, errorMessage, entity: e.entity }); };
    const entity = entityFromWire(e.entity);
    if (typeof entity === 'string') { result(ErrorCode.INVALID_REQUEST, clipErrorMessage(entity)); continue; }
    const changes = changesFromOps(e.ops);
    if (typeof changes === 'string') { result(ErrorCode.INVALID_REQUEST, clipErrorMessage(`${describeEntity(entity)}: ${changes}`)); continue; }
    if (req.validateOnly || Object.keys(changes).length === 0) { result(0, null); continue; }
    try {
      await store.alterQuota(entity, changes);
      changed.push(describeEntity(entity));
      result(0, null);
    } catch (err) {
      result(errorCodeFor(err, ctx.broker.logger, { api: 'AlterClientQuotas', entity: describeEntity(entity) }), errorMessageFor(err));
    }
  }
  if (changed.length > 0) ctx.broker.logger.info('client quotas changed', { entities: changed.join(' '), peer: ctx.peer });
  return { throttleTimeMs: 0, entries };
};
