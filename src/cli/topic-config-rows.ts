// `mq topics alter --config` and `mq topics describe` config output; `mq topics trim --before` parsing.
import type { Admin, RecordsBefore, TopicConfigEntry } from '../client/types.js';
import { MqError } from '../util/mq-error.js';
import { parseOffsetSpec } from './offset-spec.js';
import { DECOMMISSIONED_CONFIG } from '../config/decommissioned-config.js';

export const TOPIC_CONFIG_HEADERS = ['CONFIG', 'VALUE', 'SOURCE'];

/** One row per effective config value: name, value, source (topic / broker / default). */
export function topicConfigRows(entries: TopicConfigEntry[]): string[][] {
  return entries.map((e) => [e.name, e.value ?? '', e.source]);
}

/** Applies `key=value` settings to a topic; returns what changed, as `key: old -> new` lines. */
export async function alterTopicConfigs(admin: Admin, topic: string, settings: [string, string][]): Promise<string[]> {
  const before = new Map((await admin.describeTopicConfig(topic)).filter((e) => e.name !== DECOMMISSIONED_CONFIG).map((e) => [e.name, e.value]));
  for (const [key] of settings) {
    if (key === DECOMMISSIONED_CONFIG) {
      throw new MqError('INVALID_CONFIG', `${DECOMMISSIONED_CONFIG} is not a setting`, { hint: `Use \`mq topics decommission-partition ${topic} P\` (or recommission-partition).` });
    }
    if (!before.has(key)) {
      throw new MqError('INVALID_CONFIG', `unknown topic config '${key}'`, { hint: `Known: ${[...before.keys()].join(', ')}.` });
    }
  }
  await admin.alterTopicConfig(topic, Object.fromEntries(settings));
  return settings.map(([k, v]) => `${k}: ${before.get(k)} -> ${v}`);
}

/** `--before OFFSET|@TIME` (TIME as for `mq consume -o @TIME`). */
export function parseRecordsBefore(raw: string): RecordsBefore {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const offset = Number(s);
    if (Number.isSafeInteger(offset)) return { offset };
  }
  if (s.startsWith('@')) {
    const spec = parseOffsetSpec(s);
    if (spec.kind === 'timestamp') return { timestampMs: spec.timestampMs };
  }
  throw new MqError('INVALID_ARGUMENT', `--before '${raw}' must be an offset (N) or a time (@EPOCH_MS or @ISO-8601)`);
}
