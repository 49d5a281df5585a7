// kafkajs 2.2.4's own encoders and decoders as an independent oracle for golden-bytes tests.
// No import-time side effects.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

/** CommonJS require for kafkajs internals (not exported from its ESM entry). */
export const kjsRequire = createRequire(import.meta.url);

/** A kafkajs request module: `(args) => { apiKey, apiVersion, encode(): Promise<Encoder> }`. */
export function kjsRequest(api: string, version: number): (args: any) => any {
  return kjsRequire(`kafkajs/src/protocol/requests/${api}/v${version}/request.js`);
}

/** A kafkajs response module with its `decode`. */
export function kjsResponse(api: string, version: number): { decode(buf: Buffer): Promise<any> } {
  return kjsRequire(`kafkajs/src/protocol/requests/${api}/v${version}/response.js`);
}

/** The request body bytes kafkajs writes for `args` at `version`. */
export async function kjsBody(api: string, version: number, args: unknown): Promise<Buffer> {
  const req = kjsRequest(api, version)(args);
  assert.equal(req.apiVersion, version);
  return (await req.encode()).buffer as Buffer;
}
