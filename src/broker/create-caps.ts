// Caps on what admin requests may create, checked before anything is built for it (a CreateTopics
// asking for 2^31-1 partitions once ran the broker out of memory placing replicas): max.topics for the
// topics held, max.partitions.per.topic for a topic's total, max.partitions.per.request for what one
// CreateTopics or CreatePartitions adds over all its topics. Both modes go through here, ahead of the
// controller.
import type { BrokerConfig } from '../config/config.js';
import { MqError } from '../util/mq-error.js';

/** Throws INVALID_PARTITIONS when a topic would have more partitions than max.partitions.per.topic. */
export function checkPartitionsPerTopic(config: Pick<BrokerConfig, 'maxPartitionsPerTopic'>, total: number): void {
  if (total > config.maxPartitionsPerTopic) {
    throw new MqError('INVALID_PARTITIONS', `${total} partitions is more than max.partitions.per.topic (${config.maxPartitionsPerTopic}) allows`);
  }
}

/** Throws POLICY_VIOLATION when `held` topics already reach max.topics. */
export function checkTopicCount(config: Pick<BrokerConfig, 'maxTopics'>, held: number): void {
  if (held >= config.maxTopics) {
    throw new MqError('POLICY_VIOLATION', `the cluster holds ${held} topics, the most max.topics (${config.maxTopics}) allows`);
  }
}

/** One request's running count of partitions to create. */
export class CreateCaps {
  private added = 0;

  constructor(private readonly config: Pick<BrokerConfig, 'maxPartitionsPerTopic' | 'maxPartitionsPerRequest'>) {}

  /** Counts a topic growing to `total` partitions (`adding` of them new); throws when a cap is passed. */
  take(total: number, adding: number): void {
    checkPartitionsPerTopic(this.config, total);
    if (this.added + adding > this.config.maxPartitionsPerRequest) {
      throw new MqError('INVALID_PARTITIONS', `this request would create more than max.partitions.per.request (${this.config.maxPartitionsPerRequest}) partitions`);
    }
    this.added += Math.max(0, adding);
  }
}
