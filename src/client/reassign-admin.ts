// Reassignments through the brokers (KIP-455) for the admin client: AlterPartitionReassignments and
// ListPartitionReassignments go to the controller (as kafkajs sends them; any mq broker would answer),
// and the throttle is the cluster-wide broker config follower.replication.throttled.rate (resource
// type 4, name ""), set with IncrementalAlterConfigs and read with DescribeConfigs. Per-partition errors
// come back as results; a request-wide error is thrown.
import { ApiKey } from '../protocol/api.js';
import { errorFromCode, errorInfo } from '../protocol/error-codes.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../protocol/messages/alter-partition-reassignments.js';
import { RESOURCE_TYPE_BROKER, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../protocol/messages/describe-configs.js';
import { CONFIG_OP_DELETE, CONFIG_OP_SET, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse } from '../protocol/messages/incremental-alter-configs.js';
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../protocol/messages/list-partition-reassignments.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import type { OngoingPartitionReassignment, PartitionReassignment, PartitionReassignmentResult } from './types.js';

/** Kafka's name for the throttle a receiving broker applies (the one mq has). */
export const FOLLOWER_THROTTLE_CONFIG = 'follower.replication.throttled.rate';

export async function alterPartitionReassignments(cluster: Cluster, changes: PartitionReassignment[], timeoutMs: number): Promise<PartitionReassignmentResult[]> {
  if (changes.length === 0) return [];
  const topics = new Map<string, AlterPartitionReassignmentsRequest['topics'][number]>();
  for (const c of changes) {
    let t = topics.get(c.topic);
    if (!t) topics.set(c.topic, t = { name: c.topic, partitions: [] });
    t.partitions.push({ partitionIndex: c.partition, replicas: c.replicas });
  }
  const body: AlterPartitionReassignmentsRequest = { timeoutMs, topics: [...topics.values()] };
  const res = await cluster.retry(async () => {
    const answer = await cluster.requestController<AlterPartitionReassignmentsResponse>(ApiKey.AlterPartitionReassignments, body, { timeoutMs: timeoutMs + 5000 });
    if (answer.errorCode !== 0) throw errorFromCode(answer.errorCode, answer.errorMessage ?? 'AlterPartitionReassignments');
    return answer;
  });
  const answers = new Map(res.responses.flatMap((t) => t.partitions.map((p) => [`${t.name}/${p.partitionIndex}`, p] as const)));
  return changes.map((c) => {
    const a = answers.get(`${c.topic}/${c.partition}`);
    if (!a) return { topic: c.topic, partition: c.partition, error: 'UNKNOWN_SERVER_ERROR', message: 'the broker did not answer for this partition' };
    return { topic: c.topic, partition: c.partition, error: a.errorCode === 0 ? null : errorInfo(a.errorCode).name, message: a.errorMessage };
  });
}

export async function listPartitionReassignments(
  cluster: Cluster, topics: { topic: string; partitions: number[] }[] | null, timeoutMs: number,
): Promise<OngoingPartitionReassignment[]> {
  const body: ListPartitionReassignmentsRequest = { timeoutMs, topics: topics === null ? null : topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })) };
  const res = await cluster.retry(async () => {
    const answer = await cluster.requestController<ListPartitionReassignmentsResponse>(ApiKey.ListPartitionReassignments, body, { timeoutMs: timeoutMs + 5000 });
    if (answer.errorCode !== 0) throw errorFromCode(answer.errorCode, answer.errorMessage ?? 'ListPartitionReassignments');
    return answer;
  });
  return res.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas,
  }))).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

export async function setReassignmentThrottle(cluster: Cluster, bytesPerSec: number | null, timeoutMs: number): Promise<void> {
  const body: IncrementalAlterConfigsRequest = {
    resources: [{
      resourceType: RESOURCE_TYPE_BROKER, resourceName: '',
      configs: [{ name: FOLLOWER_THROTTLE_CONFIG, configOperation: bytesPerSec === null ? CONFIG_OP_DELETE : CONFIG_OP_SET, value: bytesPerSec === null ? null : String(bytesPerSec) }],
    }],
    validateOnly: false,
  };
  await cluster.retry(async () => {
    const res = await cluster.requestController<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, body, { timeoutMs });
    const r = res.responses[0];
    if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', 'the broker did not answer IncrementalAlterConfigs');
    if (r.errorCode !== 0) {
      const err = errorFromCode(r.errorCode);
      throw new MqError(err.code, r.errorMessage ?? err.message, { retriable: err.retriable });
    }
  });
}

export async function describeReassignmentThrottle(cluster: Cluster, timeoutMs: number): Promise<number | null> {
  const body: DescribeConfigsRequest = {
    resources: [{ resourceType: RESOURCE_TYPE_BROKER, resourceName: '', configurationKeys: [FOLLOWER_THROTTLE_CONFIG] }],
    includeSynonyms: false,
  };
  const res = await cluster.retry(() => cluster.requestController<DescribeConfigsResponse>(ApiKey.DescribeConfigs, body, { timeoutMs }));
  const r = res.results[0];
  if (!r) throw new MqError('UNKNOWN_SERVER_ERROR', 'the broker did not describe the cluster-wide broker configs');
  if (r.errorCode !== 0) throw errorFromCode(r.errorCode, r.errorMessage ?? 'DescribeConfigs');
  const value = r.configs.find((c) => c.name === FOLLOWER_THROTTLE_CONFIG)?.value;
  return value === undefined || value === null ? null : Number(value);
}
