// The one registry of the Kafka APIs mq speaks: key, name, supported version range and the request and
// response schemas. The broker's router and the client's version negotiation are both built from it,
// and ApiVersionsResponse advertises exactly these ranges (the same list from every broker, because
// kafkajs reuses the seed broker's answer for all brokers). All ranges are non-flexible versions.
import type { Struct } from './codec.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/create-topics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/delete-topics.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list-offsets.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  CreatePartitions: 37,
} as const;

export interface ApiSpec<Req = any, Res = any> {
  key: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  request: Struct<Req>;
  response: Struct<Res>;
}

function spec<Req, Res>(
  key: number, name: string, minVersion: number, maxVersion: number, request: Struct<Req>, response: Struct<Res>,
): ApiSpec<Req, Res> {
  return Object.freeze({ key, name, minVersion, maxVersion, request, response });
}

/** Ranges from PROTOCOL.md §2.0 ("Advertise"); Produce >= 3 and Fetch >= 4 mean RecordBatch v2 only. */
export const apis: readonly ApiSpec[] = Object.freeze([
  spec(ApiKey.Produce, 'Produce', 3, 7, ProduceRequest, ProduceResponse),
  spec(ApiKey.Fetch, 'Fetch', 4, 11, FetchRequest, FetchResponse),
  spec(ApiKey.ListOffsets, 'ListOffsets', 1, 3, ListOffsetsRequest, ListOffsetsResponse),
  spec(ApiKey.Metadata, 'Metadata', 0, 4, MetadataRequest, MetadataResponse),
  spec(ApiKey.ApiVersions, 'ApiVersions', 0, 2, ApiVersionsRequest, ApiVersionsResponse),
  spec(ApiKey.CreateTopics, 'CreateTopics', 0, 4, CreateTopicsRequest, CreateTopicsResponse),
  spec(ApiKey.DeleteTopics, 'DeleteTopics', 0, 1, DeleteTopicsRequest, DeleteTopicsResponse),
  spec(ApiKey.CreatePartitions, 'CreatePartitions', 0, 1, CreatePartitionsRequest, CreatePartitionsResponse),
]);

const byKey = new Map(apis.map((a) => [a.key, a]));

/** The spec of an API key, or undefined when mq does not implement it (the broker then closes the connection). */
export function apiSpec(key: number): ApiSpec | undefined {
  return byKey.get(key);
}

/** The ApiVersionsResponse.apiKeys list the broker advertises (same list from every broker). */
export function advertisedApiVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return apis.map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));
}
