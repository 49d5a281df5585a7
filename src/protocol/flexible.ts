// Codecs of Kafka's flexible versions (KIP-482), for the APIs whose every version is flexible
// (AlterPartitionReassignments, ListPartitionReassignments):
//   COMPACT_STRING          UNSIGNED_VARINT length+1, then UTF-8 bytes (0 = null, only when nullable)
//   COMPACT_ARRAY           UNSIGNED_VARINT count+1, then the elements (0 = null, only when nullable)
//   TAGGED_FIELDS           UNSIGNED_VARINT count, then per field: UNSIGNED_VARINT tag, UNSIGNED_VARINT
//                           size, size bytes. mq writes none and skips whatever it reads.
// `tagged(fields)` is a struct followed by its TAGGED_FIELDS, as every struct of a flexible version is.
// `withHeaderTags(struct)` also reads and writes the TAGGED_FIELDS of the flexible header (request header
// v2, response header v1), which come right before the body, so the server and the client connection,
// which speak header v1/v0, need not know which versions are flexible (kafkajs does the same).
import { MAX_ARRAY_ELEMENTS, minBytesOf, struct, type Codec, type Struct, type StructOf } from './codec.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { MqError } from '../util/mq-error.js';

const one = (): number => 1;

function readCompactLength(r: Reader): number {
  return r.uvarint() - 1;
}

export const compactString: Codec<string> = {
  minBytes: one,
  encode(w, v) {
    const b = Buffer.from(v, 'utf8');
    w.uvarint(b.length + 1).raw(b);
  },
  decode(r) {
    const n = readCompactLength(r);
    if (n < 0) throw new MqError('INVALID_REQUEST', 'null where a string is required');
    return r.raw(n).toString('utf8');
  },
};

export const compactNullableString: Codec<string | null> = {
  minBytes: one,
  encode(w, v) {
    if (v === null) w.uvarint(0);
    else compactString.encode(w, v, 0);
  },
  decode(r) {
    const n = readCompactLength(r);
    return n < 0 ? null : r.raw(n).toString('utf8');
  },
};

/** COMPACT_ARRAY of `item`; the count is checked against the bytes left, as array() does. */
export function compactArray<T>(item: Codec<T>): Codec<T[]> {
  const inner = compactNullableArray(item);
  return {
    minBytes: one,
    encode: (w, v, version) => inner.encode(w, v, version),
    decode(r, version) {
      const v = inner.decode(r, version);
      if (v === null) throw new MqError('INVALID_REQUEST', 'null where an array is required');
      return v;
    },
  };
}

export function compactNullableArray<T>(item: Codec<T>): Codec<T[] | null> {
  return {
    minBytes: one,
    encode(w, v, version) {
      if (v === null) { w.uvarint(0); return; }
      w.uvarint(v.length + 1);
      for (const x of v) item.encode(w, x, version);
    },
    decode(r, version) {
      const n = readCompactLength(r);
      if (n < 0) return null;
      const min = Math.max(1, minBytesOf(item, version));
      if (n > MAX_ARRAY_ELEMENTS) throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the limit of ${MAX_ARRAY_ELEMENTS}`);
      if (n * min > r.remaining) throw new MqError('INVALID_REQUEST', `array of ${n} elements is longer than the ${r.remaining} bytes left`);
      if (n > r.elementBudget) throw new MqError('INVALID_REQUEST', `array of ${n} elements is over the ${r.elementBudget} elements left for this message`);
      r.elementBudget -= n;
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.decode(r, version));
      return out;
    },
  };
}

/** Writes an empty TAGGED_FIELDS; reads and drops any. */
export const taggedFields: Codec<null> = {
  minBytes: one,
  encode: (w) => void w.uvarint(0),
  decode(r) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      r.uvarint();
      r.raw(r.uvarint());
    }
    return null;
  },
};

/** A flexible struct: its fields, then TAGGED_FIELDS. */
export function tagged<F extends Record<string, Codec<any>>>(fields: F): Struct<StructOf<F>> {
  const inner = struct(fields);
  return finish({
    minBytes: (version) => inner.minBytes!(version) + 1,
    encode(w, v, version) {
      inner.encode(w, v, version);
      taggedFields.encode(w, null, version);
    },
    decode(r, version) {
      const v = inner.decode(r, version);
      taggedFields.decode(r, version);
      return v;
    },
  });
}

/** A message body preceded by its header's TAGGED_FIELDS (see the top of this file). */
export function withHeaderTags<T>(body: Struct<T>): Struct<T> {
  return finish({
    minBytes: (version) => minBytesOf(body, version) + 1,
    encode(w, v, version) {
      taggedFields.encode(w, null, version);
      body.encode(w, v, version);
    },
    decode(r, version) {
      taggedFields.decode(r, version);
      return body.decode(r, version);
    },
  });
}

function finish<T>(c: Codec<T>): Struct<T> {
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
