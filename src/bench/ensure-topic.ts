// Bench topics: created with the requested partition count and configs (e.g. flush.policy), or used
// as they are when they exist.
import type { Admin } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

export async function ensureTopic(admin: Admin, topic: string, partitions: number, configs?: Record<string, string>): Promise<void> {
  try {
    await admin.createTopic(configs && Object.keys(configs).length > 0 ? { topic, partitions, configs } : { topic, partitions });
  } catch (err) {
    if (!(err instanceof MqError && err.code === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
}
