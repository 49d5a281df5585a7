// `mq consume -f FMT`: kcat-style format strings, compiled once into a record -> string function.
//
// Tokens as kcat has them: %s value (the payload), %k key, %t topic, %p partition, %o offset,
// %T timestamp (ms), %h headers as k=v,k2=v2, %S value size or -1 for a null value, %K key size or -1
// for a null key, %% a percent sign; %v is an alias of %s. Escapes: \n \r \t \\.
// Keys, values and header values are printed as UTF-8; null prints as nothing.
import type { ConsumedRecord } from '../client/types.js';
import { MqError } from '../util/mq-error.js';

export type FormatToken = 'k' | 'v' | 't' | 'p' | 'o' | 'T' | 'h' | 's' | 'S' | 'K';
export type FormatPart = { literal: string } | { token: FormatToken };

const TOKENS = new Set<string>(['k', 'v', 't', 'p', 'o', 'T', 'h', 's', 'S', 'K']);
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };

/** The literal runs and tokens of `fmt`; MqError INVALID_ARGUMENT on an unknown sequence. */
export function parseFormat(fmt: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let literal = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    const next = fmt[i + 1];
    if (c === '%') {
      i++;
      if (next === '%') { literal += '%'; continue; }
      if (next === undefined || !TOKENS.has(next)) throw unknown(fmt, `%${next ?? ''}`);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ token: next as FormatToken });
    } else if (c === '\\') {
      i++;
      const e = next === undefined ? undefined : ESCAPES[next];
      if (e === undefined) throw unknown(fmt, `\\${next ?? ''}`);
      literal += e;
    } else {
      literal += c;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

function unknown(fmt: string, seq: string): MqError {
  return new MqError('INVALID_ARGUMENT', `format '${fmt}': unknown sequence '${seq}'`, {
    hint: 'Tokens: %k %v %t %p %o %T %h %s %S %K %%; escapes: \\n \\r \\t \\\\.',
  });
}

const text = (b: Buffer | null): string => (b === null ? '' : b.toString('utf8'));

function renderToken(t: FormatToken, r: ConsumedRecord): string {
  switch (t) {
    case 'k': return text(r.key);
    case 'v': return text(r.value);
    case 't': return r.topic;
    case 'p': return String(r.partition);
    case 'o': return String(r.offset);
    case 'T': return String(r.timestamp);
    case 'h': return r.headers.map((h) => `${h.key}=${text(h.value)}`).join(',');
    case 's': return text(r.value);
    case 'S': return String(r.value === null ? -1 : r.value.length);
    case 'K': return String(r.key === null ? -1 : r.key.length);
  }
}

/** Compiles `fmt` once; the result renders one record. */
export function compileFormat(fmt: string): (record: ConsumedRecord) => string {
  const parts = parseFormat(fmt);
  return (r) => {
    let s = '';
    for (const p of parts) s += 'literal' in p ? p.literal : renderToken(p.token, r);
    return s;
  };
}
