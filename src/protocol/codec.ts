// Codec combinators: a wire message is declared once as a struct of field codecs, each optionally
// limited to a version range (as Kafka's JSON schemas do), and the struct yields encode, decode,
// size and the inferred TypeScript type.
//
//   const HeartbeatRequest = struct({
//     groupId: string,
//     generationId: int32,
//     memberId: string,
//     groupInstanceId: since(3, nullableString, null),
//   });
//   type HeartbeatRequest = Infer<typeof HeartbeatRequest>;
//
// A field outside its version range is not written, and decodes to its default.
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface Codec<T> {
  encode(w: Writer, value: T, version: number): void;
  decode(r: Reader, version: number): T;
  /**
   * The fewest bytes a value takes on the wire in `version` (absent: 1). Arrays use it to refuse a count
   * the remaining bytes cannot hold before decoding any element.
   */
  minBytes?(version: number): number;
}

/** Most elements any one array of a message may hold (a generous cap; Kafka's own lists stay far below). */
export const MAX_ARRAY_ELEMENTS = 100_000;

const fixed = (n: number) => (): number => n;

/** The fewest bytes `c` takes in `version`; 1 when the codec does not say (every element takes a byte). */
export function minBytesOf(c: Codec<unknown>, version: number): number {
  return c.minBytes ? c.minBytes(version) : 1;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export const int8: Codec<number> = { encode: (w, v) => void w.int8(v), decode: (r) => r.int8(), minBytes: fixed(1) };
export const int16: Codec<number> = { encode: (w, v) => void w.int16(v), decode: (r) => r.int16(), minBytes: fixed(2) };
export const int32: Codec<number> = { encode: (w, v) => void w.int32(v), decode: (r) => r.int32(), minBytes: fixed(4) };
export const int64: Codec<bigint> = { encode: (w, v) => void w.int64(v), decode: (r) => r.int64(), minBytes: fixed(8) };
export const float64: Codec<number> = { encode: (w, v) => void w.float64(v), decode: (r) => r.float64(), minBytes: fixed(8) };
export const boolean: Codec<boolean> = { encode: (w, v) => void w.boolean(v), decode: (r) => r.boolean(), minBytes: fixed(1) };
export const string: Codec<string> = { encode: (w, v) => void w.string(v), decode: (r) => r.string(), minBytes: fixed(2) };
export const nullableString: Codec<string | null> = {
  encode: (w, v) => void w.nullableString(v),
  decode: (r) => r.nullableString(),
  minBytes: fixed(2),
};
export const bytes: Codec<Buffer> = { encode: (w, v) => void w.bytes(v), decode: (r) => r.bytes(), minBytes: fixed(4) };
export const nullableBytes: Codec<Buffer | null> = {
  encode: (w, v) => void w.nullableBytes(v),
  decode: (r) => r.nullableBytes(),
  minBytes: fixed(4),
};

/**
 * RECORDS: INT32 size then zero or more RecordBatches, kept as raw bytes. Encoding accepts a list of
 * buffers (file slices on the fetch path) so stored bytes go to the socket without being joined.
 * Never encoded as null (librdkafka rejects a negative size).
 */
export const records: Codec<Buffer | Buffer[]> = {
  encode(w, v) {
    const parts = Array.isArray(v) ? v : [v];
    let total = 0;
    for (const p of parts) total += p.length;
    w.int32(total);
    for (const p of parts) w.raw(p);
  },
  decode: (r) => r.bytes(),
  minBytes: fixed(4),
};

/**
 * ARRAY of `item`; a null array (-1) decodes leniently as []. A count over `maxElements`, or more than
 * the remaining bytes can hold at the item's smallest size, is refused before any element is built.
 */
export function array<T>(item: Codec<T>, maxElements = MAX_ARRAY_ELEMENTS): Codec<T[]> {
  return {
    minBytes: fixed(4),
    encode(w, v, version) {
      w.int32(v.length);
      for (const x of v) item.encode(w, x, version);
    },
    decode(r, version) {
      const n = r.arrayLength(minBytesOf(item, version), maxElements);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.decode(r, version));
      return out;
    },
  };
}

/** ARRAY that may be null (-1), e.g. Metadata.Topics where null means "all topics". */
export function nullableArray<T>(item: Codec<T>, maxElements = MAX_ARRAY_ELEMENTS): Codec<T[] | null> {
  const inner = array(item, maxElements);
  return {
    minBytes: fixed(4),
    encode(w, v, version) {
      if (v === null) w.int32(-1);
      else inner.encode(w, v, version);
    },
    decode(r, version) {
      const save = r.pos;
      if (r.int32() < 0) return null;
      r.pos = save;
      return inner.decode(r, version);
    },
  };
}

/** A field present only in versions [min, max]; outside that range it is skipped and decodes to `fallback`. */
export interface Versioned<T> extends Codec<T> {
  readonly versioned: true;
  readonly min: number;
  readonly max: number;
  readonly fallback: T;
  readonly inner: Codec<T>;
}

export function versions<T>(min: number, max: number, inner: Codec<T>, fallback: T): Versioned<T> {
  return {
    versioned: true, min, max, fallback, inner,
    encode: (w, v, version) => inner.encode(w, v, version),
    decode: (r, version) => inner.decode(r, version),
    minBytes: (version) => minBytesOf(inner, version),
  };
}

/** Present from `min` on. */
export function since<T>(min: number, inner: Codec<T>, fallback: T): Versioned<T> {
  return versions(min, Number.MAX_SAFE_INTEGER, inner, fallback);
}

/** Present up to and including `max`. */
export function until<T>(max: number, inner: Codec<T>, fallback: T): Versioned<T> {
  return versions(0, max, inner, fallback);
}

type Fields = Record<string, Codec<any>>;
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export interface Struct<T> extends Codec<T> {
  /** Encodes into a fresh buffer. */
  toBuffer(value: T, version: number): Buffer;
  /** Decodes a whole buffer. */
  fromBuffer(buf: Buffer, version: number): T;
  /** Encoded size in bytes. */
  size(value: T, version: number): number;
}

export function struct<F extends Fields>(fields: F): Struct<StructOf<F>> {
  const entries = Object.entries(fields);
  const present = (c: Codec<unknown>, version: number): boolean => {
    const v = c as Partial<Versioned<unknown>>;
    return !v.versioned || (version >= v.min! && version <= v.max!);
  };
  return asStruct<StructOf<F>>({
    minBytes(version) {
      let n = 0;
      for (const [, c] of entries) if (present(c, version)) n += minBytesOf(c, version);
      return n;
    },
    encode(w, value, version) {
      for (const [name, c] of entries) {
        if (present(c, version)) c.encode(w, (value as Record<string, unknown>)[name], version);
      }
    },
    decode(r, version) {
      const out: Record<string, unknown> = {};
      for (const [name, c] of entries) {
        out[name] = present(c, version) ? c.decode(r, version) : (c as Versioned<unknown>).fallback;
      }
      return out as StructOf<F>;
    },
  });
}

/** A whole-message codec: `c` with toBuffer, fromBuffer and size. */
export function asStruct<T>(c: Codec<T>): Struct<T> {
  return {
    ...c,
    toBuffer(value, version) {
      const w = new Writer();
      c.encode(w, value, version);
      return w.toBuffer();
    },
    fromBuffer: (buf, version) => c.decode(new Reader(buf), version),
    size(value, version) {
      const w = new Writer();
      c.encode(w, value, version);
      return w.length;
    },
  };
}
