// Per-topic configuration: Kafka's names, validated, with the broker's defaults underneath. The ranges
// are the ones the storage layer enforces (Log refuses a segment smaller than one batch header), so a
// value that passes here never fails later when a log is opened with it -- at create, at alter, or at the
// next start.
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js';
import { MqError } from '../util/mq-error.js';

const MAX_INT32 = 2 ** 31 - 1;

/** segment.bytes: at least one batch header, at most an INT32 file position (src/storage/log.ts checks the same). */
export const SEGMENT_BYTES_MIN = BATCH_HEADER_BYTES;
export const SEGMENT_BYTES_MAX = MAX_INT32;

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

const positiveInt = (min: number, max = Number.MAX_SAFE_INTEGER) => (raw: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new Error(`must be an integer >= ${min}`);
  if (n > max) throw new Error(`must be an integer from ${min} to ${max}`);
  return n;
};

/** -1 (unlimited) or an integer >= min. */
const limitOrUnlimited = (min: number) => (raw: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || (n !== -1 && n < min)) throw new Error(`must be -1 (unlimited) or an integer >= ${min}`);
  return n;
};

const parsers: Record<keyof TopicConfig, Parser> = {
  'max.message.bytes': positiveInt(64, MAX_INT32),
  'segment.bytes': positiveInt(SEGMENT_BYTES_MIN, SEGMENT_BYTES_MAX),
  'segment.ms': positiveInt(1),
  'message.timestamp.type': (raw) => {
    if (raw !== 'CreateTime' && raw !== 'LogAppendTime') throw new Error('must be CreateTime or LogAppendTime');
    return raw;
  },
  'retention.ms': limitOrUnlimited(1),
  'retention.bytes': limitOrUnlimited(0),
  'flush.policy': parseFlushPolicy,
  // A timer period: Node fires a longer one at once.
  'flush.ms': positiveInt(1, MAX_INT32),
  'min.insync.replicas': positiveInt(1, MAX_INT32),
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
export function parseTopicConfig(overrides: Record<string, string | null>, limits: TopicConfigLimits = {}): Partial<TopicConfig> {
  const out: Record<string, number | string> = {};
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === null) continue;
    out[key] = parseOne(key, raw, limits);
  }
  return out as Partial<TopicConfig>;
}

/**
 * What the broker's own settings add to the ranges (checked only where the broker's config is at hand;
 * a BrokerConfig is one).
 */
export interface TopicConfigLimits {
  /** socket.request.max.bytes: a message must fit in a request. */
  socketRequestMaxBytes?: number;
}

function parseOne(key: string, raw: string, limits: TopicConfigLimits): number | string {
  const parse = parsers[key as keyof TopicConfig];
  if (!parse) {
    throw new MqError('INVALID_CONFIG', `unknown topic config '${key}'; supported: ${TOPIC_CONFIG_KEYS.join(', ')}`);
  }
  let value: number | string;
  try {
    value = parse(raw);
  } catch (err) {
    throw new MqError('INVALID_CONFIG', `topic config ${key}=${raw}: ${(err as Error).message}`);
  }
  if (key === 'max.message.bytes' && limits.socketRequestMaxBytes !== undefined && (value as number) > limits.socketRequestMaxBytes) {
    throw new MqError('INVALID_CONFIG', `topic config ${key}=${raw}: must be at most socket.request.max.bytes (${limits.socketRequestMaxBytes}), or no request could carry such a message`);
  }
  return value;
}

/**
 * The same for overrides already stored (a topic record read at start): a bad value is reported through
 * `onInvalid` and left out, so the topic is served with the default for that key and the broker starts.
 */
export function parseStoredTopicConfig(
  overrides: Record<string, string | null>,
  onInvalid: (key: string, problem: string) => void,
  limits: TopicConfigLimits = {},
): Partial<TopicConfig> {
  const out: Record<string, number | string> = {};
  for (const [key, raw] of Object.entries(overrides)) {
    if (raw === null) continue;
    try {
      out[key] = parseOne(key, raw, limits);
    } catch (err) {
      onInvalid(key, (err as Error).message);
    }
  }
  return out as Partial<TopicConfig>;
}
