// DeleteAcls (31): removes what each filter selects; one result per filter listing the bindings it
// removed (a binding two filters select is listed under both). An unknown code in a filter answers
// INVALID_REQUEST for that filter and the others still apply; without an authorizer, SECURITY_DISABLED.
import { SecurityStore } from '../../cluster/security-store.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../../protocol/messages/delete-acls.js';
import type { AclFilter } from '../../security/acl.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';
import { filterOfWire, SECURITY_DISABLED_MESSAGE, wireOfBinding } from './acl-wire.js';

type FilterResult = DeleteAclsResponse['filterResults'][number];

export const handleDeleteAcls: Handler<DeleteAclsRequest, DeleteAclsResponse> = async (req, ctx) => {
  if (!ctx.broker.authorizer) {
    return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: SECURITY_DISABLED_MESSAGE, matchingAcls: [] })) };
  }
  const results: FilterResult[] = [];
  const valid: { filter: AclFilter; index: number }[] = [];
  for (const f of req.filters) {
    try {
      valid.push({ filter: filterOfWire(f), index: results.length });
      results.push({ errorCode: 0, errorMessage: null, matchingAcls: [] });
    } catch (err) {
      results.push({ errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'DeleteAcls' }), errorMessage: errorMessageFor(err), matchingAcls: [] });
    }
  }
  if (valid.length > 0) {
    try {
      const store = new SecurityStore(ctx.broker.authority.store);
      const removed = await store.deleteAcls(valid.map((v) => v.filter));
      // Read-your-writes: this broker enforces the removal before it answers (others follow their store watch).
      ctx.broker.authorizer.setBindings(await store.acls());
      removed.forEach((list, i) => {
        results[valid[i].index].matchingAcls = list.map((b) => ({ errorCode: 0, errorMessage: null, ...wireOfBinding(b) }));
      });
      const count = removed.reduce((n, l) => n + l.length, 0);
      if (count > 0) ctx.broker.logger.info('ACLs deleted', { principal: ctx.session.principal, peer: ctx.peer, count });
    } catch (err) {
      for (const v of valid) results[v.index] = { errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'DeleteAcls' }), errorMessage: errorMessageFor(err), matchingAcls: [] };
    }
  }
  return { throttleTimeMs: 0, filterResults: results };
};
