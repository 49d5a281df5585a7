// DescribeAcls (29): the bindings one filter selects, grouped by resource (type, name, pattern) as
// Kafka answers. An unknown code in the filter is INVALID_REQUEST; without an authorizer,
// SECURITY_DISABLED.
import { SecurityStore } from '../../cluster/security-store.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../../protocol/messages/describe-acls.js';
import { matchesFilter } from '../../security/acl.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';
import { filterOfWire, SECURITY_DISABLED_MESSAGE, wireOfBinding } from './acl-wire.js';

type Resource = DescribeAclsResponse['resources'][number];

export const handleDescribeAcls: Handler<DescribeAclsRequest, DescribeAclsResponse> = async (req, ctx) => {
  if (!ctx.broker.authorizer) return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: SECURITY_DISABLED_MESSAGE, resources: [] };
  try {
    const filter = filterOfWire(req);
    const byResource = new Map<string, Resource>();
    for (const b of (await new SecurityStore(ctx.broker.authority.store).acls()).filter((b) => matchesFilter(b, filter))) {
      const w = wireOfBinding(b);
      const key = `${w.resourceType}\0${w.patternType}\0${w.resourceName}`;
      let r = byResource.get(key);
      if (!r) byResource.set(key, r = { type: w.resourceType, name: w.resourceName, patternType: w.patternType, acls: [] });
      r.acls.push({ principal: w.principal, host: w.host, operation: w.operation, permissionType: w.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...byResource.values()] };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'DescribeAcls' }), errorMessage: errorMessageFor(err), resources: [] };
  }
};
