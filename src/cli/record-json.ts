// `mq consume --json`: one JSON object per record, one per line:
// {"topic","partition","offset","timestamp","key","value","headers":{...}} with keys, values and header
// values as UTF-8 strings (null stays null; a repeated header key keeps its last value).
import type { ConsumedRecord } from '../client/types.js';

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

/** The record as one line of JSON, newline included. */
export function recordJson(r: ConsumedRecord): string {
  const headers: Record<string, string | null> = {};
  for (const h of r.headers) headers[h.key] = text(h.value);
  return JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: text(r.key),
    value: text(r.value),
    headers,
  }) + '\n';
}
