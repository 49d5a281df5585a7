// Per-topic configuration: Kafka's names, validated, with the broker's defaults underneath.
import { MqError } from '../util/mq-error.js';

/** When a topic's appended data reaches the disk before it is acknowledged (see DESIGN.md "Durability"). */
export type FlushPolicy = 'batch' | 'interval' | 'os';

export interface TopicConfig {
  'max.message.bytes': number;
  'segment.bytes': number;
  'segment.ms': number;
  'message.timestamp.type': 'CreateTime' | 'LogAppendTime';
  /** Delete inactive segments whose newest record is older than this; -1 keeps them forever. */
  'retention.ms': number;
  /** Delete the oldest inactive segments while the log is larger than this; -1 means no limit. */
  'retention.bytes': number;
  /** batch: fdatasync (group commit) before acknowledging; interval: every flush.ms; os: page cache. */
  'flush.policy': FlushPolicy;
  /** Longest time between fdatasyncs under flush.policy=interval. */
  'flush.ms': number;
  /** acks=all produce is refused with NOT_ENOUGH_REPLICAS while the ISR is smaller than this. */
  'min.insync.replicas': number;
}

type Parser = (raw: string) => number | string;

const positiveInt = (min: number) => (raw: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new Error(`must be an integer >= ${min}`);
  return n;
};

/** -1 (unlimited) or an integer >= min. */
const limitOrUnlimited = (min: number) => (raw: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || (n !== -1 && n < min)) throw new Error(`must be -1 (unlimited) or an integer >= ${min}`);
  return n;
};

const parsers: Record<keyof TopicConfig, Parser> = {
  'max.message.bytes': positiveInt(64),
  'segment.bytes': positiveInt(14),
  'segment.ms': positiveInt(1),
  'message.timestamp.type': (raw) => {
    if (raw !== 'CreateTime' && raw !== 'LogAppendTime') throw new Error('must be CreateTime or LogAppendTime');
    return raw;
  },
  'retention.ms': limitOrUnlimited(1),
  'retention.bytes': limitOrUnlimited(0),
  'flush.policy': parseFlushPolicy,
  'flush.ms': positiveInt(1),
  'min.insync.replicas': positiveInt(1),
};

export const TOPIC_CONFIG_KEYS = Object.keys(parsers) as (keyof TopicConfig)[];

/** Validates a flush.policy value. */
export function parseFlushPolicy(raw: string): FlushPolicy {
  if (raw !== 'batch' && raw !== 'interval' && raw !== 'os') throw new Error('must be batch, interval or os');
  return raw;
}

/**
 * Validates topic overrides given as strings; returns them typed. Unknown keys and bad values are
 * MqError INVALID_CONFIG naming the key.
 */
export function parseTopicConfig(overrides: Record<string, string | null>): Partial<TopicConfig> {
  const out: Record<string, number | string> = {};
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === null) continue;
    const parse = parsers[key as keyof TopicConfig];
    if (!parse) {
      throw new MqError('INVALID_CONFIG', `unknown topic config '${key}'; supported: ${TOPIC_CONFIG_KEYS.join(', ')}`);
    }
    try {
      out[key] = parse(raw);
    } catch (err) {
      throw new MqError('INVALID_CONFIG', `topic config ${key}=${raw}: ${(err as Error).message}`);
    }
  }
  return out as Partial<TopicConfig>;
}
