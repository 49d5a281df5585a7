// OffsetForLeaderEpoch (key 23) schema: round trips at every version, golden bytes written out by hand
// from the layout in Kafka's OffsetForLeaderEpochRequest.json / OffsetForLeaderEpochResponse.json, the
// version-gated fields, its advertisement only alongside a broker handler, and the Fetch fields a follower
// relies on (ReplicaId, CurrentLeaderEpoch, per-partition leader-epoch errors).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, advertisedApiVersions, apiSpec } from '../../../src/protocol/api.js';
import { ErrorCode, errorFromCode, errorInfo } from '../../../src/protocol/error-codes.js';
import {
  OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse,
} from '../../../src/protocol/messages/offset-for-leader-epoch.js';
import { FetchRequest, FetchResponse } from '../../../src/protocol/messages/fetch.js';
import { createHandlers } from '../../../src/broker/handlers/index.js';
import { apiVersionsHandler } from '../../../src/broker/handlers/api-versions.js';
import type { Handler, RequestContext } from '../../../src/broker/request-context.js';
import { replicationSamples } from './replication-samples.js';
import { roundTrip, wireBytes } from '../../helpers/wire-check.js';


const sample = replicationSamples[ApiKey.OffsetForLeaderEpoch];


describe('OffsetForLeaderEpoch schema', () => {
  test('registered as key 23, versions 0-3 (v4 is the first flexible one)', () => {
    const spec = apiSpec(23)!;
    assert.deepEqual([spec.key, spec.name, spec.minVersion, spec.maxVersion], [23, 'OffsetForLeaderEpoch', 0, 3]);
    assert.equal(spec.request, OffsetForLeaderEpochRequest);
    assert.equal(spec.response, OffsetForLeaderEpochResponse);
  });

  test('request round trip v0', () => roundTrip(OffsetForLeaderEpochRequest, sample.request(0), 0));
  test('request round trip v1', () => roundTrip(OffsetForLeaderEpochRequest, sample.request(1), 1));
  test('request round trip v2', () => roundTrip(OffsetForLeaderEpochRequest, sample.request(2), 2));
  test('request round trip v3', () => roundTrip(OffsetForLeaderEpochRequest, sample.request(3), 3));
  test('response round trip v0', () => roundTrip(OffsetForLeaderEpochResponse, sample.response(0), 0));
  test('response round trip v1', () => roundTrip(OffsetForLeaderEpochResponse, sample.response(1), 1));
  test('response round trip v2', () => roundTrip(OffsetForLeaderEpochResponse, sample.response(2), 2));
  test('response round trip v3', () => roundTrip(OffsetForLeaderEpochResponse, sample.response(3), 3));

  // A follower (broker 2) asks for the end of epochs 6 and 258 of orders-0 and orders-3.
  const followerRequest = {
    replicaId: 2,
    topics: [{
      topic: 'orders',
      partitions: [
        { partition: 0, currentLeaderEpoch: 7, leaderEpoch: 6 },
        { partition: 3, currentLeaderEpoch: -1, leaderEpoch: 258 },
      ],
    }],
  };
  const leaderResponse = {
    throttleTimeMs: 0,
    topics: [{
      topic: 'orders',
      partitions: [
        { errorCode: 0, partition: 0, leaderEpoch: 6, endOffset: 1000n },
        { errorCode: 74, partition: 3, leaderEpoch: -1, endOffset: -1n },
      ],
    }],
  };

  test('golden request bytes v3: ReplicaId, then per partition Partition, CurrentLeaderEpoch, LeaderEpoch', () => {
    const golden = wireBytes(
      [4, 2], // ReplicaId
      [4, 1], 'orders', // Topics: 1, Topic
      [4, 2], // Partitions: 2
      [4, 0], [4, 7], [4, 6], // Partition, CurrentLeaderEpoch, LeaderEpoch
      [4, 3], [4, -1], [4, 258],
    );
    assert.equal(golden.length, 4 + 4 + 8 + 4 + 2 * 12);
    assert.deepEqual(OffsetForLeaderEpochRequest.toBuffer(followerRequest, 3), golden);
    assert.deepEqual(OffsetForLeaderEpochRequest.fromBuffer(golden, 3), followerRequest);
    assert.deepEqual(
      [...golden.subarray(0, 12)],
      [0, 0, 0, 2, 0, 0, 0, 1, 0, 6, 0x6f, 0x72], // "or" of "orders" after the INT16 length
    );
  });

  test('golden response bytes v3: ThrottleTimeMs, then per partition ErrorCode, Partition, LeaderEpoch, EndOffset', () => {
    const golden = wireBytes(
      [4, 0], // ThrottleTimeMs
      [4, 1], 'orders',
      [4, 2],
      [2, 0], [4, 0], [4, 6], [8, 1000n], // ErrorCode, Partition, LeaderEpoch, EndOffset
      [2, 74], [4, 3], [4, -1], [8, -1n],
    );
    assert.equal(golden.length, 4 + 4 + 8 + 4 + 2 * 18);
    assert.deepEqual(OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 3), golden);
    assert.deepEqual(OffsetForLeaderEpochResponse.fromBuffer(golden, 3), leaderResponse);
    assert.deepEqual([...golden.subarray(20, 30)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 6], 'ErrorCode 0, Partition 0, LeaderEpoch 6');
    assert.deepEqual([...golden.subarray(30, 38)], [0, 0, 0, 0, 0, 0, 3, 0xe8], 'EndOffset 1000');
  });

  test('v2 is v3 without ReplicaId, which then decodes as -2 (Kafka default)', () => {
    const v3 = OffsetForLeaderEpochRequest.toBuffer(followerRequest, 3);
    const v2 = OffsetForLeaderEpochRequest.toBuffer(followerRequest, 2);
    assert.deepEqual(v2, v3.subarray(4));
    assert.equal(OffsetForLeaderEpochRequest.fromBuffer(v2, 2).replicaId, -2);
    assert.deepEqual(OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 2), OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 3));
  });

  test('v0/v1 requests lack CurrentLeaderEpoch (4 bytes per partition), which decodes as -1', () => {
    const v2 = OffsetForLeaderEpochRequest.toBuffer(followerRequest, 2);
    for (const v of [0, 1]) {
      const old = OffsetForLeaderEpochRequest.toBuffer(followerRequest, v);
      assert.equal(v2.length - old.length, 2 * 4, `v${v}`);
      assert.deepEqual(old, wireBytes([4, 1], 'orders', [4, 2], [4, 0], [4, 6], [4, 3], [4, 258]), `v${v}`);
      const back = OffsetForLeaderEpochRequest.fromBuffer(old, v);
      assert.deepEqual(back.topics[0].partitions.map((p) => p.currentLeaderEpoch), [-1, -1]);
      assert.equal(back.replicaId, -2);
    }
  });

  test('v0 responses lack ThrottleTimeMs and LeaderEpoch (decodes as -1); v1 adds LeaderEpoch only', () => {
    const v0 = OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 0);
    assert.deepEqual(v0, wireBytes([4, 1], 'orders', [4, 2], [2, 0], [4, 0], [8, 1000n], [2, 74], [4, 3], [8, -1n]));
    assert.deepEqual(OffsetForLeaderEpochResponse.fromBuffer(v0, 0).topics[0].partitions[0].leaderEpoch, -1);
    const v1 = OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 1);
    assert.equal(v1.length - v0.length, 2 * 4);
    assert.equal(OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 2).length - v1.length, 4);
    assert.equal(OffsetForLeaderEpochResponse.fromBuffer(v1, 1).throttleTimeMs, 0);
  });

  test('a truncated response throws INVALID_REQUEST', () => {
    const buf = OffsetForLeaderEpochResponse.toBuffer(leaderResponse, 3);
    for (const cut of [3, 20, buf.length - 1]) {
      assert.throws(() => OffsetForLeaderEpochResponse.fromBuffer(buf.subarray(0, cut), 3), { code: 'INVALID_REQUEST' });
    }
  });
});

describe('error codes replication answers with', () => {
  test('numbers and retriable flags as in Kafka (all retriable)', () => {
    const expected: Record<string, number> = {
      NOT_LEADER_OR_FOLLOWER: 6, REQUEST_TIMED_OUT: 7, REPLICA_NOT_AVAILABLE: 9, NOT_ENOUGH_REPLICAS: 19,
      NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20, FENCED_LEADER_EPOCH: 74, UNKNOWN_LEADER_EPOCH: 75,
    };
    for (const [name, code] of Object.entries(expected)) {
      assert.equal(ErrorCode[name], code, name);
      assert.deepEqual([errorInfo(code).name, errorInfo(code).retriable], [name, true], name);
      assert.equal(errorFromCode(code).retriable, true, name);
    }
  });
});

describe('advertised only alongside a broker handler', () => {
  test("the broker's ApiVersions answer lists exactly the registered APIs it has a handler for", async () => {
    const handlers = createHandlers();
    const answer = await handlers.get(ApiKey.ApiVersions)!({}, {} as RequestContext);
    const advertised: number[] = answer.apiKeys.map((a: { apiKey: number }) => a.apiKey);
    assert.deepEqual([...advertised].sort((a, b) => a - b), [...handlers.keys()].sort((a, b) => a - b));
    for (const a of answer.apiKeys) {
      const spec = apiSpec(a.apiKey)!;
      assert.deepEqual([a.minVersion, a.maxVersion], [spec.minVersion, spec.maxVersion], spec.name);
    }
    assert.equal(advertised.includes(ApiKey.OffsetForLeaderEpoch), handlers.has(ApiKey.OffsetForLeaderEpoch));
    assert.ok(advertised.includes(ApiKey.ApiVersions) && advertised.includes(ApiKey.Fetch));
  });

  test('a table without an OffsetForLeaderEpoch handler does not advertise it', async () => {
    const noop = async (): Promise<null> => null;
    const table = new Map<number, Handler>([[ApiKey.Fetch, noop], [ApiKey.Metadata, noop]]);
    table.set(ApiKey.ApiVersions, apiVersionsHandler(table));
    const answer = await table.get(ApiKey.ApiVersions)!({}, {} as RequestContext);
    assert.deepEqual(answer.apiKeys.map((a: { apiKey: number }) => a.apiKey), [ApiKey.Fetch, ApiKey.Metadata, ApiKey.ApiVersions]);
    assert.equal(advertisedApiVersions({ has: (k) => k !== ApiKey.OffsetForLeaderEpoch }).some((a) => a.apiKey === 23), false);
    assert.equal(advertisedApiVersions().some((a) => a.apiKey === 23), true, 'the registry itself has it');
  });
});

describe('Fetch carries what a follower sends and what it is answered', () => {
  const followerFetch = (v: number) => ({
    replicaId: 3, maxWaitMs: 500, minBytes: 1, maxBytes: 10485760, isolationLevel: 0,
    sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'orders', partitions: [{ partition: 1, currentLeaderEpoch: v >= 9 ? 9 : -1, fetchOffset: 77n, logStartOffset: 5n, partitionMaxBytes: 1048576 }] }],
    forgottenTopicsData: [], rackId: '',
  });

  test('v9-v11: ReplicaId first, CurrentLeaderEpoch between Partition and FetchOffset', () => {
    for (const v of [9, 10, 11]) {
      const buf = FetchRequest.toBuffer(followerFetch(v), v);
      assert.equal(buf.readInt32BE(0), 3, `ReplicaId at v${v}`);
      // ReplicaId, MaxWaitMs, MinBytes, MaxBytes (16) + IsolationLevel (1) + SessionId, SessionEpoch (8)
      // + Topics count (4) + "orders" (8) + Partitions count (4) = 41, then Partition.
      assert.equal(buf.readInt32BE(41), 1);
      assert.equal(buf.readInt32BE(45), 9, `CurrentLeaderEpoch at v${v}`);
      assert.equal(buf.readBigInt64BE(49), 77n, `FetchOffset at v${v}`);
      assert.deepEqual(FetchRequest.fromBuffer(buf, v), followerFetch(v));
    }
  });

  test('v8 has no CurrentLeaderEpoch: 4 bytes shorter, decodes as -1', () => {
    const v8 = FetchRequest.toBuffer(followerFetch(9), 8);
    assert.equal(FetchRequest.toBuffer(followerFetch(9), 9).length - v8.length, 4);
    assert.equal(v8.readBigInt64BE(45), 77n);
    assert.equal(FetchRequest.fromBuffer(v8, 8).topics[0].partitions[0].currentLeaderEpoch, -1);
  });

  test('per-partition FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH round-trip in the v11 response', () => {
    const res = {
      throttleTimeMs: 0, errorCode: 0, sessionId: 0,
      responses: [{
        topic: 'orders',
        partitions: [74, 75].map((errorCode, i) => ({
          partitionIndex: i, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
          abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
        })),
      }],
    };
    const back = FetchResponse.fromBuffer(FetchResponse.toBuffer(res, 11), 11);
    assert.deepEqual(back.responses[0].partitions.map((p) => p.errorCode), [74, 75]);
  });
});
