// Admin operations: cluster metadata, topic create/list/describe/delete and partition growth; configs,
// elections, groups and reassignments are delegated to their own files (config-admin.ts, ...).
// Create/delete/grow go to the controller (Metadata.ControllerId), as kafkajs and librdkafka send them;
// NOT_CONTROLLER and other retriable answers are retried after a metadata refresh. Topic-level error
// codes become MqErrors that name the topic (topic-error.ts).
import { ApiKey } from '../protocol/api.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/messages/create-partitions.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/messages/create-topics.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/messages/delete-topics.js';
import { MqError } from '../util/mq-error.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { GroupAdminClient } from './group-admin.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import { topicError } from './topic-error.js';
import { alterTopicConfig, deleteRecordsBefore, describeBrokerConfig, describeTopicConfig, setDecommissionedPartitions } from './config-admin.js';
import { electPreferredLeaders } from './leader-admin.js';
import { alterPartitionReassignments, describeReassignmentThrottle, listPartitionReassignments, setReassignmentThrottle } from './reassign-admin.js';
import { deleteUser, describeUsers, upsertUser } from './user-admin.js';
import { alterClientQuotas, describeClientQuotas } from './quota-admin.js';
import { createAcls, deleteAcls, describeAcls } from './acl-admin.js';
import type { AclBinding, AclFilter } from '../security/acl.js';
import type { ClientQuotaEntity, ClientQuotaEntry, ClientQuotaFilter, UserCredentials } from './types.js';
import type { OngoingPartitionReassignment, PartitionReassignment, PartitionReassignmentResult } from './types.js';
import type { LeaderElectionResult, TopicPartition } from './types.js';
import type { DeleteRecordsResult, RecordsBefore, TopicConfigEntry } from './types.js';
import type {
  Admin, ClientOptions, ClusterMetadata, CreateTopicOptions, GroupDescription, GroupListing, GroupOffsetDeletion, OffsetResetPlan, OffsetResetTarget, TopicDescription,
} from './types.js';

/** Creates an admin client; it connects on first use. */
export function createAdmin(opts: ClientOptions): Admin {
  return new ClusterAdmin(opts);
}

class ClusterAdmin implements Admin {
  private readonly cluster: Cluster;
  private readonly timeoutMs: number;
  private readonly groups: GroupAdminClient;

  constructor(opts: ClientOptions) {
    this.cluster = new Cluster(opts as ClusterOptions);
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.groups = new GroupAdminClient(this.cluster);
  }

  async metadata(topics: string[] | null = null): Promise<ClusterMetadata> {
    const res = await this.cluster.retry(() => this.cluster.refreshMetadata(topics, false));
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
      topics: res.topics.map((t) => ({
        name: t.name,
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode }))
          .sort((a, b) => a.partition - b.partition),
      })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  }

  async createTopic(opts: CreateTopicOptions): Promise<void> {
    const { topic } = opts;
    const body: CreateTopicsRequest = {
      topics: [{
        name: topic,
        numPartitions: opts.partitions ?? -1,
        replicationFactor: opts.replicationFactor ?? -1,
        assignments: [],
        configs: Object.entries(opts.configs ?? {}).map(([name, value]) => ({ name, value })),
      }],
      timeoutMs: this.timeoutMs,
      validateOnly: false,
    };
    await this.cluster.connect();
    if (this.cluster.versionFor(ApiKey.CreateTopics) < 4 && (opts.partitions === undefined || opts.replicationFactor === undefined)) {
      throw new MqError('UNSUPPORTED_VERSION', 'this broker needs an explicit partition count and replication factor', {
        hint: 'Pass --partitions and --replication-factor.',
      });
    }
    await this.cluster.retry(async () => {
      const res = await this.cluster.requestController<CreateTopicsResponse>(ApiKey.CreateTopics, body, { timeoutMs: this.timeoutMs + 5000 });
      const t = res.topics.find((x) => x.name === topic);
      if (!t) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer for topic '${topic}'`);
      if (t.errorCode !== 0) throw topicError(t.errorCode, topic, t.errorMessage);
    }, { onRetry: () => this.refreshControllerQuietly() });
  }

  async listTopics(): Promise<string[]> {
    const res = await this.cluster.retry(() => this.cluster.refreshMetadata(null, false));
    return res.topics.map((t) => t.name).sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const res = await this.cluster.retry(() => this.cluster.refreshMetadata([name], false));
    const t = res.topics.find((x) => x.name === name);
    if (!t) throw topicError(3, name);
    if (t.errorCode !== 0 && t.partitions.length === 0) throw topicError(t.errorCode, name);
    const partitions = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
    const withLeader = partitions.filter((p) => p.leaderId >= 0);
    const queries = (timestamp: number) => withLeader.map((p) => ({ topic: name, partition: p.partitionIndex, timestamp }));
    const [earliest, latest] = withLeader.length === 0
      ? [new Map(), new Map()]
      : await Promise.all([listOffsets(this.cluster, queries(EARLIEST_TIMESTAMP)), listOffsets(this.cluster, queries(LATEST_TIMESTAMP))]);
    return {
      name,
      partitions: partitions.map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        logStartOffset: earliest.get(partitionKey(name, p.partitionIndex))?.offset ?? -1,
        highWatermark: latest.get(partitionKey(name, p.partitionIndex))?.offset ?? -1,
        errorCode: p.errorCode,
      })),
    };
  }

  async createPartitions(topic: string, totalPartitions: number): Promise<void> {
    const res = await this.cluster.retry(() => this.cluster.refreshMetadata([topic], false));
    const t = res.topics.find((x) => x.name === topic);
    if (!t || t.errorCode === 3) throw topicError(3, topic);
    // Partition ids, deleted (decommissioned) ones included: they are never reused.
    const current = t.partitions.reduce((n, p) => Math.max(n, p.partitionIndex + 1), 0);
    if (!Number.isInteger(totalPartitions) || totalPartitions <= current) {
      throw new MqError('INVALID_PARTITIONS', `topic ${topic} has ${current} partition${current === 1 ? '' : 's'}; --partitions must be larger (partitions can only be added)`);
    }
    const body: CreatePartitionsRequest = {
      topics: [{ name: topic, count: totalPartitions, assignments: null }],
      timeoutMs: this.timeoutMs,
      validateOnly: false,
    };
    await this.cluster.retry(async () => {
      const answer = await this.cluster.requestController<CreatePartitionsResponse>(ApiKey.CreatePartitions, body, { timeoutMs: this.timeoutMs + 5000 });
      const r = answer.results.find((x) => x.name === topic);
      if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer for topic '${topic}'`);
      if (r.errorCode !== 0) throw topicError(r.errorCode, topic, r.errorMessage);
    }, { onRetry: () => this.refreshControllerQuietly() });
  }

  async deleteTopic(name: string): Promise<void> {
    const body: DeleteTopicsRequest = { topicNames: [name], timeoutMs: this.timeoutMs };
    // UNKNOWN_TOPIC_OR_PARTITION is retriable on the wire, but for a delete it is the final answer.
    await this.cluster.retry(async () => {
      const res = await this.cluster.requestController<DeleteTopicsResponse>(ApiKey.DeleteTopics, body, { timeoutMs: this.timeoutMs + 5000 });
      const r = res.responses.find((x) => x.name === name);
      if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer for topic '${name}'`);
      if (r.errorCode === 3) {
        throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`, { hint: 'List topics with `mq topics list`.' });
      }
      if (r.errorCode !== 0) throw topicError(r.errorCode, name);
    }, { onRetry: () => this.refreshControllerQuietly() });
  }

  describeBrokerConfig(nodeId: number, keys?: string[], timeoutMs?: number): Promise<Record<string, string | null>> {
    return describeBrokerConfig(this.cluster, nodeId, keys ?? null, timeoutMs ?? this.timeoutMs);
  }

  describeTopicConfig(topic: string): Promise<TopicConfigEntry[]> {
    return describeTopicConfig(this.cluster, topic, this.timeoutMs);
  }

  alterTopicConfig(topic: string, changes: Record<string, string | null>): Promise<void> {
    return alterTopicConfig(this.cluster, topic, changes, this.timeoutMs);
  }

  setDecommissionedPartitions(topic: string, partitions: number[]): Promise<void> {
    return setDecommissionedPartitions(this.cluster, topic, partitions, this.timeoutMs);
  }

  deleteRecords(topic: string, before: RecordsBefore): Promise<DeleteRecordsResult[]> {
    return deleteRecordsBefore(this.cluster, topic, before, this.timeoutMs);
  }

  electLeaders(partitions: TopicPartition[] | null): Promise<LeaderElectionResult[]> {
    return electPreferredLeaders(this.cluster, partitions, this.timeoutMs);
  }

  // Reassignments through the brokers: reassign-admin.ts.
  alterPartitionReassignments(changes: PartitionReassignment[]): Promise<PartitionReassignmentResult[]> {
    return alterPartitionReassignments(this.cluster, changes, this.timeoutMs);
  }

  listPartitionReassignments(topics: { topic: string; partitions: number[] }[] | null = null): Promise<OngoingPartitionReassignment[]> {
    return listPartitionReassignments(this.cluster, topics, this.timeoutMs);
  }

  setReassignmentThrottle(bytesPerSec: number | null): Promise<void> { return setReassignmentThrottle(this.cluster, bytesPerSec, this.timeoutMs); }
  describeReassignmentThrottle(): Promise<number | null> { return describeReassignmentThrottle(this.cluster, this.timeoutMs); }

  // SCRAM users: user-admin.ts.
  describeUsers(names?: string[]): Promise<UserCredentials[]> { return describeUsers(this.cluster, names ?? null, this.timeoutMs); }
  upsertUser(user: string, password: string, opts: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations?: number }): Promise<void> {
    return upsertUser(this.cluster, user, password, opts, this.timeoutMs);
  }
  deleteUser(user: string, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'): Promise<void> { return deleteUser(this.cluster, user, mechanism, this.timeoutMs); }

  // Client quotas: quota-admin.ts.
  describeClientQuotas(filter: ClientQuotaFilter = {}): Promise<ClientQuotaEntry[]> { return describeClientQuotas(this.cluster, filter, this.timeoutMs); }
  alterClientQuotas(entity: ClientQuotaEntity, changes: Partial<Record<keyof ClientQuotaEntry['values'], number | null>>, opts: { validateOnly?: boolean } = {}): Promise<void> {
    return alterClientQuotas(this.cluster, entity, changes, opts.validateOnly ?? false, this.timeoutMs);
  }
  // ACLs: acl-admin.ts.
  createAcls(bindings: AclBinding[]): Promise<void> { return createAcls(this.cluster, bindings, this.timeoutMs); }
  describeAcls(filter: AclFilter = {}): Promise<AclBinding[]> { return describeAcls(this.cluster, filter, this.timeoutMs); }
  deleteAcls(filter: AclFilter): Promise<AclBinding[]> { return deleteAcls(this.cluster, filter, this.timeoutMs); }

  // Consumer groups: group-admin.ts.
  listGroups(opts?: { states?: string[] }): Promise<GroupListing[]> { return this.groups.listGroups(opts); }
  describeGroup(groupId: string): Promise<GroupDescription> { return this.groups.describeGroup(groupId); }
  resetGroupOffsets(opts: { groupId: string; topic: string; to: OffsetResetTarget; execute: boolean }): Promise<OffsetResetPlan> { return this.groups.resetGroupOffsets(opts); }
  deleteGroup(groupId: string): Promise<void> { return this.groups.deleteGroup(groupId); }
  deleteGroupOffsets(opts: { groupId: string; topic: string; partitions?: number[] }): Promise<GroupOffsetDeletion[]> { return this.groups.deleteGroupOffsets(opts); }

  close(): Promise<void> {
    return this.cluster.close();
  }

  private async refreshControllerQuietly(): Promise<void> {
    try {
      await this.cluster.refreshMetadata([], false);
    } catch {
      // The retried request reports the failure.
    }
  }
}
