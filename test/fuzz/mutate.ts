// Mutations of a valid request frame (request-corpus.ts), each drawn from a seeded PRNG so a run is
// reproducible from its seed. Every mutation keeps the 4-byte size prefix equal to the bytes that follow
// except 'size-lie', which is about the prefix itself. No import-time side effects.
import { SeededRandom } from '../chaos/seeded-random.js';
import type { SeedFrame } from './request-corpus.js';

export const MUTATION_KINDS = [
  'none', 'bit-flip', 'int-field', 'huge-count', 'truncate', 'splice', 'invalid-utf8', 'trailing-bytes', 'api-version', 'size-lie',
] as const;
export type MutationKind = typeof MUTATION_KINDS[number];
/** Kinds after which the frame often still decodes (values change, not the layout). */
export const SOFT_MUTATION_KINDS: readonly MutationKind[] = ['none', 'none', 'none', 'bit-flip', 'int-field', 'invalid-utf8', 'trailing-bytes'];

const INT16_VALUES = [0, 1, -1, -2, 0x7fff, -0x8000, 0x4000];
const INT32_VALUES = [0, 1, -1, -2, 0x7fffffff, -0x80000000, 0x10000, 1_000_000, 0x3fffffff];
const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]];
const SIZE = 4;
/** The request header's ApiVersion. */
const OFF_API_VERSION = SIZE + 2;

function withSize(body: Buffer): Buffer {
  const out = Buffer.alloc(SIZE + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, SIZE);
  return out;
}

function int(r: SeededRandom, below: number): number {
  return Math.floor(r.next() * below);
}

/** A mutated copy of `seed.frame` (`other` is a second seed, for splicing). */
export function mutate(r: SeededRandom, kind: MutationKind, seed: SeedFrame, other: SeedFrame): Buffer {
  const f = Buffer.from(seed.frame);
  const bodyLength = f.length - SIZE;
  switch (kind) {
    case 'none':
      return f;
    case 'bit-flip': {
      // In the body: a flipped ApiKey or header length only gets the connection closed (api-version and
      // truncate cover the header).
      if (f.length === seed.bodyAt) return f;
      for (let i = 1 + int(r, 8); i > 0; i--) f[seed.bodyAt + int(r, f.length - seed.bodyAt)] ^= 1 << int(r, 8);
      return f;
    }
    case 'int-field': {
      const at16 = seed.int16At.filter((p) => p >= seed.bodyAt);
      const at32 = seed.int32At.filter((p) => p >= seed.bodyAt);
      if (at16.length + at32.length === 0) return f;
      if (at32.length === 0 || (at16.length > 0 && r.next() < 0.5)) f.writeInt16BE(r.pick(INT16_VALUES), r.pick(at16));
      else f.writeInt32BE(r.pick(INT32_VALUES), r.pick(at32));
      return f;
    }
    case 'huge-count': {
      // An INT32 of the body (array counts among them) claims far more than the bytes hold.
      const at = seed.int32At.filter((p) => p >= seed.bodyAt);
      if (at.length === 0) return f;
      f.writeInt32BE(r.pick([0x7fffffff, 0x10000000, 5_000_000, 65536]), r.pick(at));
      return f;
    }
    case 'truncate':
      return withSize(f.subarray(SIZE, SIZE + int(r, bodyLength)));
    case 'splice': {
      const cut = SIZE + int(r, bodyLength);
      const from = SIZE + int(r, other.frame.length - SIZE);
      return withSize(Buffer.concat([f.subarray(SIZE, cut), other.frame.subarray(from)]));
    }
    case 'invalid-utf8': {
      // Overwrite the start of a string (an INT16 length followed by that many bytes) with invalid UTF-8.
      const strings = seed.int16At.filter((p) => {
        if (p < seed.bodyAt) return false;
        const n = f.readInt16BE(p);
        return n > 0 && p + 2 + n <= f.length;
      });
      if (strings.length === 0) return f;
      const p = r.pick(strings);
      const n = f.readInt16BE(p);
      const bad = r.pick(INVALID_UTF8);
      for (let i = 0; i < Math.min(n, bad.length); i++) f[p + 2 + i] = bad[i];
      return f;
    }
    case 'trailing-bytes':
      return withSize(Buffer.concat([f.subarray(SIZE), Buffer.alloc(1 + int(r, 64), int(r, 256))]));
    case 'api-version':
      f.writeInt16BE(r.pick([-1, 0x7fff, 12, seed.version + 1]), OFF_API_VERSION);
      return f;
    case 'size-lie':
      f.writeInt32BE(r.pick([bodyLength - 1, bodyLength + 1, bodyLength + 1000, 0, -1]), 0);
      return f;
  }
}
