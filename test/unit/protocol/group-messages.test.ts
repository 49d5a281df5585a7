// Consumer-group wire schemas: round trips at every supported version, golden request bytes from
// kafkajs 2.2.4's request encoders, our responses through kafkajs' response decoders, and the
// consumer-protocol payloads against kafkajs' MemberMetadata/MemberAssignment.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kjsBody, kjsResponse, kjsRequire as require } from '../../helpers/kafkajs-oracle.js';
import { ApiKey, advertisedApiVersions, apiSpec } from '../../../src/protocol/api.js';
import { ApiVersionsResponse } from '../../../src/protocol/messages/api-versions.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from '../../../src/protocol/messages/find-coordinator.js';
import { JoinGroupRequest, JoinGroupResponse } from '../../../src/protocol/messages/join-group.js';
import { HeartbeatRequest, HeartbeatResponse } from '../../../src/protocol/messages/heartbeat.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../../../src/protocol/messages/leave-group.js';
import { SyncGroupRequest, SyncGroupResponse } from '../../../src/protocol/messages/sync-group.js';
import { OffsetCommitRequest, OffsetCommitResponse } from '../../../src/protocol/messages/offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from '../../../src/protocol/messages/offset-fetch.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from '../../../src/protocol/messages/describe-groups.js';
import { ListGroupsRequest, ListGroupsResponse } from '../../../src/protocol/messages/list-groups.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from '../../../src/protocol/messages/delete-groups.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from '../../../src/protocol/messages/offset-delete.js';
import {
  decodeConsumerProtocolAssignment, decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment, encodeConsumerProtocolSubscription,
} from '../../../src/protocol/messages/consumer-protocol.js';
import { groupSamples } from './group-samples.js';
import { roundTrip } from '../../helpers/wire-check.js';


function versionsOf(key: number): number[] {
  const spec = apiSpec(key)!;
  const out: number[] = [];
  for (let v = spec.minVersion; v <= spec.maxVersion; v++) out.push(v);
  return out;
}


const groupApis = [
  ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.SyncGroup,
  ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.DescribeGroups, ApiKey.ListGroups, ApiKey.DeleteGroups, ApiKey.OffsetDelete,
];

/** The versions kafkajs 2.2.4 implements (ListGroups v3+ are flexible, OffsetDelete it has not). */
const kjsVersionsOf = (key: number): number[] => versionsOf(key).filter((v) => key !== ApiKey.ListGroups || v <= 2);

describe('group messages: registry and round trips', () => {
  test('registered with the ranges PROTOCOL.md advertises', () => {
    const ranges = Object.fromEntries(groupApis.map((k) => [k, [apiSpec(k)!.minVersion, apiSpec(k)!.maxVersion]]));
    assert.deepEqual(ranges, {
      8: [2, 5], 9: [1, 4], 10: [0, 2], 11: [0, 5], 12: [0, 3], 13: [0, 2], 14: [0, 3], 15: [0, 2], 16: [0, 4], 42: [0, 1], 47: [0, 1],
    });
    assert.equal(apiSpec(ApiKey.ListGroups)!.flexibleFrom, 3);
    // librdkafka's BrokerGroupCoordinator feature needs FindCoordinator v0, its Sasl feature JoinGroup v0.
    assert.equal(apiSpec(ApiKey.FindCoordinator)!.minVersion, 0);
    assert.equal(apiSpec(ApiKey.JoinGroup)!.minVersion, 0);
  });

  for (const key of groupApis) {
    const spec = apiSpec(key)!;
    test(`${spec.name} v${spec.minVersion}-v${spec.maxVersion}`, () => {
      for (const v of versionsOf(key)) {
        roundTrip(spec.request, groupSamples[key].request(v), v);
        roundTrip(spec.response, groupSamples[key].response(v), v);
      }
    });
  }

  test('OffsetCommit v5 drops RetentionTimeMs; v2-v4 carry it', () => {
    const value = groupSamples[ApiKey.OffsetCommit].request(4);
    assert.equal(OffsetCommitRequest.toBuffer(value, 4).length - OffsetCommitRequest.toBuffer(value, 5).length, 8);
    assert.equal(OffsetCommitRequest.fromBuffer(OffsetCommitRequest.toBuffer(value, 5), 5).retentionTimeMs, -1n);
  });

  test('OffsetFetch: null Topics is -1 on the wire; v1 has no top-level ErrorCode', () => {
    const all = OffsetFetchRequest.toBuffer({ groupId: 'g', topics: null }, 2);
    assert.deepEqual([...all.subarray(3)], [0xff, 0xff, 0xff, 0xff]);
    const v1 = OffsetFetchResponse.toBuffer({ throttleTimeMs: 0, topics: [], errorCode: 16 }, 1);
    assert.equal(v1.length, 4, 'v1: only the empty Topics array');
    assert.equal(OffsetFetchResponse.toBuffer({ throttleTimeMs: 0, topics: [], errorCode: 16 }, 2).readInt16BE(4), 16);
  });

  test('JoinGroup v0 decodes RebalanceTimeoutMs as -1 (the coordinator then uses the session timeout)', () => {
    const value = groupSamples[ApiKey.JoinGroup].request(0);
    assert.equal(JoinGroupRequest.fromBuffer(JoinGroupRequest.toBuffer(value, 0), 0).rebalanceTimeoutMs, -1);
  });

  test('kafkajs negotiates the top of each group range', () => {
    const body = ApiVersionsResponse.toBuffer({ errorCode: 0, apiKeys: advertisedApiVersions(), throttleTimeMs: 0 }, 2);
    return kjsResponse('apiVersions', 2).decode(body).then((decoded) => {
      const versions: Record<number, { minVersion: number; maxVersion: number }> = {};
      for (const v of decoded.apiVersions) versions[v.apiKey] = v;
      const { requests, lookup } = require('kafkajs/src/protocol/requests/index.js');
      const pick = (key: number, name: string): number => lookup(versions)(key, requests[name])({ topics: [], groupProtocols: [] }).request.apiVersion;
      assert.equal(pick(ApiKey.FindCoordinator, 'GroupCoordinator'), 2);
      assert.equal(pick(ApiKey.JoinGroup, 'JoinGroup'), 5);
      assert.equal(pick(ApiKey.Heartbeat, 'Heartbeat'), 3);
      assert.equal(pick(ApiKey.LeaveGroup, 'LeaveGroup'), 2);
      assert.equal(pick(ApiKey.SyncGroup, 'SyncGroup'), 3);
      assert.equal(pick(ApiKey.OffsetCommit, 'OffsetCommit'), 5);
      assert.equal(pick(ApiKey.OffsetFetch, 'OffsetFetch'), 4);
      assert.equal(pick(ApiKey.DescribeGroups, 'DescribeGroups'), 2);
      assert.equal(pick(ApiKey.ListGroups, 'ListGroups'), 2);
      assert.equal(pick(ApiKey.DeleteGroups, 'DeleteGroups'), 1);
    });
  });
});

describe('group messages: golden request bytes against kafkajs 2.2.4 encoders', () => {
  test('FindCoordinator v0-v2', async () => {
    for (const v of [0, 1, 2]) {
      const args = v === 0 ? { groupId: 'orders-group' } : { coordinatorKey: 'orders-group', coordinatorType: 0 };
      assert.deepEqual(FindCoordinatorRequest.toBuffer({ key: 'orders-group', keyType: 0 }, v), await kjsBody('findCoordinator', v, args), `v${v}`);
    }
  });

  test('JoinGroup v0-v5', async () => {
    const protocols = [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x61, 0, 0, 0, 0]) }, { name: 'other', metadata: Buffer.alloc(0) }];
    for (const v of versionsOf(ApiKey.JoinGroup)) {
      const ours = JoinGroupRequest.toBuffer({
        groupId: 'g-1', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 60000, memberId: 'kafkajs-abc',
        groupInstanceId: null, protocolType: 'consumer', protocols,
      }, v);
      const theirs = await kjsBody('joinGroup', v, {
        groupId: 'g-1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: 'kafkajs-abc',
        protocolType: 'consumer', groupProtocols: protocols,
      });
      assert.deepEqual(ours, theirs, `v${v}`);
    }
  });

  test('Heartbeat v0-v3', async () => {
    for (const v of versionsOf(ApiKey.Heartbeat)) {
      const ours = HeartbeatRequest.toBuffer({ groupId: 'g-1', generationId: 12, memberId: 'm-1', groupInstanceId: 'static-1' }, v);
      const theirs = await kjsBody('heartbeat', v, { groupId: 'g-1', groupGenerationId: 12, memberId: 'm-1', groupInstanceId: 'static-1' });
      assert.deepEqual(ours, theirs, `v${v}`);
    }
  });

  test('LeaveGroup v0-v2', async () => {
    for (const v of versionsOf(ApiKey.LeaveGroup)) {
      assert.deepEqual(LeaveGroupRequest.toBuffer({ groupId: 'g-1', memberId: 'm-1' }, v), await kjsBody('leaveGroup', v, { groupId: 'g-1', memberId: 'm-1' }));
    }
  });

  test('SyncGroup v0-v3', async () => {
    const assignments = [{ memberId: 'm-1', assignment: Buffer.from('one') }, { memberId: 'm-2', assignment: Buffer.alloc(0) }];
    for (const v of versionsOf(ApiKey.SyncGroup)) {
      const ours = SyncGroupRequest.toBuffer({ groupId: 'g-1', generationId: 4, memberId: 'm-1', groupInstanceId: null, assignments }, v);
      const theirs = await kjsBody('syncGroup', v, {
        groupId: 'g-1', generationId: 4, memberId: 'm-1',
        groupAssignment: assignments.map((a) => ({ memberId: a.memberId, memberAssignment: a.assignment })),
      });
      assert.deepEqual(ours, theirs, `v${v}`);
    }
  });

  test('OffsetCommit v2-v5', async () => {
    for (const v of versionsOf(ApiKey.OffsetCommit)) {
      const ours = OffsetCommitRequest.toBuffer({
        groupId: 'g-1', generationId: 3, memberId: 'm-1', retentionTimeMs: -1n,
        topics: [{ name: 'orders', partitions: [
          { partitionIndex: 0, committedOffset: 12345678901n, committedMetadata: null },
          { partitionIndex: 2, committedOffset: 7n, committedMetadata: 'meta' },
        ] }],
      }, v);
      const theirs = await kjsBody('offsetCommit', v, {
        groupId: 'g-1', groupGenerationId: 3, memberId: 'm-1', retentionTime: -1,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '12345678901' }, { partition: 2, offset: '7', metadata: 'meta' }] }],
      });
      assert.deepEqual(ours, theirs, `v${v}`);
    }
  });

  test('OffsetFetch v1-v4 (and null Topics from kafkajs v3+)', async () => {
    for (const v of versionsOf(ApiKey.OffsetFetch)) {
      const ours = OffsetFetchRequest.toBuffer({ groupId: 'g-1', topics: [{ name: 'orders', partitionIndexes: [0, 3] }] }, v);
      const theirs = await kjsBody('offsetFetch', v, { groupId: 'g-1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 3 }] }] });
      assert.deepEqual(ours, theirs, `v${v}`);
    }
    // kafkajs v3+ writes an empty topic list as a null array: "every committed offset".
    assert.deepEqual(OffsetFetchRequest.toBuffer({ groupId: 'g-1', topics: null }, 3), await kjsBody('offsetFetch', 3, { groupId: 'g-1', topics: [] }));
  });

  test('DescribeGroups, ListGroups, DeleteGroups', async () => {
    for (const v of versionsOf(ApiKey.DescribeGroups)) {
      assert.deepEqual(DescribeGroupsRequest.toBuffer({ groups: ['a', 'bb'] }, v), await kjsBody('describeGroups', v, { groupIds: ['a', 'bb'] }));
    }
    for (const v of kjsVersionsOf(ApiKey.ListGroups)) {
      assert.deepEqual(ListGroupsRequest.toBuffer({ statesFilter: [] }, v), await kjsBody('listGroups', v, undefined));
    }
    for (const v of versionsOf(ApiKey.DeleteGroups)) {
      assert.deepEqual(DeleteGroupsRequest.toBuffer({ groupsNames: ['a', 'bb'] }, v), await kjsBody('deleteGroups', v, ['a', 'bb']));
    }
  });
});

describe('group messages: our responses as kafkajs 2.2.4 decodes them', () => {
  const s = (key: number, v: number): any => groupSamples[key].response(v);

  test('FindCoordinator v0-v2', async () => {
    for (const v of versionsOf(ApiKey.FindCoordinator)) {
      const got = await kjsResponse('findCoordinator', v).decode(FindCoordinatorResponse.toBuffer(s(ApiKey.FindCoordinator, v), v));
      assert.deepEqual(got.coordinator, { nodeId: 3, host: 'broker-3', port: 9093 });
      assert.equal(got.errorCode, 0);
      if (v >= 1) assert.equal(got.errorMessage, 'fine');
    }
  });

  test('JoinGroup v0-v5', async () => {
    for (const v of versionsOf(ApiKey.JoinGroup)) {
      const got = await kjsResponse('joinGroup', v).decode(JoinGroupResponse.toBuffer(s(ApiKey.JoinGroup, v), v));
      assert.deepEqual([got.errorCode, got.generationId, got.groupProtocol, got.leaderId, got.memberId], [0, 7, 'range', 'm-1', 'm-2']);
      assert.deepEqual(got.members.map((m: any) => [m.memberId, m.memberMetadata.toString()]), [['m-1', 'one'], ['m-2', '']]);
      if (v >= 5) assert.equal(got.members[0].groupInstanceId, 'i-1');
    }
  });

  test('Heartbeat, LeaveGroup, SyncGroup', async () => {
    for (const v of versionsOf(ApiKey.Heartbeat)) {
      const got = await kjsResponse('heartbeat', v).decode(HeartbeatResponse.toBuffer(s(ApiKey.Heartbeat, v), v));
      assert.equal(got.errorCode, 27);
    }
    for (const v of versionsOf(ApiKey.LeaveGroup)) {
      const got = await kjsResponse('leaveGroup', v).decode(LeaveGroupResponse.toBuffer(s(ApiKey.LeaveGroup, v), v));
      assert.equal(got.errorCode, 25);
    }
    for (const v of versionsOf(ApiKey.SyncGroup)) {
      const got = await kjsResponse('syncGroup', v).decode(SyncGroupResponse.toBuffer(s(ApiKey.SyncGroup, v), v));
      assert.deepEqual([got.errorCode, got.memberAssignment.toString()], [0, 'assigned']);
    }
  });

  test('OffsetCommit v2-v5', async () => {
    for (const v of versionsOf(ApiKey.OffsetCommit)) {
      const got = await kjsResponse('offsetCommit', v).decode(OffsetCommitResponse.toBuffer(s(ApiKey.OffsetCommit, v), v));
      assert.deepEqual(got.responses, [{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 5, errorCode: 22 }] }]);
    }
  });

  test('OffsetFetch v1-v4', async () => {
    for (const v of versionsOf(ApiKey.OffsetFetch)) {
      const got = await kjsResponse('offsetFetch', v).decode(OffsetFetchResponse.toBuffer(s(ApiKey.OffsetFetch, v), v));
      assert.deepEqual(got.responses, [{
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '42', metadata: '', errorCode: 0 },
          { partition: 1, offset: '-1', metadata: null, errorCode: 0 },
        ],
      }]);
      if (v >= 2) assert.equal(got.errorCode, 16);
    }
  });

  test('DescribeGroups, ListGroups, DeleteGroups', async () => {
    for (const v of versionsOf(ApiKey.DescribeGroups)) {
      const got = await kjsResponse('describeGroups', v).decode(DescribeGroupsResponse.toBuffer(s(ApiKey.DescribeGroups, v), v));
      assert.deepEqual(got.groups.map((g: any) => [g.groupId, g.state, g.protocolType, g.protocol, g.members.length]),
        [['g', 'Stable', 'consumer', 'range', 1], ['other', 'Dead', '', '', 0]]);
      assert.equal(got.groups[0].members[0].clientHost, '/127.0.0.1');
      assert.equal(got.groups[0].members[0].memberAssignment.toString(), 'as');
    }
    for (const v of kjsVersionsOf(ApiKey.ListGroups)) {
      const got = await kjsResponse('listGroups', v).decode(ListGroupsResponse.toBuffer(s(ApiKey.ListGroups, v), v));
      assert.deepEqual(got.groups, [{ groupId: 'g', protocolType: 'consumer' }, { groupId: 'offsets-only', protocolType: '' }]);
    }
    for (const v of versionsOf(ApiKey.DeleteGroups)) {
      const got = await kjsResponse('deleteGroups', v).decode(DeleteGroupsResponse.toBuffer(s(ApiKey.DeleteGroups, v), v));
      assert.deepEqual(got.results.map((r: any) => [r.groupId, r.errorCode, r.error?.type ?? null]),
        [['g', 0, null], ['busy', 68, 'NON_EMPTY_GROUP'], ['missing', 69, 'GROUP_ID_NOT_FOUND']]);
    }
  });
});

describe('group messages: golden bytes from Kafka\'s schemas (APIs and versions kafkajs lacks)', () => {
  const str = (v: string) => [0, v.length, ...Buffer.from(v)];
  const compact = (v: string) => [v.length + 1, ...Buffer.from(v)];
  const i32 = (n: number) => [n >>> 24 & 0xff, n >>> 16 & 0xff, n >>> 8 & 0xff, n & 0xff];

  test('ListGroups v3 (flexible) and v4 (StatesFilter, GroupState)', () => {
    assert.deepEqual([...ListGroupsRequest.toBuffer({ statesFilter: [] }, 3)], [0]);
    assert.deepEqual([...ListGroupsRequest.toBuffer({ statesFilter: ['Empty', 'Stable'] }, 4)], [3, ...compact('Empty'), ...compact('Stable'), 0]);
    assert.deepEqual(ListGroupsRequest.fromBuffer(Buffer.from([1, 0]), 4), { statesFilter: [] });
    const res = { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Empty' }] };
    assert.deepEqual([...ListGroupsResponse.toBuffer(res, 4)],
      [...i32(0), 0, 0, 2, ...compact('g'), ...compact('consumer'), ...compact('Empty'), 0, 0]);
    assert.deepEqual([...ListGroupsResponse.toBuffer(res, 3)], [...i32(0), 0, 0, 2, ...compact('g'), ...compact('consumer'), 0, 0]);
    assert.deepEqual([...ListGroupsResponse.toBuffer(res, 2)], [...i32(0), 0, 0, ...i32(1), ...str('g'), ...str('consumer')]);
    // Tagged fields a newer peer adds are skipped.
    const tagged = Buffer.from([...i32(0), 0, 0, 2, ...compact('g'), ...compact('consumer'), ...compact('Stable'), 1, 5, 2, 9, 9, 0]);
    assert.deepEqual(ListGroupsResponse.fromBuffer(tagged, 4).groups, [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }]);
  });

  test('OffsetDelete v0-v1', () => {
    const req = { groupId: 'g', topics: [{ name: 'orders', partitions: [{ partitionIndex: 2 }] }] };
    const res = { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, errorCode: 86 }] }] };
    for (const v of [0, 1]) {
      assert.deepEqual([...OffsetDeleteRequest.toBuffer(req, v)], [...str('g'), ...i32(1), ...str('orders'), ...i32(1), ...i32(2)]);
      assert.deepEqual([...OffsetDeleteResponse.toBuffer(res, v)], [0, 0, ...i32(0), ...i32(1), ...str('orders'), ...i32(1), ...i32(2), 0, 86]);
    }
  });
});

describe('consumer-protocol payloads', () => {
  const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js');

  test('subscription round trips at v0-v3; fields a version lacks decode to their defaults', () => {
    const full = {
      topics: ['orders', 'audit'], userData: Buffer.from('ud'),
      ownedPartitions: [{ topic: 'orders', partitions: [0, 2] }], generationId: 9, rackId: 'rack-a',
    };
    for (const v of [0, 1, 2, 3]) {
      const buf = encodeConsumerProtocolSubscription(full, v);
      assert.equal(buf.readInt16BE(0), v);
      const back = decodeConsumerProtocolSubscription(buf);
      assert.equal(back.version, v);
      assert.deepEqual(back.topics, full.topics);
      assert.deepEqual(back.ownedPartitions, v >= 1 ? full.ownedPartitions : []);
      assert.equal(back.generationId, v >= 2 ? 9 : -1);
      assert.equal(back.rackId, v >= 3 ? 'rack-a' : null);
    }
  });

  test('a newer subscription version is read with the v3 layout, trailing fields ignored', () => {
    const v3 = encodeConsumerProtocolSubscription({ topics: ['t'], userData: null, ownedPartitions: [], generationId: 1, rackId: null }, 3);
    const v4 = Buffer.concat([v3, Buffer.from([0, 0, 0, 7])]);
    v4.writeInt16BE(4, 0);
    const back = decodeConsumerProtocolSubscription(v4);
    assert.deepEqual([back.version, back.topics, back.generationId], [4, ['t'], 1]);
  });

  test('matches kafkajs MemberMetadata and MemberAssignment byte for byte', () => {
    const ours = encodeConsumerProtocolSubscription({ topics: ['orders', 'audit'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null }, 0);
    assert.deepEqual(ours, MemberMetadata.encode({ version: 0, topics: ['orders', 'audit'] }));
    const theirs = MemberAssignment.encode({ version: 1, assignment: { orders: [0, 2], audit: [1] }, userData: Buffer.from('x') });
    const decoded = decodeConsumerProtocolAssignment(theirs);
    assert.deepEqual(decoded, { version: 1, assignedPartitions: [{ topic: 'orders', partitions: [0, 2] }, { topic: 'audit', partitions: [1] }], userData: Buffer.from('x') });
    assert.deepEqual(encodeConsumerProtocolAssignment(decoded, 1), theirs);
    assert.deepEqual(MemberAssignment.decode(encodeConsumerProtocolAssignment(decoded, 0)).assignment, { orders: [0, 2], audit: [1] });
  });

  test('an empty assignment payload is an empty assignment', () => {
    assert.deepEqual(decodeConsumerProtocolAssignment(Buffer.alloc(0)), { version: 0, assignedPartitions: [], userData: null });
  });
});
