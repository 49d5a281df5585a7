// Request and response headers.
//
//   RequestHeader v1: ApiKey INT16, ApiVersion INT16, CorrelationId INT32, ClientId NULLABLE_STRING
//   RequestHeader v2: v1 + TAGGED_FIELDS (only seen on librdkafka's first ApiVersions v3 request)
//   ResponseHeader v0: CorrelationId INT32 (the only response header we ever write)
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export const API_VERSIONS_KEY = 18;

/** Reads a v1 request header; for ApiVersions v3+ (flexible) it also skips the tagged fields. */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (apiKey === API_VERSIONS_KEY && apiVersion >= 3) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(w: Writer, h: RequestHeader): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId);
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.raw(r.uvarint());
  }
}
