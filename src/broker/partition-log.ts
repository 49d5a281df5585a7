// Opening a partition replica's Log, the same way in both modes: its folder `<data>/<topic>-<p>`, the
// topic's segment settings, the broker's file pool and a logger that names the partition.
import { join } from 'node:path';
import type { BrokerConfig } from '../config/config.js';
import type { TopicConfig } from '../config/topic-config.js';
import { Partition } from '../replication/partition.js';
import type { FilePool } from '../storage/file-pool.js';
import { Log, type LogConfig } from '../storage/log.js';
import type { Logger } from '../util/logger.js';

/** What a partition's Log needs of its topic's config (the broker sets the index interval). */
export function logConfigFor(config: TopicConfig, indexIntervalBytes: number): LogConfig {
  return { segmentBytes: config['segment.bytes'], segmentMs: config['segment.ms'], indexIntervalBytes };
}

/** The folder of a partition replica. */
export function partitionDir(broker: BrokerConfig, topic: string, index: number): string {
  return join(broker.dataDir, `${topic}-${index}`);
}

/** Opens (recovering if needed) the Log of `topic`-`index` and wraps it in a Partition. */
export async function openPartition(
  broker: BrokerConfig, topic: string, index: number, config: TopicConfig, filePool: FilePool, logger: Logger,
): Promise<Partition> {
  const log = await Log.open(partitionDir(broker, topic, index), logConfigFor(config, broker.indexIntervalBytes), {
    filePool,
    log: (msg) => logger.warn(msg, { topic, partition: index }),
  });
  return new Partition(topic, index, log, config);
}
