// The API registry: one table for the router and for version negotiation, within the constraints of
// PROTOCOL.md §2.0, and what kafkajs 2.2.4 picks from our advertised list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiKey, advertisedApiVersions, apiSpec, apis } from '../../../src/protocol/api.js';
import { ApiVersionsResponse } from '../../../src/protocol/messages/api-versions.js';

const require = createRequire(import.meta.url);

test('every ApiKey has exactly one spec, found by key', () => {
  assert.equal(apis.length, Object.keys(ApiKey).length);
  for (const [name, key] of Object.entries(ApiKey)) {
    const spec = apiSpec(key);
    assert.ok(spec, name);
    assert.equal(spec.name, name);
    assert.equal(spec.key, key);
    assert.ok(spec.minVersion <= spec.maxVersion);
  }
  assert.equal(apiSpec(1000), undefined, 'an unknown key');
  assert.equal(apiSpec(-1), undefined);
});

test('advertised ranges are the ones PROTOCOL.md recommends, below the first flexible version unless the spec declares it', () => {
  const expected: Record<number, [number, number, number]> = {
    // key: [min, max, first flexible version]
    0: [0, 7, 9], 1: [4, 11, 12], 2: [1, 3, 6], 3: [0, 4, 9], 18: [0, 2, 3], 19: [0, 4, 5], 20: [0, 1, 4], 37: [0, 1, 2],
    8: [2, 5, 8], 9: [1, 4, 6], 10: [0, 2, 3], 11: [0, 5, 6], 12: [0, 3, 4], 13: [0, 2, 4], 14: [0, 3, 4], 15: [0, 2, 5],
    16: [0, 4, 3], 42: [0, 1, 2], 47: [0, 1, Infinity],
    21: [0, 1, 2], 32: [0, 2, 4], 33: [0, 1, 2],
    // Idempotent producers (transactions later).
    22: [0, 1, 2],
    23: [0, 3, 4],
    43: [0, 1, 2], 44: [0, 1, 1],
    // Flexible from v0 (KIP-455).
    45: [0, 0, 0], 46: [0, 0, 0],
    // Security: SASL (SaslAuthenticate up to its flexible v2), ACLs and quotas below their flexible versions; SCRAM credentials flexible from v0.
    17: [0, 1, Infinity], 36: [0, 2, 2], 29: [0, 1, 2], 30: [0, 1, 2], 31: [0, 1, 2], 48: [0, 1, 1], 49: [0, 1, 1], 50: [0, 0, 0], 51: [0, 0, 0],
    // Transactions (registered, served later): flexible from v3 (WriteTxnMarkers v1, the KIP-664 admin APIs v0).
    24: [0, 3, 3], 25: [0, 3, 3], 26: [0, 3, 3], 27: [0, 1, 1], 28: [0, 3, 3], 65: [0, 0, 0], 66: [0, 0, 0],
  };
  const advertised = advertisedApiVersions();
  assert.equal(advertised.length, Object.keys(expected).length);
  for (const a of advertised) {
    const [min, max, firstFlexible] = expected[a.apiKey];
    assert.deepEqual([a.minVersion, a.maxVersion], [min, max], `key ${a.apiKey}`);
    assert.ok(a.maxVersion < firstFlexible || apiSpec(a.apiKey)!.flexibleFrom === firstFlexible, `key ${a.apiKey} flexible from v${firstFlexible}`);
  }
  // librdkafka's MsgVer2 feature needs Produce 3 and Fetch 4; its ApiVersion feature needs ApiVersions 0.
  assert.equal(apiSpec(ApiKey.Produce)!.minVersion <= 3, true);
  assert.equal(apiSpec(ApiKey.Fetch)!.minVersion <= 4, true);
  assert.equal(apiSpec(ApiKey.ApiVersions)!.minVersion, 0);
  // librdkafka 2.0.2 compresses with gzip or snappy only if Produce 0..0 overlaps the broker's range
  // (kcat -z gzip sends uncompressed batches otherwise); PROTOCOL.md's table says 3-7.
  assert.equal(apiSpec(ApiKey.Produce)!.minVersion, 0);
});

test('advertisedApiVersions returns a fresh list each time', () => {
  const a = advertisedApiVersions();
  a[0].maxVersion = 99;
  assert.notEqual(advertisedApiVersions()[0].maxVersion, 99);
});

test('kafkajs negotiates the versions we expect from our ApiVersions answer', async () => {
  const body = ApiVersionsResponse.toBuffer({ errorCode: 0, apiKeys: advertisedApiVersions(), throttleTimeMs: 0 }, 2);
  const decoded = await require('kafkajs/src/protocol/requests/apiVersions/v2/response.js').decode(body);
  const versions: Record<number, { minVersion: number; maxVersion: number }> = {};
  for (const v of decoded.apiVersions) versions[v.apiKey] = v;
  const { requests, lookup } = require('kafkajs/src/protocol/requests/index.js');
  const pick = (key: number, name: string): number => lookup(versions)(key, requests[name])({ topics: [], topicData: [] }).request.apiVersion;
  assert.equal(pick(ApiKey.Produce, 'Produce'), 7);
  assert.equal(pick(ApiKey.Fetch, 'Fetch'), 11);
  assert.equal(pick(ApiKey.ListOffsets, 'ListOffsets'), 3);
  assert.equal(pick(ApiKey.Metadata, 'Metadata'), 4);
  assert.equal(pick(ApiKey.ApiVersions, 'ApiVersions'), 2);
  assert.equal(pick(ApiKey.CreateTopics, 'CreateTopics'), 3);
  assert.equal(pick(ApiKey.DeleteTopics, 'DeleteTopics'), 1);
  assert.equal(pick(ApiKey.CreatePartitions, 'CreatePartitions'), 1);
  assert.equal(pick(ApiKey.AlterPartitionReassignments, 'AlterPartitionReassignments'), 0);
  assert.equal(pick(ApiKey.ListPartitionReassignments, 'ListPartitionReassignments'), 0);
});
