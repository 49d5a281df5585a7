// Per-topic configuration: Kafka's names, validated, with the broker's defaults underneath.
import { MqError } from '../util/mq-error.js';

export interface TopicConfig {
  'max.message.bytes': number;
  'segment.bytes': number;
  'segment.ms': number;
  'message.timestamp.type': 'CreateTime' | 'LogAppendTime';
}

type Parser = (raw: string) => number | string;

const positiveInt = (min: number) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`must be an integer >= ${min}`);
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
};

export const TOPIC_CONFIG_KEYS = Object.keys(parsers) as (keyof TopicConfig)[];

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
