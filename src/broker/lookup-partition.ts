// The partition a Produce, Fetch or ListOffsets names, or the error code to answer instead: in
// embedded mode every partition of a known topic is here; in cluster mode only those this broker leads.
import { ErrorCode } from '../protocol/error-codes.js';
import type { Partition } from '../replication/partition.js';
import type { BrokerState } from './request-context.js';

export function lookupPartition(b: BrokerState, topic: string, index: number): Partition | number {
  if (b.cluster) return b.cluster.partitionFor(topic, index);
  return b.topics.partition(topic, index) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
