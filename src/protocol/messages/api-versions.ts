// ApiVersions (key 18), versions 0-2. Always answered with response header v0 (KIP-511).
//
//   ApiVersionsRequest v0-v2:   (empty body)
//
//   ApiVersionsResponse v0-v2:
//     ErrorCode        INT16
//     ApiKeys          ARRAY
//       ApiKey         INT16
//       MinVersion     INT16
//       MaxVersion     INT16
//     ThrottleTimeMs   INT32      {v1+}
//
// librdkafka opens every connection with a flexible ApiVersions v3 request. We do what Kafka does for
// an ApiVersions version it does not support: answer with a v0 body carrying UNSUPPORTED_VERSION and
// our ApiVersions range, and the client retries with v0 on the same connection (PROTOCOL.md §2.1 A).
import { array, int16, int32, since, struct, type Infer } from '../codec.js';

export const ApiVersionsRequest = struct({});
export type ApiVersionsRequest = Infer<typeof ApiVersionsRequest>;

export const ApiVersionsResponse = struct({
  errorCode: int16,
  apiKeys: array(struct({ apiKey: int16, minVersion: int16, maxVersion: int16 })),
  throttleTimeMs: since(1, int32, 0),
});
export type ApiVersionsResponse = Infer<typeof ApiVersionsResponse>;

const UNSUPPORTED_VERSION = 35;
const API_VERSIONS_KEY = 18;
/** The ApiVersions range this broker speaks; must match the ApiVersions entry of `apis` in ../api.ts. */
const API_VERSIONS_MIN_VERSION = 0;
const API_VERSIONS_MAX_VERSION = 2;

/** The v0 body answering an ApiVersions request of a version we do not support (send with response header v0). */
export function encodeApiVersionsFallback(): Buffer {
  return ApiVersionsResponse.toBuffer(
    {
      errorCode: UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: API_VERSIONS_MIN_VERSION, maxVersion: API_VERSIONS_MAX_VERSION }],
      throttleTimeMs: 0,
    },
    0,
  );
}
