// ListPartitionReassignments (KIP-455): the moves in progress, from this broker's copy of the metadata
// (src/cluster/reassignment-admin.ts). Topics null = all; partitions that do not exist or are not moving
// are left out, as Kafka does. Embedded mode: one broker, nothing ever moves, the list is empty.
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../../protocol/messages/list-partition-reassignments.js';
import type { Handler } from '../request-context.js';

export const handleListPartitionReassignments: Handler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.name, t.partitionIndexes] as const));
  const ongoing = b.authority.listReassignments(wanted);
  const topics = new Map<string, ListPartitionReassignmentsResponse['topics'][number]>();
  for (const r of ongoing) {
    let t = topics.get(r.topic);
    if (!t) topics.set(r.topic, t = { name: r.topic, partitions: [] });
    t.partitions.push({ partitionIndex: r.partition, replicas: r.replicas, addingReplicas: r.adding, removingReplicas: r.removing });
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [...topics.values()] };
};
