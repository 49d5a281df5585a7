// Sample values of the consumer-group messages at each version, for the round trips in
// messages.test.ts and group-messages.test.ts. Fields a version lacks carry the value decode gives them.
import { ApiKey } from '../../../src/protocol/api.js';

const meta = (s: string): Buffer => Buffer.from(s);

export const groupSamples: Record<number, { request: (v: number) => any; response: (v: number) => any }> = {
  [ApiKey.FindCoordinator]: {
    request: (v) => ({ key: 'orders-group', keyType: v >= 1 ? 0 : 0 }),
    response: (v) => ({
      throttleTimeMs: v >= 1 ? 7 : 0, errorCode: 0, errorMessage: v >= 1 ? 'fine' : null,
      nodeId: 3, host: 'broker-3', port: 9093,
    }),
  },
  [ApiKey.JoinGroup]: {
    request: (v) => ({
      groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: v >= 1 ? 60000 : -1,
      memberId: 'rdkafka-1', groupInstanceId: v >= 5 ? 'instance-1' : null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: meta('\x00\x00range') }, { name: 'roundrobin', metadata: Buffer.alloc(0) }],
    }),
    response: (v) => ({
      throttleTimeMs: v >= 2 ? 4 : 0, errorCode: 0, generationId: 7, protocolName: 'range',
      leader: 'm-1', memberId: 'm-2',
      members: [
        { memberId: 'm-1', groupInstanceId: v >= 5 ? 'i-1' : null, metadata: meta('one') },
        { memberId: 'm-2', groupInstanceId: null, metadata: Buffer.alloc(0) },
      ],
    }),
  },
  [ApiKey.Heartbeat]: {
    request: (v) => ({ groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: v >= 3 ? 'i-1' : null }),
    response: (v) => ({ throttleTimeMs: v >= 1 ? 2 : 0, errorCode: 27 }),
  },
  [ApiKey.LeaveGroup]: {
    request: () => ({ groupId: 'g', memberId: 'm-1' }),
    response: (v) => ({ throttleTimeMs: v >= 1 ? 2 : 0, errorCode: 25 }),
  },
  [ApiKey.SyncGroup]: {
    request: (v) => ({
      groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: v >= 3 ? 'i-1' : null,
      assignments: [{ memberId: 'm-1', assignment: meta('a1') }, { memberId: 'm-2', assignment: Buffer.alloc(0) }],
    }),
    response: (v) => ({ throttleTimeMs: v >= 1 ? 1 : 0, errorCode: 0, assignment: meta('assigned') }),
  },
  [ApiKey.OffsetCommit]: {
    request: (v) => ({
      groupId: 'g', generationId: -1, memberId: '', retentionTimeMs: v <= 4 ? 86400000n : -1n,
      topics: [{
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 2n ** 40n, committedMetadata: null },
          { partitionIndex: 5, committedOffset: 0n, committedMetadata: 'host-a' },
        ],
      }],
    }),
    response: (v) => ({
      throttleTimeMs: v >= 3 ? 9 : 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 5, errorCode: 22 }] }],
    }),
  },
  [ApiKey.OffsetFetch]: {
    request: (v) => ({
      groupId: 'g',
      topics: v >= 2 && v % 2 === 0 ? null : [{ name: 'orders', partitionIndexes: [0, 1, 7] }],
    }),
    response: (v) => ({
      throttleTimeMs: v >= 3 ? 5 : 0,
      topics: [{
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 42n, metadata: '', errorCode: 0 },
          { partitionIndex: 1, committedOffset: -1n, metadata: null, errorCode: 0 },
        ],
      }],
      errorCode: v >= 2 ? 16 : 0,
    }),
  },
  [ApiKey.DescribeGroups]: {
    request: () => ({ groups: ['g', 'other'] }),
    response: (v) => ({
      throttleTimeMs: v >= 1 ? 3 : 0,
      groups: [
        {
          errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range',
          members: [{ memberId: 'm-1', clientId: 'rdkafka', clientHost: '/127.0.0.1', memberMetadata: meta('md'), memberAssignment: meta('as') }],
        },
        { errorCode: 0, groupId: 'other', groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
      ],
    }),
  },
  [ApiKey.ListGroups]: {
    request: (v) => ({ statesFilter: v >= 4 ? ['Stable', 'Empty'] : [] }),
    response: (v) => ({
      throttleTimeMs: v >= 1 ? 3 : 0, errorCode: 0,
      groups: [
        { groupId: 'g', protocolType: 'consumer', groupState: v >= 4 ? 'Stable' : '' },
        { groupId: 'offsets-only', protocolType: '', groupState: v >= 4 ? 'Empty' : '' },
      ],
    }),
  },
  [ApiKey.OffsetDelete]: {
    request: () => ({ groupId: 'g', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }, { partitionIndex: 2 }] }] }),
    response: () => ({
      errorCode: 0, throttleTimeMs: 0,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 86 }] }],
    }),
  },
  [ApiKey.DeleteGroups]: {
    request: () => ({ groupsNames: ['g', 'busy', 'missing'] }),
    response: () => ({
      throttleTimeMs: 0,
      results: [{ groupId: 'g', errorCode: 0 }, { groupId: 'busy', errorCode: 68 }, { groupId: 'missing', errorCode: 69 }],
    }),
  },
};
