// Bench topics: created with the requested partition count, or used as they are when they exist.
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  try {
    await admin.createTopic({ topic, partitions });
  } catch (err) {
    if (!(err instanceof MqError && err.code === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
}
