// `mq consume -o` values: beginning | end | N | -N | @TIMESTAMP, where TIMESTAMP is epoch ms or an
// ISO-8601 date/time (as Date.parse reads them: a date alone is midnight UTC, a date-time without a
// zone is local time).
import type { OffsetSpec } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an offset spec; MqError INVALID_ARGUMENT explains the accepted forms. */
export function parseOffsetSpec(raw: string): OffsetSpec {
  const s = raw.trim();
  if (s === 'beginning' || s === 'earliest') return { kind: 'beginning' };
  if (s === 'end' || s === 'latest') return { kind: 'end' };
  if (/^\d+$/.test(s)) return { kind: 'offset', offset: safe(s, raw) };
  if (/^-\d+$/.test(s)) return { kind: 'fromEnd', n: safe(s.slice(1), raw) };
  if (s.startsWith('@')) return { kind: 'timestamp', timestampMs: parseTimestampMs(s.slice(1), raw) };
  throw invalidSpec(raw);
}

function parseTimestampMs(t: string, raw: string): number {
  if (/^\d+$/.test(t)) return safe(t, raw);
  if (ISO_8601.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw new MqError('INVALID_ARGUMENT', `offset '${raw}': '${t}' is neither epoch milliseconds nor an ISO-8601 time`, {
    hint: 'For example -o @1700000000000 or -o @2024-05-01T12:00:00Z.',
  });
}

function safe(digits: string, raw: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw invalidSpec(raw);
  return n;
}

function invalidSpec(raw: string): MqError {
  return new MqError('INVALID_ARGUMENT', `offset '${raw}' must be beginning, end, N, -N or @TIMESTAMP`);
}
