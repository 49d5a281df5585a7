// Request and response headers.
//
//   RequestHeader v1: ApiKey INT16, ApiVersion INT16, CorrelationId INT32, ClientId NULLABLE_STRING
//   RequestHeader v2: v1 + TAGGED_FIELDS (flexible versions, see ApiSpec.flexibleFrom; and librdkafka's
//                     first ApiVersions v3 request)
//   ResponseHeader v0: CorrelationId INT32
//   ResponseHeader v1: v0 + TAGGED_FIELDS (flexible versions other than ApiVersions)
import { skipTaggedFields } from './flexible.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export const API_VERSIONS_KEY = 18;

/** Reads a v1 request header, or v2 (skipping its tagged fields) for a flexible version and ApiVersions v3+. */
export function decodeRequestHeader(r: Reader, flexible = false): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (flexible || (apiKey === API_VERSIONS_KEY && apiVersion >= 3)) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Writes a v1 request header, or v2 (an empty tagged-field section) for a flexible version. */
export function encodeRequestHeader(w: Writer, h: RequestHeader, flexible = false): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId);
  if (flexible) w.uvarint(0);
}
