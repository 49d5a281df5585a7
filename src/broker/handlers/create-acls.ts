// CreateAcls (30): adds ACL bindings to the metadata store (src/cluster/security-store.ts), where every
// broker's authorizer picks them up (src/broker/acl-cache.ts). One result per creation, in order: an
// invalid binding (src/security/acl.ts validateBinding) answers INVALID_REQUEST with what is wrong, and
// the valid ones are stored; a binding already present is not stored twice. Without an authorizer the
// answer is SECURITY_DISABLED, as Kafka's.
import { SecurityStore } from '../../cluster/security-store.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../../protocol/messages/create-acls.js';
import { validateBinding, type AclBinding } from '../../security/acl.js';
import { errorCodeFor, errorMessageFor } from '../error-code-of.js';
import type { Handler } from '../request-context.js';
import { bindingOfWire, SECURITY_DISABLED_MESSAGE } from './acl-wire.js';

type Result = CreateAclsResponse['results'][number];

export const handleCreateAcls: Handler<CreateAclsRequest, CreateAclsResponse> = async (req, ctx) => {
  if (!ctx.broker.authorizer) {
    return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: SECURITY_DISABLED_MESSAGE })) };
  }
  const results: Result[] = [];
  const valid: { binding: AclBinding; index: number }[] = [];
  for (const c of req.creations) {
    try {
      const binding = bindingOfWire(c);
      validateBinding(binding);
      valid.push({ binding, index: results.length });
      results.push({ errorCode: 0, errorMessage: null });
    } catch (err) {
      results.push({ errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'CreateAcls' }), errorMessage: errorMessageFor(err) });
    }
  }
  if (valid.length > 0) {
    try {
      const store = new SecurityStore(ctx.broker.authority.store);
      await store.createAcls(valid.map((v) => v.binding));
      // Read-your-writes: this broker enforces them before it answers (others follow their store watch).
      ctx.broker.authorizer.setBindings(await store.acls());
      ctx.broker.logger.info('ACLs created', { principal: ctx.session.principal, peer: ctx.peer, count: valid.length });
    } catch (err) {
      const failed = { errorCode: errorCodeFor(err, ctx.broker.logger, { api: 'CreateAcls' }), errorMessage: errorMessageFor(err) };
      for (const v of valid) results[v.index] = failed;
    }
  }
  return { throttleTimeMs: 0, results };
};
