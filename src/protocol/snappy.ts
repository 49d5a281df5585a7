// Snappy decompression for record batches with codec 2 (decompression only: mq's producer writes none or
// gzip). Two shapes reach a consumer: a raw Snappy block (librdkafka) and the "xerial" framing of the Java
// client (SnappyOutputStream), a header followed by length-prefixed raw blocks.
//
//   raw block:    VARINT uncompressed length, then elements, each starting with a tag byte whose low 2 bits say:
//                   00 literal: length-1 in the tag's upper 6 bits (< 60), else in the next 1-4 bytes (LE)
//                   01 copy:    length 4 + bits 2-4, offset bits 5-7 << 8 | next byte
//                   10 copy:    length 1 + upper 6 bits, offset UINT16 LE
//                   11 copy:    length 1 + upper 6 bits, offset UINT32 LE
//                 a copy repeats `length` bytes starting `offset` bytes back (it may overlap itself)
//   xerial:       0x82 'SNAPPY' 0x00, INT32 version, INT32 compatible version, then [INT32 length, raw block]...
import { MqError } from '../util/mq-error.js';
import { copyMatch } from './copy-match.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/**
 * Most bytes one compressed byte can stand for: a 3-byte copy element yields at most 64 (about 21x), so
 * a preamble announcing more than 32x the block is corrupt (or hostile), and is refused before allocating.
 */
const MAX_EXPANSION = 32;

/**
 * The uncompressed bytes of a Snappy-compressed batch body (raw or xerial-framed). Throws on bad input,
 * and when the blocks announce more than `maxOutputBytes` in all (xerial framing has no total limit).
 */
export function snappyDecompress(input: Buffer, maxOutputBytes = Number.MAX_SAFE_INTEGER): Buffer {
  if (input.length >= XERIAL_HEADER_BYTES && input.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    const blocks: Buffer[] = [];
    let total = 0;
    let at = XERIAL_HEADER_BYTES;
    while (at < input.length) {
      if (input.length - at < 4) throw corrupt('xerial block length cut short');
      const length = input.readInt32BE(at);
      at += 4;
      if (length < 0 || at + length > input.length) throw corrupt(`xerial block of ${length} bytes runs past the end`);
      const block = rawBlock(input.subarray(at, at + length), maxOutputBytes - total, maxOutputBytes);
      total += block.length;
      blocks.push(block);
      at += length;
    }
    return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks);
  }
  return rawBlock(input, maxOutputBytes, maxOutputBytes);
}

/** One raw block of at most `maxBytes` (what is left of the total `maxOutputBytes`). */
function rawBlock(src: Buffer, maxBytes: number, maxOutputBytes: number): Buffer {
  let at = 0;
  let expected = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= src.length || shift > 28) throw corrupt('bad length preamble');
    const b = src[at++];
    expected += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (expected > src.length * MAX_EXPANSION) throw corrupt(`${expected} bytes announced for a block of ${src.length}`);
  if (expected > maxBytes) throw new MqError('CORRUPT_MESSAGE', `snappy data inflates to more than ${maxOutputBytes} bytes`);
  const out = Buffer.allocUnsafe(expected);
  let pos = 0;
  while (at < src.length) {
    const tag = src[at++];
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >>> 2;
      if (length >= 60) {
        const bytes = length - 59;
        if (at + bytes > src.length) throw corrupt('literal length cut short');
        length = src.readUIntLE(at, bytes);
        at += bytes;
      }
      length += 1;
      if (at + length > src.length || pos + length > expected) throw corrupt('literal runs past the end');
      src.copy(out, pos, at, at + length);
      at += length;
      pos += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (at + 1 > src.length) throw corrupt('copy cut short');
      length = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | src[at++];
    } else if (kind === 2) {
      if (at + 2 > src.length) throw corrupt('copy cut short');
      length = 1 + (tag >>> 2);
      offset = src.readUInt16LE(at);
      at += 2;
    } else {
      if (at + 4 > src.length) throw corrupt('copy cut short');
      length = 1 + (tag >>> 2);
      offset = src.readUInt32LE(at);
      at += 4;
    }
    if (offset === 0 || offset > pos || pos + length > expected) throw corrupt(`copy of ${length} bytes from ${offset} back is out of range`);
    pos = copyMatch(out, pos, offset, length);
  }
  if (pos !== expected) throw corrupt(`${pos} bytes decoded, ${expected} announced`);
  return out;
}

function corrupt(what: string): MqError {
  return new MqError('CORRUPT_MESSAGE', `snappy data is invalid: ${what}`);
}
