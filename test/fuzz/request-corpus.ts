// The fuzzer's seeds: one valid request body for every API the broker serves (api.ts), encoded at every
// version it advertises, with the positions of every INT16/INT32 written (lengths, counts and plain
// integers alike), so mutations can aim at length and count fields. No import-time side effects.
import { apis, ApiKey, isFlexible } from '../../src/protocol/api.js';
import { encodeRequestHeader } from '../../src/protocol/header.js';
import { Writer } from '../../src/protocol/writer.js';
import { batchOf } from '../helpers/hostile-batches.js';

/** One encoded request frame (size prefix included) and where its INT16/INT32 fields are. */
export interface SeedFrame {
  apiKey: number;
  apiName: string;
  version: number;
  frame: Buffer;
  /** Where the body starts (after the size and the request header). */
  bodyAt: number;
  /** Byte offsets (in `frame`) of each INT16 field. */
  int16At: number[];
  /** Byte offsets (in `frame`) of each INT32 field, the size prefix excluded. */
  int32At: number[];
}

/** A Writer that remembers where each INT16 and INT32 went. */
class RecordingWriter extends Writer {
  readonly int16At: number[] = [];
  readonly int32At: number[] = [];
  override int16(v: number): this { this.int16At.push(this.length); return super.int16(v); }
  override int32(v: number): this { this.int32At.push(this.length); return super.int32(v); }
}

/** Valid bodies naming `topic` (which exists, one partition) and group `group`. */
function bodies(topic: string, group: string): Record<number, unknown> {
  const tp = [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }];
  return {
    [ApiKey.Produce]: { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batchOf(['fuzz', 'seed']) }] }] },
    [ApiKey.Fetch]: {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 65536, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 65536 }] }],
      forgottenTopicsData: [], rackId: '',
    },
    [ApiKey.ListOffsets]: { replicaId: -1, isolationLevel: 0, topics: tp },
    [ApiKey.Metadata]: { topics: [{ name: topic }], allowAutoTopicCreation: false },
    [ApiKey.ApiVersions]: {},
    [ApiKey.CreateTopics]: {
      topics: [{ name: `${topic}-new`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] }],
      timeoutMs: 1000, validateOnly: true,
    },
    [ApiKey.DeleteTopics]: { topicNames: [`${topic}-absent`], timeoutMs: 1000 },
    [ApiKey.CreatePartitions]: { topics: [{ name: `${topic}-absent`, count: 2, assignments: null }], timeoutMs: 1000, validateOnly: true },
    [ApiKey.DeleteRecords]: { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 1000 },
    [ApiKey.InitProducerId]: { transactionalId: null, transactionTimeoutMs: -1 },
    [ApiKey.AddPartitionsToTxn]: { transactionalId: 'fuzz-tx', producerId: 1n, producerEpoch: 0, topics: [{ name: topic, partitions: [0] }] },
    [ApiKey.AddOffsetsToTxn]: { transactionalId: 'fuzz-tx', producerId: 1n, producerEpoch: 0, groupId: group },
    [ApiKey.EndTxn]: { transactionalId: 'fuzz-tx', producerId: 1n, producerEpoch: 0, committed: false },
    [ApiKey.WriteTxnMarkers]: { markers: [{ producerId: 1n, producerEpoch: 0, transactionResult: false, topics: [{ name: topic, partitionIndexes: [0] }], coordinatorEpoch: 0 }] },
    [ApiKey.TxnOffsetCommit]: {
      transactionalId: 'fuzz-tx', groupId: group, producerId: 1n, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    },
    [ApiKey.DescribeTransactions]: { transactionalIds: ['fuzz-tx'] },
    [ApiKey.ListTransactions]: { stateFilters: [], producerIdFilters: [] },
    [ApiKey.DescribeConfigs]: { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }], includeSynonyms: false },
    [ApiKey.AlterConfigs]: { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', value: '600000' }] }], validateOnly: true },
    [ApiKey.OffsetCommit]: {
      groupId: group, generationId: -1, memberId: '', retentionTimeMs: -1n,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedMetadata: null }] }],
    },
    [ApiKey.OffsetFetch]: { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] },
    [ApiKey.FindCoordinator]: { key: group, keyType: 0 },
    [ApiKey.JoinGroup]: {
      groupId: group, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 1000, memberId: '', groupInstanceId: null,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x61, 0xff, 0xff, 0xff, 0xff]) }],
    },
    [ApiKey.Heartbeat]: { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null },
    [ApiKey.LeaveGroup]: { groupId: group, memberId: 'm' },
    [ApiKey.SyncGroup]: { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [{ memberId: 'm', assignment: Buffer.alloc(4) }] },
    [ApiKey.DescribeGroups]: { groups: [group] },
    [ApiKey.ListGroups]: { statesFilter: ['Empty'] },
    [ApiKey.OffsetDelete]: { groupId: group, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] },
    [ApiKey.DeleteGroups]: { groupsNames: [`${group}-absent`] },
    [ApiKey.OffsetForLeaderEpoch]: { replicaId: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] },
    [ApiKey.ElectLeaders]: { electionType: 0, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 1000 },
    [ApiKey.IncrementalAlterConfigs]: {
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: '600000' }] }], validateOnly: true,
    },
    [ApiKey.AlterPartitionReassignments]: { timeoutMs: 1000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [0] }] }] },
    [ApiKey.ListPartitionReassignments]: { timeoutMs: 1000, topics: null },
    [ApiKey.SaslHandshake]: { mechanism: 'SCRAM-SHA-256' },
    [ApiKey.SaslAuthenticate]: { authBytes: Buffer.from('n,,n=fuzz,r=abcdef') },
    [ApiKey.DescribeAcls]: { resourceTypeFilter: 2, resourceNameFilter: topic, patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 },
    [ApiKey.CreateAcls]: { creations: [{ resourceType: 2, resourceName: topic, resourcePatternType: 3, principal: 'User:fuzz', host: '*', operation: 3, permissionType: 3 }] },
    [ApiKey.DeleteAcls]: { filters: [{ resourceTypeFilter: 2, resourceNameFilter: topic, patternTypeFilter: 3, principalFilter: 'User:fuzz', hostFilter: null, operation: 1, permissionType: 1 }] },
    [ApiKey.DescribeClientQuotas]: { components: [{ entityType: 'user', matchType: 0, match: 'fuzz' }], strict: false },
    [ApiKey.AlterClientQuotas]: { entries: [{ entity: [{ entityType: 'user', entityName: 'fuzz' }], ops: [{ key: 'producer_byte_rate', value: 1e6, remove: false }] }], validateOnly: true },
    [ApiKey.DescribeUserScramCredentials]: { users: [{ name: 'fuzz' }] },
    [ApiKey.AlterUserScramCredentials]: { deletions: [], upsertions: [{ name: 'fuzz', mechanism: 1, iterations: 4096, salt: Buffer.alloc(16, 1), saltedPassword: Buffer.alloc(32, 2) }] },
  };
}

/** Every API at every version it advertises, as seed frames about `topic` and `group`. */
export function seedFrames(topic: string, group: string): SeedFrame[] {
  const all = bodies(topic, group);
  const out: SeedFrame[] = [];
  for (const api of apis) {
    const body = all[api.key];
    if (body === undefined) throw new Error(`no seed body for ${api.name}: add one to request-corpus.ts`);
    for (let version = api.minVersion; version <= api.maxVersion; version++) {
      const w = new RecordingWriter();
      w.int32(0); // the size, patched below
      encodeRequestHeader(w, { apiKey: api.key, apiVersion: version, correlationId: 1, clientId: 'mq-fuzz' }, isFlexible(api, version));
      const bodyAt = w.length;
      api.request.encode(w, body, version);
      const frame = Buffer.concat(w.toChunks());
      frame.writeInt32BE(frame.length - 4, 0);
      out.push({ apiKey: api.key, apiName: api.name, version, frame, bodyAt, int16At: w.int16At, int32At: w.int32At.slice(1) });
    }
  }
  return out;
}
