// Parsers for flag values. Each throws MqError INVALID_ARGUMENT with a sentence naming what was
// expected; commands/index.ts turns that into a usage error (exit 2).
import type { Acks, Compression } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

const invalid = (message: string): MqError => new MqError('INVALID_ARGUMENT', message);

/** An integer in [min, max]; `what` names the flag value in the error. */
export function parseInteger(raw: string, min = 0, max = Number.MAX_SAFE_INTEGER, what = 'value'): number {
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw invalid(`${what} '${raw}' is not ${range}`);
  }
  return n;
}

/** `0`, `1` or `all` (also `-1`), as Kafka's acks setting. */
export function parseAcks(raw: string): Acks {
  switch (raw) {
    case '0': return 0;
    case '1': return 1;
    case 'all': case '-1': return -1;
    default: throw invalid(`acks '${raw}' must be 0, 1 or all`);
  }
}

export function parseCompression(raw: string): Compression {
  if (raw === 'none' || raw === 'gzip') return raw;
  throw invalid(`compression '${raw}' must be none or gzip`);
}

/** A comma-separated list of HOST:PORT entries (whitespace around entries ignored). */
export function parseBootstrap(raw: string): string[] {
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw invalid('bootstrap list is empty; expected HOST:PORT[,HOST:PORT...]');
  for (const e of entries) {
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(e);
    if (!m || Number(m[2]) > 65535) throw invalid(`bootstrap entry '${e}' is not HOST:PORT`);
  }
  return entries;
}

/** `key=value` split at the first `=`; the key must be non-empty. */
export function parseKeyValue(raw: string, what = 'entry'): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw invalid(`${what} '${raw}' is not key=value`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}
