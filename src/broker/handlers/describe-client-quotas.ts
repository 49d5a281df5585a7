// DescribeClientQuotas: the configured client quotas a filter selects (Kafka's semantics). A filter
// component names an entity type (user, client-id) and matches an exact name, the default entity or any
// entity with that component; strict keeps only entities with no other component. A bad filter is a
// top-level INVALID_REQUEST with a message and no entries. Quotas live in the metadata store
// (security-store.ts quotas/ keys), read here so an answer always shows the latest AlterClientQuotas.
import { SecurityStore } from '../../cluster/security-store.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../protocol/messages/describe-client-quotas.js';
import { entityToWire, filterFromWire, filterMatches } from '../../security/quota-entity.js';
import { QUOTA_KEYS } from '../../security/quota.js';
import { clipErrorMessage, errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';

export const handleDescribeClientQuotas: Handler<DescribeClientQuotasRequest, DescribeClientQuotasResponse> = async (req, ctx) => {
  const filter = filterFromWire(req.components, req.strict);
  if (typeof filter === 'string') {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: clipErrorMessage(filter), entries: null };
  }
  try {
    const entries = (await new SecurityStore(ctx.broker.authority.store).quotas()).filter((e) => filterMatches(filter, e.entity));
    return {
      throttleTimeMs: 0, errorCode: 0, errorMessage: null,
      entries: entries.map((e) => ({
        entity: entityToWire(e.entity),
        values: QUOTA_KEYS.flatMap((key) => (e.values[key] === undefined ? [] : [{ key, value: e.values[key]! }])),
      })),
    };
  } catch (err) {
    const code = errorCodeFor(err, ctx.broker.logger, { api: 'DescribeClientQuotas' });
    return { throttleTimeMs: 0, errorCode: code, errorMessage: errorMessageFor(err), entries: null };
  }
};
