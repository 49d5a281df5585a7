// `mq topics alter NAME --partitions N`: Kafka can only add partitions (keys would move otherwise), so
// a decrease or no-op is refused here with the current count, before any CreatePartitions request.
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

/** Grows `topic` to `totalPartitions`; returns the previous count. */
export async function alterPartitions(admin: Admin, topic: string, totalPartitions: number): Promise<number> {
  // Counts partition ids: a deleted (decommissioned) partition keeps its id, which is never reused.
  const current = (await admin.describeTopic(topic)).partitions.reduce((n, p) => Math.max(n, p.partition + 1), 0);
  if (totalPartitions < current) {
    throw new MqError('INVALID_PARTITIONS', `topic ${topic} has ${current} partitions; partitions can only be added`, {
      hint: `Pass --partitions greater than ${current}, or create a new topic with fewer partitions.`,
    });
  }
  if (totalPartitions === current) {
    throw new MqError('INVALID_PARTITIONS', `topic ${topic} already has ${current} partitions`, {
      hint: `Pass --partitions greater than ${current} to add partitions.`,
    });
  }
  await admin.createPartitions(topic, totalPartitions);
  return current;
}
