// Wire schemas: round trips for every message at every supported version, golden request bytes from
// kafkajs 2.2.4's request encoders, and our responses decoded by kafkajs' response decoders.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kjsBody, kjsResponse } from '../../helpers/kafkajs-oracle.js';
import { apis, apiSpec, ApiKey } from '../../../src/protocol/api.js';
import { Writer } from '../../../src/protocol/writer.js';
import {
  ApiVersionsRequest, ApiVersionsResponse, encodeApiVersionsFallback,
} from '../../../src/protocol/messages/api-versions.js';
import { MetadataRequest, MetadataResponse } from '../../../src/protocol/messages/metadata.js';
import { ProduceRequest, ProduceResponse } from '../../../src/protocol/messages/produce.js';
import { FetchRequest, FetchResponse } from '../../../src/protocol/messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../../src/protocol/messages/list-offsets.js';
import { CreateTopicsRequest, CreateTopicsResponse } from '../../../src/protocol/messages/create-topics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from '../../../src/protocol/messages/delete-topics.js';
import {
  CreatePartitionsRequest, CreatePartitionsResponse,
} from '../../../src/protocol/messages/create-partitions.js';
import { RecordBatchBuilder } from '../../../src/protocol/record-batch-builder.js';
import { groupSamples } from './group-samples.js';
import { configSamples } from './config-samples.js';
import { replicationSamples } from './replication-samples.js';
import { leaderSamples } from './leader-samples.js';
import { reassignmentSamples } from './reassignment-samples.js';
import { securitySamples } from './security-samples.js';
import { producerSamples } from './producer-samples.js';
import { transactionSamples } from './transaction-samples.js';
import { roundTrip } from '../../helpers/wire-check.js';


function range(min: number, max: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}


// --- sample values; fields a version lacks carry the value decode gives them there ---

const records: Buffer = Buffer.from('0123456789abcdef-not-a-real-batch');

function apiVersionsResponse(v: number) {
  return {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }, { apiKey: 18, minVersion: 0, maxVersion: 2 }],
    throttleTimeMs: v >= 1 ? 25 : 0,
  };
}

function metadataRequest(v: number, topics: { name: string }[] | null = [{ name: 'orders' }, { name: 'päyments' }]) {
  return { topics, allowAutoTopicCreation: v >= 4 ? false : true };
}

function metadataResponse(v: number) {
  return {
    throttleTimeMs: v >= 3 ? 10 : 0,
    brokers: [
      { nodeId: 1, host: '127.0.0.1', port: 9092, rack: v >= 1 ? 'rack-a' : null },
      { nodeId: 2, host: 'broker-2', port: 9093, rack: null },
    ],
    clusterId: v >= 2 ? 'mq-cluster' : null,
    controllerId: v >= 1 ? 2 : -1,
    topics: [
      {
        errorCode: 0, name: 'orders', isInternal: false,
        partitions: [
          { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1, 2] },
          { errorCode: 5, partitionIndex: 1, leaderId: -1, replicaNodes: [2], isrNodes: [] },
        ],
      },
      { errorCode: 3, name: 'missing', isInternal: false, partitions: [] },
    ],
  };
}

function produceRequest(_v: number) {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      { name: 'orders', partitionData: [{ index: 0, records }, { index: 3, records: Buffer.alloc(0) }] },
      { name: 'audit', partitionData: [{ index: 1, records }] },
    ],
  };
}

function produceResponse(v: number) {
  return {
    responses: [{
      name: 'orders',
      partitionResponses: [
        { index: 0, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: v >= 5 ? 7n : -1n },
        { index: 3, errorCode: 6, baseOffset: -1n, logAppendTimeMs: v >= 2 ? 1700000000123n : -1n, logStartOffset: -1n },
      ],
    }],
    throttleTimeMs: v >= 1 ? 25 : 0,
  };
}

function fetchRequest(v: number) {
  return {
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52428800,
    isolationLevel: 1,
    sessionId: v >= 7 ? 17 : 0,
    sessionEpoch: v >= 7 ? 3 : -1,
    topics: [{
      topic: 'orders',
      partitions: [
        {
          partition: 0, currentLeaderEpoch: v >= 9 ? 4 : -1, fetchOffset: 2n ** 40n,
          logStartOffset: v >= 5 ? 12n : -1n, partitionMaxBytes: 1048576,
        },
        { partition: 1, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1024 },
      ],
    }],
    forgottenTopicsData: v >= 7 ? [{ topic: 'old', partitions: [0, 2] }] : [],
    rackId: v >= 11 ? 'rack-b' : '',
  };
}

function fetchResponse(v: number) {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: v >= 7 ? 99 : 0,
    responses: [{
      topic: 'orders',
      partitions: [
        {
          partitionIndex: 0, errorCode: 0, highWatermark: 100n, lastStableOffset: 90n,
          logStartOffset: v >= 5 ? 3n : -1n,
          abortedTransactions: [{ producerId: 5n, firstOffset: 91n }],
          preferredReadReplica: -1, records,
        },
        {
          partitionIndex: 1, errorCode: 1, highWatermark: -1n, lastStableOffset: -1n,
          logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
        },
      ],
    }],
  };
}

function listOffsetsRequest(v: number) {
  return {
    replicaId: -1,
    isolationLevel: v >= 2 ? 1 : 0,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -2n }, { partitionIndex: 1, timestamp: 1700000000000n }] }],
  };
}

function listOffsetsResponse(v: number) {
  return {
    throttleTimeMs: v >= 2 ? 5 : 0,
    topics: [{
      name: 'orders',
      partitions: [
        { partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 17n },
        { partitionIndex: 1, errorCode: 6, timestamp: -1n, offset: -1n },
      ],
    }],
  };
}

function createTopicsRequest(v: number) {
  return {
    topics: [
      {
        name: 'orders', numPartitions: 3, replicationFactor: 2, assignments: [],
        configs: [{ name: 'retention.ms', value: '86400000' }, { name: 'cleanup.policy', value: null }],
      },
      {
        name: 'placed', numPartitions: -1, replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }, { partitionIndex: 1, brokerIds: [2, 3] }],
        configs: [],
      },
    ],
    timeoutMs: 5000,
    validateOnly: v >= 1,
  };
}

function createTopicsResponse(v: number) {
  return {
    throttleTimeMs: v >= 2 ? 1 : 0,
    topics: [
      { name: 'orders', errorCode: 0, errorMessage: null },
      { name: 'placed', errorCode: 36, errorMessage: v >= 1 ? "Topic 'placed' already exists." : null },
    ],
  };
}

function deleteTopicsRequest(_v: number) {
  return { topicNames: ['orders', 'audit'], timeoutMs: 5000 };
}

function deleteTopicsResponse(v: number) {
  return {
    throttleTimeMs: v >= 1 ? 3 : 0,
    responses: [{ name: 'audit', errorCode: 0 }, { name: 'orders', errorCode: 3 }],
  };
}

function createPartitionsRequest(_v: number) {
  return {
    topics: [
      { name: 'orders', count: 6, assignments: null },
      { name: 'audit', count: 3, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [3, 1] }] },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  };
}

function createPartitionsResponse(_v: number) {
  return {
    throttleTimeMs: 0,
    results: [
      { name: 'audit', errorCode: 0, errorMessage: null },
      { name: 'orders', errorCode: 37, errorMessage: 'Topic already has 6 partitions.' },
    ],
  };
}

const samples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.ApiVersions]: { request: () => ({}), response: apiVersionsResponse },
  [ApiKey.Metadata]: { request: (v) => metadataRequest(v), response: metadataResponse },
  [ApiKey.Produce]: { request: produceRequest, response: produceResponse },
  [ApiKey.Fetch]: { request: fetchRequest, response: fetchResponse },
  [ApiKey.ListOffsets]: { request: listOffsetsRequest, response: listOffsetsResponse },
  [ApiKey.CreateTopics]: { request: createTopicsRequest, response: createTopicsResponse },
  [ApiKey.DeleteTopics]: { request: deleteTopicsRequest, response: deleteTopicsResponse },
  [ApiKey.CreatePartitions]: { request: createPartitionsRequest, response: createPartitionsResponse },
  ...groupSamples,
  ...configSamples,
  ...replicationSamples,
  ...leaderSamples,
  ...reassignmentSamples,
  ...securitySamples,
  ...producerSamples,
  ...transactionSamples,
};

describe('round trip of every message at every supported version', () => {
  for (const api of apis) {
    test(`${api.name} v${api.minVersion}-v${api.maxVersion}`, () => {
      const sample = samples[api.key];
      assert.ok(sample, `a sample for ${api.name}`);
      for (const v of range(api.minVersion, api.maxVersion)) {
        roundTrip(api.request, sample.request(v), v);
        roundTrip(api.response, sample.response(v), v);
      }
    });
  }

  test('fields outside their version range are not written', () => {
    const v4 = FetchRequest.toBuffer(fetchRequest(11), 4);
    const v11 = FetchRequest.toBuffer(fetchRequest(11), 11);
    // v11 adds SessionId, SessionEpoch (8), per partition CurrentLeaderEpoch + LogStartOffset (2 x 12),
    // ForgottenTopicsData (4 + 2+3 + 4+8) and RackId (2+6).
    assert.equal(v11.length - v4.length, 8 + 24 + 21 + 8);
    const decoded = FetchRequest.fromBuffer(v4, 4);
    assert.equal(decoded.rackId, '');
    assert.equal(decoded.sessionEpoch, -1);
    assert.equal(decoded.topics[0].partitions[0].logStartOffset, -1n);
    assert.deepEqual(decoded.forgottenTopicsData, []);
  });

  test('Metadata v0: an empty topic list means all topics and decodes as null', () => {
    const all = MetadataRequest.toBuffer(metadataRequest(0, null), 0);
    assert.deepEqual([...all], [0, 0, 0, 0]);
    assert.equal(MetadataRequest.fromBuffer(all, 0).topics, null);
    assert.throws(() => MetadataRequest.toBuffer(metadataRequest(0, []), 0), { code: 'INVALID_REQUEST' });
    // v1+: null is -1 and [] stays "no topics".
    assert.deepEqual([...MetadataRequest.toBuffer(metadataRequest(1, null), 1)], [0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual(MetadataRequest.fromBuffer(Buffer.from([0, 0, 0, 0]), 1).topics, []);
    assert.equal(MetadataRequest.fromBuffer(Buffer.from([0, 0, 0, 0]), 1).allowAutoTopicCreation, true);
  });

  test('RECORDS encodes a list of slices as one field and keeps large slices by reference', () => {
    const big = Buffer.alloc(8192, 7);
    const small = Buffer.from([1, 2, 3]);
    const value = fetchResponse(11);
    value.responses[0].partitions[0].records = [small, big] as any;
    const w = new Writer();
    FetchResponse.encode(w, value, 11);
    const chunks = w.toChunks();
    assert.ok(chunks.includes(big), 'the 8 KiB slice is one of the output chunks, not a copy');
    const back = FetchResponse.fromBuffer(Buffer.concat(chunks), 11);
    assert.deepEqual(back.responses[0].partitions[0].records, Buffer.concat([small, big]));
  });

  test('decoded RECORDS are views of the input buffer', () => {
    const buf = ProduceRequest.toBuffer(produceRequest(7), 7);
    const decoded = ProduceRequest.fromBuffer(buf, 7);
    const rec = decoded.topicData[0].partitionData[0].records as Buffer;
    assert.equal(rec.buffer, buf.buffer);
  });

  test('truncated messages throw INVALID_REQUEST rather than returning garbage', () => {
    const buf = MetadataResponse.toBuffer(metadataResponse(4), 4);
    for (const cut of [1, 5, buf.length - 1]) {
      assert.throws(() => MetadataResponse.fromBuffer(buf.subarray(0, cut), 4), { code: 'INVALID_REQUEST' });
    }
  });
});

describe('ApiVersions fallback body', () => {
  test('is a v0 body with UNSUPPORTED_VERSION and our ApiVersions range', () => {
    const body = encodeApiVersionsFallback();
    assert.deepEqual(
      [...body],
      [0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 2],
    );
    const spec = apiSpec(ApiKey.ApiVersions)!;
    const decoded = ApiVersionsResponse.fromBuffer(body, 0);
    assert.deepEqual(decoded.apiKeys, [{ apiKey: 18, minVersion: spec.minVersion, maxVersion: spec.maxVersion }]);
  });

  test('kafkajs reads it as UNSUPPORTED_VERSION (its cue to retry with a lower version)', async () => {
    await assert.rejects(kjsResponse('apiVersions', 2).decode(encodeApiVersionsFallback()), { type: 'UNSUPPORTED_VERSION' });
  });
});

describe('golden request bytes against kafkajs 2.2.4 encoders', () => {
  test('ApiVersions v0-v2 (empty body)', async () => {
    for (const v of [0, 1, 2]) {
      assert.deepEqual(ApiVersionsRequest.toBuffer({}, v), await kjsBody('apiVersions', v, {}));
    }
  });

  test('Metadata v0-v4', async () => {
    const topics = ['orders', 'päyments', 'a.b-c_d'];
    for (const v of [0, 1, 2, 3, 4]) {
      const ours = MetadataRequest.toBuffer(
        { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: v >= 4 ? false : true }, v);
      assert.deepEqual(ours, await kjsBody('metadata', v, { topics, allowAutoTopicCreation: false }), `v${v}`);
    }
    // kafkajs writes an empty list as a null array (all topics) in v1+.
    assert.deepEqual(MetadataRequest.toBuffer({ topics: null, allowAutoTopicCreation: true }, 4),
      await kjsBody('metadata', 4, { topics: [] }));
    assert.deepEqual(MetadataRequest.toBuffer({ topics: null, allowAutoTopicCreation: true }, 0),
      await kjsBody('metadata', 0, { topics: [] }));
  });

  for (const compression of ['none', 'gzip'] as const) {
    test(`Produce v3-v7 with a RecordBatch (${compression})`, async () => {
      const t0 = 1700000000000;
      const messages = [
        { key: Buffer.from('k1'), value: Buffer.from('hello'), timestamp: t0, headers: { trace: Buffer.from('abc') } },
        { key: null, value: Buffer.from('wörld'), timestamp: t0 + 5 },
        { key: Buffer.from('k3'), value: null, timestamp: t0 + 300_000, headers: { a: Buffer.from('1'), bb: Buffer.alloc(0) } },
      ];
      const builder = new RecordBatchBuilder({ producerEpoch: 0, baseSequence: 0, compression });
      for (const m of messages) {
        const headers = m.headers ? Object.entries(m.headers).map(([key, value]) => ({ key, value })) : [];
        assert.equal(builder.tryAppend({ key: m.key, value: m.value, headers, timestamp: m.timestamp }), true);
      }
      const batch = builder.build();
      for (const v of [3, 4, 5, 6, 7]) {
        const ours = ProduceRequest.toBuffer({
          transactionalId: null, acks: -1, timeoutMs: 30000,
          topicData: [{ name: 'orders', partitionData: [{ index: 2, records: batch }] }],
        }, v);
        const theirs = await kjsBody('produce', v, {
          acks: -1, timeout: 30000, compression: compression === 'gzip' ? 1 : 0,
          topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages }] }],
        });
        assert.deepEqual(ours, theirs, `Produce v${v}`);
      }
    });
  }

  test('Fetch v4-v11', async () => {
    for (const v of range(4, 11)) {
      const ours = FetchRequest.toBuffer({
        replicaId: -1, maxWaitMs: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1,
        sessionId: 0, sessionEpoch: -1,
        topics: [{
          topic: 'orders',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 12345678901n, logStartOffset: -1n, partitionMaxBytes: 1048576 },
            { partition: 7, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1024 },
          ],
        }],
        forgottenTopicsData: [],
        rackId: '',
      }, v);
      const theirs = await kjsBody('fetch', v, {
        replicaId: -1, maxWaitTime: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1,
        topics: [{
          topic: 'orders',
          partitions: [
            { partition: 0, fetchOffset: '12345678901', maxBytes: 1048576 },
            { partition: 7, fetchOffset: '0', maxBytes: 1024 },
          ],
        }],
      });
      assert.deepEqual(ours, theirs, `Fetch v${v}`);
    }
  });

  test('ListOffsets v1-v3', async () => {
    for (const v of [1, 2, 3]) {
      const ours = ListOffsetsRequest.toBuffer({
        replicaId: -1, isolationLevel: 1,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -2n }, { partitionIndex: 1, timestamp: 1700000000000n }] }],
      }, v);
      const theirs = await kjsBody('listOffsets', v, {
        replicaId: -1, isolationLevel: 1,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }, { partition: 1, timestamp: '1700000000000' }] }],
      });
      assert.deepEqual(ours, theirs, `ListOffsets v${v}`);
    }
  });

  test('CreateTopics v0-v4 (kafkajs stops at v3; v4 has the v3 layout)', async () => {
    for (const v of [0, 1, 2, 3, 4]) {
      const ours = CreateTopicsRequest.toBuffer({
        topics: [
          { name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
          { name: 'placed', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] },
        ],
        timeoutMs: 5000, validateOnly: true,
      }, v);
      const theirs = await kjsBody('createTopics', Math.min(v, 3), {
        topics: [
          { topic: 'orders', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '1000' }] },
          { topic: 'placed', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
        ],
        timeout: 5000, validateOnly: true,
      });
      assert.deepEqual(ours, theirs, `CreateTopics v${v}`);
    }
  });

  test('DeleteTopics v0-v1', async () => {
    for (const v of [0, 1]) {
      assert.deepEqual(
        DeleteTopicsRequest.toBuffer({ topicNames: ['orders', 'audit'], timeoutMs: 7000 }, v),
        await kjsBody('deleteTopics', v, { topics: ['orders', 'audit'], timeout: 7000 }),
      );
    }
  });

  test('CreatePartitions v0-v1', async () => {
    for (const v of [0, 1]) {
      assert.deepEqual(
        CreatePartitionsRequest.toBuffer({
          topics: [
            { name: 'orders', count: 6, assignments: null },
            { name: 'audit', count: 4, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }] },
          ],
          timeoutMs: 5000, validateOnly: false,
        }, v),
        await kjsBody('createPartitions', v, {
          topicPartitions: [
            { topic: 'orders', count: 6 },
            { topic: 'audit', count: 4, assignments: [[1, 2], [2, 3]] },
          ],
          timeout: 5000, validateOnly: false,
        }),
      );
    }
  });
});

describe('our responses as kafkajs 2.2.4 decodes them', () => {
  test('ApiVersions v0-v2', async () => {
    for (const v of [0, 1, 2]) {
      const got = await kjsResponse('apiVersions', v).decode(ApiVersionsResponse.toBuffer(apiVersionsResponse(v), v));
      assert.equal(got.errorCode, 0);
      assert.deepEqual(got.apiVersions, apiVersionsResponse(v).apiKeys);
      if (v === 1) assert.equal(got.throttleTime, 25);
      if (v === 2) assert.equal(got.clientSideThrottleTime, 25);
    }
  });

  test('Metadata v0-v4', async () => {
    for (const v of [0, 1, 2, 3, 4]) {
      const value = metadataResponse(v);
      const got = await kjsResponse('metadata', v).decode(MetadataResponse.toBuffer(value, v));
      assert.deepEqual(got.brokers.map((b: any) => [b.nodeId, b.host, b.port]), value.brokers.map((b) => [b.nodeId, b.host, b.port]));
      if (v >= 1) {
        assert.equal(got.controllerId, 2);
        assert.equal(got.brokers[0].rack, 'rack-a');
        assert.equal(got.brokers[1].rack, null);
        assert.equal(got.topicMetadata[0].isInternal, false);
      }
      if (v >= 2) assert.equal(got.clusterId, 'mq-cluster');
      if (v >= 3) assert.equal(got.throttleTime, 10);
      assert.deepEqual(got.topicMetadata.map((t: any) => [t.topicErrorCode, t.topic]), [[0, 'orders'], [3, 'missing']]);
      assert.deepEqual(got.topicMetadata[0].partitionMetadata[1], {
        partitionErrorCode: 5, partitionId: 1, leader: -1, replicas: [2], isr: [],
      });
    }
  });

  test('Produce v3-v7', async () => {
    for (const v of [3, 4, 5, 6, 7]) {
      const got = await kjsResponse('produce', v).decode(ProduceResponse.toBuffer(produceResponse(v), v));
      const p = got.topics[0].partitions;
      assert.equal(got.topics[0].topicName, 'orders');
      assert.deepEqual([p[0].partition, p[0].errorCode, p[0].baseOffset, p[0].logAppendTime], [0, 0, '42', '-1']);
      assert.deepEqual([p[1].partition, p[1].errorCode, p[1].baseOffset, p[1].logAppendTime], [3, 6, '-1', '1700000000123']);
      if (v >= 5) assert.equal(p[0].logStartOffset, '7');
    }
  });

  test('Produce v0-v2 (advertised for librdkafka gzip; no LogAppendTime before v2, no ThrottleTimeMs in v0)', async () => {
    for (const v of [0, 1, 2]) {
      const got = await kjsResponse('produce', v).decode(ProduceResponse.toBuffer(produceResponse(v), v));
      const p = got.topics[0].partitions;
      assert.equal(got.topics[0].topicName, 'orders');
      assert.deepEqual([p[0].partition, p[0].errorCode, p[0].offset], [0, 0, '42']);
      assert.deepEqual([p[1].partition, p[1].errorCode, p[1].offset], [3, 6, '-1']);
      if (v >= 1) assert.equal(got.throttleTime, 25);
      if (v === 2) assert.equal(p[1].timestamp, '1700000000123');
    }
  });

  test('Fetch v4-v11 with real record batches, a null AbortedTransactions and an empty partition', async () => {
    const b = new RecordBatchBuilder();
    b.tryAppend({ key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: 1700000000000, headers: [{ key: 'h', value: Buffer.from('x') }] });
    b.tryAppend({ key: null, value: Buffer.from('v2'), timestamp: 1700000000001 });
    const batch = b.build();
    batch.writeBigInt64BE(100n, 0); // the broker assigns BaseOffset 100
    for (const v of range(4, 11)) {
      const value = fetchResponse(v);
      value.responses[0].partitions[0].records = batch;
      const got = await kjsResponse('fetch', v).decode(FetchResponse.toBuffer(value, v));
      const [p0, p1] = got.responses[0].partitions;
      assert.equal(got.responses[0].topicName, 'orders');
      assert.deepEqual([p0.partition, p0.errorCode, p0.highWatermark, p0.lastStableOffset], [0, 0, '100', '90']);
      assert.deepEqual(p0.abortedTransactions, [{ producerId: '5', firstOffset: '91' }]);
      assert.deepEqual(p0.messages.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.toString(), m.timestamp]),
        [['100', 'k', 'v1', '1700000000000'], ['101', null, 'v2', '1700000000001']]);
      assert.deepEqual(p0.messages[0].headers, { h: Buffer.from('x') });
      assert.deepEqual(p1.abortedTransactions, []);
      assert.deepEqual(p1.messages, []);
      if (v >= 5) assert.equal(p0.lastStartOffset, '3');
      if (v >= 7) assert.equal(got.sessionId, 99);
      if (v >= 11) assert.equal(p0.preferredReadReplica, -1);
    }
  });

  test('ListOffsets v1-v3', async () => {
    for (const v of [1, 2, 3]) {
      const got = await kjsResponse('listOffsets', v).decode(ListOffsetsResponse.toBuffer(listOffsetsResponse(v), v));
      assert.deepEqual(got.responses, [{
        topic: 'orders',
        partitions: [
          { partition: 0, errorCode: 0, timestamp: '-1', offset: '17' },
          { partition: 1, errorCode: 6, timestamp: '-1', offset: '-1' },
        ],
      }]);
      if (v === 2) assert.equal(got.throttleTime, 5);
    }
  });

  test('CreateTopics v0-v3', async () => {
    for (const v of [0, 1, 2, 3]) {
      const got = await kjsResponse('createTopics', v).decode(CreateTopicsResponse.toBuffer(createTopicsResponse(v), v));
      assert.deepEqual(got.topicErrors.map((t: any) => [t.topic, t.errorCode]), [['orders', 0], ['placed', 36]]);
      if (v >= 1) assert.equal(got.topicErrors[1].errorMessage, "Topic 'placed' already exists.");
      if (v === 2) assert.equal(got.throttleTime, 1);
    }
  });

  test('DeleteTopics v0-v1', async () => {
    for (const v of [0, 1]) {
      const got = await kjsResponse('deleteTopics', v).decode(DeleteTopicsResponse.toBuffer(deleteTopicsResponse(v), v));
      assert.deepEqual(got.topicErrors, [{ topic: 'audit', errorCode: 0 }, { topic: 'orders', errorCode: 3 }]);
      if (v === 1) assert.equal(got.clientSideThrottleTime, 3);
    }
  });

  test('CreatePartitions v0-v1', async () => {
    for (const v of [0, 1]) {
      const got = await kjsResponse('createPartitions', v).decode(CreatePartitionsResponse.toBuffer(createPartitionsResponse(v), v));
      assert.deepEqual(got.topicErrors, [
        { topic: 'audit', errorCode: 0, errorMessage: null },
        { topic: 'orders', errorCode: 37, errorMessage: 'Topic already has 6 partitions.' },
      ]);
    }
  });
});
