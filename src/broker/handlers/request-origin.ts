// Who sent a group request: the client id from the header and the peer's address in Kafka's
// DescribeGroups form ("/127.0.0.1").
import type { RequestOrigin } from '../../group/group-coordinator.js';
import type { RequestContext } from '../request-context.js';

export function originOf(ctx: RequestContext): RequestOrigin {
  const colon = ctx.peer.lastIndexOf(':');
  const host = colon > 0 ? ctx.peer.slice(0, colon) : ctx.peer;
  return { clientId: ctx.header.clientId ?? '', clientHost: `/${host}` };
}
