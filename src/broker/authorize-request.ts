// Authorization at dispatch, before the handler (DESIGN.md): every handler is wrapped once, when the
// handler map is built, by `authorized(apiKey, handler)`. With no authorizer (authorizer.enabled=false,
// the default) the wrapper calls the handler at once: one property read per request. With one, the API's
// rule (src/security/api-operations.ts, the one table) is evaluated against the names the request touches
// (src/broker/acl-guards.ts):
//   - a failed cluster, group or transactional-id check refuses the whole request, answered in the API's
//     shape with CLUSTER_ / GROUP_ / TRANSACTIONAL_ID_AUTHORIZATION_FAILED; the handler never runs;
//   - failed per-name checks (each topic, each group, each broker config) are answered per name while the
//     handler serves the rest;
//   - a follower (ReplicaId >= 0 in Fetch, OffsetForLeaderEpoch) is checked by the rule's asFollower
//     check (ClusterAction on the cluster) instead, so only a broker principal can fetch as a replica.
// Each refusal writes one audit line (src/security/audit.ts). An API whose rule has checks but has no
// guard cannot be wrapped: createHandlers fails at start, so no API is ever served unchecked.
import { apiSpec } from '../protocol/api.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { CLUSTER_RESOURCE, type AclAuthorizer, type AclOperationName, type ResourceTypeName } from '../security/acl.js';
import { apiRule, type AclCheck, type ApiRule } from '../security/api-operations.js';
import { createGuards, type Guard, type Touches, type Verdict } from './acl-guards.js';
import type { Handler, RequestContext } from './request-context.js';

const WHOLE_REQUEST_CODE: Partial<Record<ResourceTypeName, number>> = {
  Cluster: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  Group: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  TransactionalId: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
};

let guards: ReadonlyMap<number, Guard> | null = null;

/** `handler` behind the authorizer (when the broker has one). Throws for an API with checks and no guard. */
export function authorized(apiKey: number, handler: Handler): Handler {
  const rule = apiRule(apiKey);
  const name = apiSpec(apiKey)?.name ?? `API ${apiKey}`;
  if (!rule) throw new Error(`${name} has no entry in API_RULES (src/security/api-operations.ts): it cannot be served unchecked`);
  guards ??= createGuards();
  const guard = guards.get(apiKey);
  if (!guard) {
    if (rule.checks.length > 0 || rule.asFollower) throw new Error(`${name} has ACL checks but no guard in src/broker/acl-guards.ts`);
    return handler;
  }
  return (req, ctx) => {
    const authorizer = ctx.broker.authorizer;
    if (!authorizer) return handler(req, ctx);
    return authorize(name, rule, guard, authorizer, req, ctx, handler);
  };
}

async function authorize(api: string, rule: ApiRule, guard: Guard, authorizer: AclAuthorizer, req: unknown, ctx: RequestContext, handler: Handler): Promise<unknown> {
  const who = { principal: ctx.session.principal, host: ctx.session.host };
  const allowed = (operation: AclOperationName, resourceType: ResourceTypeName, resourceName: string): boolean =>
    authorizer.authorize(who, operation, resourceType, resourceName);
  const audit = (check: AclCheck, resourceName: string): void => {
    ctx.broker.audit?.denied({ ...who, resourceType: check.resource, resourceName, operation: check.operation, api });
  };
  const touches = guard.touches(req, ctx.header.apiVersion);
  const denied = { topics: new Set<string>(), groups: new Set<string>(), brokers: new Set<string>() };
  const checks = touches.follower && rule.asFollower ? [rule.asFollower] : rule.checks;
  for (const entry of checks) {
    const alternatives: readonly AclCheck[] = Array.isArray(entry) ? entry : [entry as AclCheck];
    // The scope of an entry is its per-name alternative's (CreateTopics: Create on the cluster OR on each topic).
    const scoped = alternatives.find((c) => c.of !== 'cluster') ?? alternatives[0];
    // The cluster has one name, whichever broker config ('each-broker') or alternative asks about it.
    const passes = (resourceName: string): boolean =>
      alternatives.some((c) => allowed(c.operation, c.resource, c.resource === 'Cluster' ? CLUSTER_RESOURCE : resourceName));
    const whole = wholeRequestName(scoped, touches);
    if (whole !== undefined) {
      if (whole === null || passes(whole)) continue;
      audit(scoped, whole);
      const code = WHOLE_REQUEST_CODE[scoped.resource] ?? ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return guard.refuse(req, code, `${who.principal} is not allowed ${scoped.operation} on ${scoped.resource} ${whole}`);
    }
    const [names, into] = scoped.of === 'each-topic' ? [touches.topics, denied.topics]
      : scoped.of === 'each-group' ? [touches.groups, denied.groups] : [touches.brokers, denied.brokers];
    for (const n of names ?? []) {
      if (into.has(n) || passes(n)) continue;
      into.add(n);
      audit(scoped, scoped.resource === 'Cluster' ? CLUSTER_RESOURCE : n);
    }
  }
  const verdict: Verdict = { ...denied, allowed };
  if (guard.serve) return guard.serve(req, verdict, (r) => handler(r, ctx), ctx);
  return handler(req, ctx);
}

/** For a whole-request scope: the one name checked, or null when the request names none (nothing to check); undefined for per-name scopes. */
function wholeRequestName(check: AclCheck, t: Touches): string | null | undefined {
  switch (check.of) {
    case 'cluster': return CLUSTER_RESOURCE;
    case 'group': return t.group ?? null;
    case 'transactional-id': return t.transactionalId ?? null;
    default: return undefined;
  }
}
