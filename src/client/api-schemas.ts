// Request and response codecs per API key, looked up in the protocol registry (protocol/api.ts).
// Connection takes this as a function so tests can drive it with codecs of their own.
import { apiSpec } from '../protocol/api.js';
import type { Codec } from '../protocol/codec.js';
import { MqError } from '../util/mq-error.js';

/** `flexibleFrom`: the API's first flexible version, from which both headers carry tagged fields. */
export type ApiSchemas = (apiKey: number) => { request: Codec<unknown>; response: Codec<unknown>; flexibleFrom?: number };

export const apiSchemas: ApiSchemas = (apiKey) => {
  const spec = apiSpec(apiKey);
  if (!spec) throw new MqError('UNSUPPORTED_VERSION', `mq does not implement API key ${apiKey}`);
  return { request: spec.request, response: spec.response, flexibleFrom: spec.flexibleFrom };
};
