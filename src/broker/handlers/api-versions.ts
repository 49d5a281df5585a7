// ApiVersions: the versions we serve, from the one registry in protocol/api.ts, for the APIs the broker's
// handler table serves (a schema registered before its handler is written is not advertised).
import { advertisedApiVersions } from '../../protocol/api.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import type { Handler } from '../request-context.js';

/** The ApiVersions handler of a handler table (`served` is the table itself, read when answering). */
export function apiVersionsHandler(served: { has(apiKey: number): boolean }): Handler<ApiVersionsRequest, ApiVersionsResponse> {
  return async () => ({
    errorCode: 0,
    apiKeys: advertisedApiVersions(served),
    throttleTimeMs: 0,
  });
}
