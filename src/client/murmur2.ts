// The Java client's 32-bit murmur2 (org.apache.kafka.common.utils.Utils.murmur2), so a key lands on
// the partition a Java, librdkafka (murmur2_random) or kafkajs producer would choose.
//
//   h = seed ^ len; for each 4-byte little-endian word k: k *= m; k ^= k >>> 24; k *= m; h *= m; h ^= k
//   tail bytes xor'ed in (byte 2 << 16, byte 1 << 8, byte 0), then h *= m
//   h ^= h >>> 13; h *= m; h ^= h >>> 15
// All arithmetic is 32-bit two's complement (Math.imul), as Java's int.

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/** murmur2 of `data` as a signed 32-bit integer (Java's int). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const wordsEnd = length & ~3;
  for (let i = 0; i < wordsEnd; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[wordsEnd + 2] << 16;
  if (tail >= 2) h ^= data[wordsEnd + 1] << 8;
  if (tail >= 1) {
    h ^= data[wordsEnd];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which overflows on INT_MIN). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
