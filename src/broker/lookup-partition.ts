// The partition a Produce, Fetch or ListOffsets names, or the error code to answer instead: the
// partition this broker leads (every partition of a known topic in embedded mode).
import type { Partition } from '../replication/partition.js';
import type { BrokerState } from './request-context.js';

export function lookupPartition(b: BrokerState, topic: string, index: number): Partition | number {
  return b.authority.leaderPartition(topic, index);
}
