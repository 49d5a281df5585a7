// `mq topics decommission-partition` / `recommission-partition`, and the per-partition state that
// `mq topics describe` shows. The state comes from the read-only `decommissioned.partitions` entry of
// the topic's described config (src/cluster/partition-decommission.ts) and its effective retention.ms.
import type { Admin, TopicConfigEntry, TopicDescription } from '../client/types.js';
import { DECOMMISSIONED_CONFIG, parseDecommissioned, type DecommissionedPartition } from '../config/decommissioned-config.js';
import { MqError } from '../util/mq-error.js';

export interface PartitionState {
  partition: number;
  state: 'active' | 'decommissioned' | 'deleted';
  /** When it was decommissioned (ms since the epoch); absent when active. */
  decommissionedAtMs?: number;
  /** When the controller deletes it (decommissionedAtMs + retention.ms); null: never (retention.ms=-1). */
  deleteAfterMs?: number | null;
}

/** The topic's decommissioned partitions from its described config (none when the broker has no such entry). */
export function decommissionedOf(configs: TopicConfigEntry[]): DecommissionedPartition[] {
  return parseDecommissioned(configs.find((e) => e.name === DECOMMISSIONED_CONFIG)?.value ?? null);
}

/** The effective retention.ms from the described config (-1 when absent or unlimited). */
export function retentionMsOf(configs: TopicConfigEntry[]): number {
  const v = Number(configs.find((e) => e.name === 'retention.ms')?.value ?? '-1');
  return Number.isFinite(v) ? v : -1;
}

/** The configs without the decommission pseudo-entry (for the config table and JSON). */
export function realConfigs(configs: TopicConfigEntry[]): TopicConfigEntry[] {
  return configs.filter((e) => e.name !== DECOMMISSIONED_CONFIG);
}

/** Every partition id's state, by id: those in the metadata plus deleted ones (gaps). */
export function partitionStates(d: TopicDescription, configs: TopicConfigEntry[]): PartitionState[] {
  const retentionMs = retentionMsOf(configs);
  const byId = new Map(decommissionedOf(configs).map((x) => [x.partition, x]));
  const ids = new Set([...d.partitions.map((p) => p.partition), ...byId.keys()]);
  return [...ids].sort((a, b) => a - b).map((partition) => {
    const x = byId.get(partition);
    if (!x) return { partition, state: 'active' };
    return {
      partition,
      state: x.deleted ? 'deleted' : 'decommissioned',
      decommissionedAtMs: x.sinceMs,
      deleteAfterMs: retentionMs < 0 ? null : x.sinceMs + retentionMs,
    };
  });
}

/** The STATE column text. */
export function stateText(s: PartitionState): string {
  if (s.state === 'active') return 'active';
  const since = new Date(s.decommissionedAtMs!).toISOString();
  if (s.state === 'deleted') return `deleted (decommissioned ${since})`;
  const after = s.deleteAfterMs === null || s.deleteAfterMs === undefined ? 'kept: retention.ms=-1' : `deleted after ${new Date(s.deleteAfterMs).toISOString()}`;
  return `decommissioned since ${since}, ${after}`;
}

/** Decommissions `partition` of `topic`; answers its state as the broker stamped it. */
export async function decommissionPartition(admin: Admin, topic: string, partition: number): Promise<PartitionState> {
  const [description, configs] = await Promise.all([admin.describeTopic(topic), admin.describeTopicConfig(topic)]);
  if (!configs.some((e) => e.name === DECOMMISSIONED_CONFIG)) {
    throw new MqError('UNSUPPORTED_VERSION', 'this broker does not support partition decommission (no decommissioned.partitions config)');
  }
  const states = partitionStates(description, configs);
  const current = states.find((s) => s.partition === partition);
  if (!current) {
    throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${partition} does not exist`, {
      hint: `See the partitions with \`mq topics describe ${topic}\`.`,
    });
  }
  if (current.state === 'deleted') throw new MqError('INVALID_REQUEST', `partition ${topic}-${partition} was already decommissioned and deleted`);
  if (current.state === 'decommissioned') {
    throw new MqError('INVALID_REQUEST', `partition ${topic}-${partition} is already decommissioned (${stateText(current)})`, {
      hint: `Undo it with \`mq topics recommission-partition ${topic} ${partition}\`.`,
    });
  }
  if (!states.some((s) => s.state === 'active' && s.partition !== partition)) {
    throw new MqError('POLICY_VIOLATION', `partition ${topic}-${partition} is the last active partition of topic '${topic}': a topic keeps at least one`, {
      hint: `Add partitions first (\`mq topics alter ${topic} --partitions N\`), or delete the topic.`,
    });
  }
  const set = states.filter((s) => s.state === 'decommissioned').map((s) => s.partition);
  await admin.setDecommissionedPartitions(topic, [...set, partition].sort((a, b) => a - b));
  const after = partitionStates(description, await admin.describeTopicConfig(topic)).find((s) => s.partition === partition);
  if (!after || after.state === 'active') throw new MqError('UNKNOWN_SERVER_ERROR', `the broker did not record ${topic}-${partition} as decommissioned`);
  return after;
}

/** Takes a decommissioned (not yet deleted) partition back into use. */
export async function recommissionPartition(admin: Admin, topic: string, partition: number): Promise<void> {
  const [description, configs] = await Promise.all([admin.describeTopic(topic), admin.describeTopicConfig(topic)]);
  const states = partitionStates(description, configs);
  const current = states.find((s) => s.partition === partition);
  if (!current) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${partition} does not exist`);
  if (current.state === 'deleted') {
    throw new MqError('INVALID_REQUEST', `partition ${topic}-${partition} was deleted after its retention; it cannot come back`, {
      hint: `Add a new partition with \`mq topics alter ${topic} --partitions N\`.`,
    });
  }
  if (current.state === 'active') throw new MqError('INVALID_REQUEST', `partition ${topic}-${partition} is not decommissioned`);
  const set = states.filter((s) => s.state === 'decommissioned' && s.partition !== partition).map((s) => s.partition);
  await admin.setDecommissionedPartitions(topic, set);
}
