// ElectLeaders (key 43) schema: registration (v0-1; v2 is the first flexible version), round trips,
// golden bytes written out by hand from the layout of Kafka's ElectLeadersRequest.json /
// ElectLeadersResponse.json (v1 adds ElectionType first in the request and a top-level ErrorCode in the
// response; TopicPartitions may be null), and the two error codes it brings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, apiSpec } from '../../../src/protocol/api.js';
import { errorCodeOf, errorInfo } from '../../../src/protocol/error-codes.js';
import { ElectLeadersRequest, ElectLeadersResponse } from '../../../src/protocol/messages/elect-leaders.js';
import { leaderSamples } from './leader-samples.js';
import { roundTrip, wireBytes } from '../../helpers/wire-check.js';



const sample = leaderSamples[ApiKey.ElectLeaders];

describe('ElectLeaders schema', () => {
  test('registered as key 43, versions 0-1', () => {
    const spec = apiSpec(43)!;
    assert.deepEqual([spec.key, spec.name, spec.minVersion, spec.maxVersion], [43, 'ElectLeaders', 0, 1]);
    assert.equal(spec.request, ElectLeadersRequest);
    assert.equal(spec.response, ElectLeadersResponse);
  });

  for (const v of [0, 1]) {
    test(`request and response round trip v${v}`, () => {
      roundTrip(ElectLeadersRequest, sample.request(v), v);
      roundTrip(ElectLeadersResponse, sample.response(v), v);
    });
  }

  test('null TopicPartitions (every partition) round-trips at both versions, unclean type at v1', () => {
    roundTrip(ElectLeadersRequest, { electionType: 0, topicPartitions: null, timeoutMs: 1000 }, 0);
    roundTrip(ElectLeadersRequest, { electionType: 1, topicPartitions: null, timeoutMs: 1000 }, 1);
  });

  test('request golden bytes: v1 starts with ElectionType; v0 has none', () => {
    const value = { electionType: 0, topicPartitions: [{ topic: 'ab', partitions: [3, 1] }], timeoutMs: 60000 };
    const body = [[4, 1], 'ab', [4, 2], [4, 3], [4, 1], [4, 60000]] as const;
    assert.deepEqual(ElectLeadersRequest.toBuffer(value, 1), wireBytes([1, 0], ...body as any));
    assert.deepEqual(ElectLeadersRequest.toBuffer(value, 0), wireBytes(...body as any));
    assert.deepEqual(ElectLeadersRequest.toBuffer({ electionType: 1, topicPartitions: null, timeoutMs: 5 }, 1), wireBytes([1, 1], [4, -1], [4, 5]));
    // v0 decodes to the preferred election type.
    assert.equal(ElectLeadersRequest.fromBuffer(wireBytes([4, -1], [4, 5]), 0).electionType, 0);
  });

  test('response golden bytes: v1 has the top-level ErrorCode after ThrottleTimeMs', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 41,
      replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 2, errorCode: 84, errorMessage: null }] }],
    };
    const results = [[4, 1], 't', [4, 1], [4, 2], [2, 84], null] as const;
    assert.deepEqual(ElectLeadersResponse.toBuffer(value, 1), wireBytes([4, 0], [2, 41], ...results as any));
    assert.deepEqual(ElectLeadersResponse.toBuffer(value, 0), wireBytes([4, 0], ...results as any));
    assert.equal(ElectLeadersResponse.fromBuffer(wireBytes([4, 0], ...results as any), 0).errorCode, 0);
  });

  test('PREFERRED_LEADER_NOT_AVAILABLE (80) and ELECTION_NOT_NEEDED (84) are in the error table', () => {
    assert.equal(errorCodeOf('PREFERRED_LEADER_NOT_AVAILABLE'), 80);
    assert.equal(errorCodeOf('ELECTION_NOT_NEEDED'), 84);
    assert.equal(errorInfo(80).retriable, true, 'the preferred replica may rejoin the ISR');
    assert.equal(errorInfo(84).retriable, false, 'nothing to retry');
  });
});
