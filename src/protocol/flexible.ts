// Flexible versions (KIP-482): the compact encodings an API switches to from its first flexible version
// on, declared per API with `flexible(firstFlexibleVersion)` so one schema covers every version (ListGroups
// 0-4 spans both; the reassignment APIs are flexible from v0):
//
//   COMPACT_STRING      UNSIGNED_VARINT (N+1) then N bytes UTF-8 (0 = null for the nullable form)
//   COMPACT_ARRAY       UNSIGNED_VARINT (N+1) then N elements (0 = null)
//   TAGGED_FIELDS       UNSIGNED_VARINT count, then per field: UNSIGNED_VARINT tag, UNSIGNED_VARINT size, bytes
//
// Below the first flexible version the same codecs write the classic STRING / ARRAY and no tagged
// fields. mq writes no tagged fields (a single 0x00) and skips any it reads. The headers of a flexible
// version (request header v2, response header v1) carry a tagged-field section too: see
// `ApiSpec.flexibleFrom` in api.ts.
import { isUtf8 } from 'node:buffer';
import { MqError } from '../util/mq-error.js';
import { MAX_ARRAY_ELEMENTS, asStruct, minBytesOf, struct, type Codec, type Struct, type StructOf } from './codec.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** Skips a tagged-field section (mq knows no tags in the versions it serves). */
export function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.raw(r.uvarint());
  }
}

/** An empty tagged-field section. */
export function writeEmptyTaggedFields(w: Writer): void {
  w.uvarint(0);
}

function readCompactString(r: Reader): string | null {
  const n = r.uvarint() - 1;
  if (n < 0) return null;
  const at = r.pos;
  const view = r.raw(n);
  if (!isUtf8(view)) throw new MqError('INVALID_REQUEST', `compact string of ${n} bytes at ${at} is not valid UTF-8`);
  return view.toString('utf8');
}

function writeCompactString(w: Writer, v: string | null): void {
  if (v === null) return void w.uvarint(0);
  const b = Buffer.from(v, 'utf8');
  if (b.length > 0x7fff) throw new RangeError(`a string of ${b.length} bytes is longer than a STRING holds (32767)`);
  w.uvarint(b.length + 1).raw(b);
}

/** A compact array count, bounded like Reader.arrayLength (remaining bytes, cap, element budget); -1 = null. */
function readCompactArrayLength(r: Reader, elementMinBytes: number, maxElements: number): number {
  const n = r.uvarint() - 1;
  if (n <= 0) return n;
  if (n * Math.max(1, elementMinBytes) > r.remaining) {
    throw new MqError('INVALID_REQUEST', `array of ${n} elements of at least ${Math.max(1, elementMinBytes)} bytes cannot fit in ${r.remaining} bytes`);
  }
  if (n > maxElements) throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the limit of ${maxElements}`);
  if (n > r.elementBudget) throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the ${r.elementBudget} elements left for this message`);
  r.elementBudget -= n;
  return n;
}

export interface FlexibleCodecs {
  string: Codec<string>;
  nullableString: Codec<string | null>;
  /** BYTES, or COMPACT_BYTES (UNSIGNED_VARINT N+1, then N bytes) in flexible versions. */
  bytes: Codec<Buffer>;
  array<T>(item: Codec<T>, maxElements?: number): Codec<T[]>;
  nullableArray<T>(item: Codec<T>, maxElements?: number): Codec<T[] | null>;
  /** A struct followed by a tagged-field section in flexible versions. */
  struct<F extends Record<string, Codec<any>>>(fields: F): Struct<StructOf<F>>;
}

/** The codecs of an API whose versions from `from` on are flexible. */
export function flexible(from: number): FlexibleCodecs {
  const compact = (version: number): boolean => version >= from;
  const nullableString: Codec<string | null> = {
    minBytes: (version) => (compact(version) ? 1 : 2),
    encode: (w, v, version) => (compact(version) ? writeCompactString(w, v) : void w.nullableString(v)),
    decode: (r, version) => (compact(version) ? readCompactString(r) : r.nullableString()),
  };
  const string: Codec<string> = {
    minBytes: nullableString.minBytes,
    // Decoded leniently, like Reader.string: a null reads as "".
    encode: (w, v, version) => nullableString.encode(w, v, version),
    decode: (r, version) => nullableString.decode(r, version) ?? '',
  };
  function nullableArray<T>(item: Codec<T>, maxElements = MAX_ARRAY_ELEMENTS): Codec<T[] | null> {
    return {
      minBytes: (version) => (compact(version) ? 1 : 4),
      encode(w, v, version) {
        if (compact(version)) w.uvarint(v === null ? 0 : v.length + 1);
        else w.int32(v === null ? -1 : v.length);
        for (const x of v ?? []) item.encode(w, x, version);
      },
      decode(r, version) {
        const n = compact(version)
          ? readCompactArrayLength(r, minBytesOf(item, version), maxElements)
          : r.arrayLength(minBytesOf(item, version), maxElements);
        if (n < 0) return null;
        const out: T[] = [];
        for (let i = 0; i < n; i++) out.push(item.decode(r, version));
        return out;
      },
    };
  }
  function array<T>(item: Codec<T>, maxElements = MAX_ARRAY_ELEMENTS): Codec<T[]> {
    const inner = nullableArray(item, maxElements);
    return { minBytes: inner.minBytes, encode: inner.encode, decode: (r, version) => inner.decode(r, version) ?? [] };
  }
  function flexStruct<F extends Record<string, Codec<any>>>(fields: F): Struct<StructOf<F>> {
    const inner = struct(fields);
    return asStruct<StructOf<F>>({
      minBytes: (version) => minBytesOf(inner, version) + (compact(version) ? 1 : 0),
      encode(w, value, version) {
        inner.encode(w, value, version);
        if (compact(version)) writeEmptyTaggedFields(w);
      },
      decode(r, version) {
        const value = inner.decode(r, version);
        if (compact(version)) skipTaggedFields(r);
        return value;
      },
    });
  }
  const bytes: Codec<Buffer> = {
    minBytes: (version) => (compact(version) ? 1 : 4),
    encode: (w, v, version) => (compact(version) ? void w.uvarint(v.length + 1).raw(v) : void w.bytes(v)),
    decode(r, version) {
      if (!compact(version)) return r.bytes();
      const n = r.uvarint() - 1;
      return n < 0 ? Buffer.alloc(0) : r.raw(n);
    },
  };
  return { string, nullableString, bytes, array, nullableArray, struct: flexStruct };
}
