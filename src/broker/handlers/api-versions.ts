// ApiVersions: the versions we serve, from the one registry in protocol/api.ts.
import { advertisedApiVersions } from '../../protocol/api.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import type { Handler } from '../request-context.js';

export const handleApiVersions: Handler<ApiVersionsRequest, ApiVersionsResponse> = async () => ({
  errorCode: 0,
  apiKeys: advertisedApiVersions(),
  throttleTimeMs: 0,
});
