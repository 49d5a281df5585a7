// LZ4 decompression for record batches with codec 3 (decompression only: mq's producer writes none or
// gzip). Record batches v2 carry the standard LZ4 frame format (the broken header checksum of old Kafka
// message sets, KAFKA-3160, only concerns magic 0/1):
//
//   frame:  UINT32 LE magic 0x184D2204, FLG, BD, [UINT64 content size if FLG bit 3], [UINT32 dict id if
//           FLG bit 0], header checksum byte, then blocks: UINT32 LE size (top bit set: stored uncompressed;
//           0: end mark), the bytes, [UINT32 block checksum if FLG bit 4]; after the end mark
//           [UINT32 content checksum if FLG bit 2]. Checksums are xxHash32 and are not verified here: the
//           batch CRC-32C already covers these bytes.
//   block:  sequences of a token (literal length in the high nibble, match length - 4 in the low; 15 means
//           more length bytes follow, each added, until one below 255), the literals, then UINT16 LE offset
//           and the match (copy `length` bytes from `offset` back, overlapping allowed). The last sequence
//           has literals only.
import { MqError } from '../util/mq-error.js';
import { copyMatch } from './copy-match.js';

const FRAME_MAGIC = 0x184d2204;
const FLG_DICT_ID = 0x01;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_CONTENT_SIZE = 0x08;
const FLG_BLOCK_CHECKSUM = 0x10;
const UNCOMPRESSED_BLOCK = 0x80000000;

/**
 * The uncompressed bytes of an LZ4-framed batch body. Throws on bad input, and when the frame inflates to
 * more than `maxOutputBytes` (a frame has no total size limit of its own: 255:1 per block is possible).
 */
export function lz4Decompress(input: Buffer, maxOutputBytes = Number.MAX_SAFE_INTEGER): Buffer {
  if (input.length < 7 || input.readUInt32LE(0) !== FRAME_MAGIC) throw corrupt('no LZ4 frame magic');
  const flg = input[4];
  if ((flg >>> 6) !== 1) throw corrupt(`frame version ${flg >>> 6}`);
  const maxBlockBytes = 1 << (8 + 2 * ((input[5] >>> 4) & 7));
  let at = 6 + ((flg & FLG_CONTENT_SIZE) ? 8 : 0) + ((flg & FLG_DICT_ID) ? 4 : 0) + 1;
  const blocks: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (at + 4 > input.length) throw corrupt('block size cut short');
    const word = input.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = word & ~UNCOMPRESSED_BLOCK;
    if (at + size > input.length) throw corrupt(`block of ${size} bytes runs past the end`);
    const data = input.subarray(at, at + size);
    const left = maxOutputBytes - total;
    if ((word & UNCOMPRESSED_BLOCK) !== 0 && size > left) throw tooLarge(maxOutputBytes);
    const out = (word & UNCOMPRESSED_BLOCK) !== 0 ? data : block(data, Math.min(maxBlockBytes, left), left < maxBlockBytes ? maxOutputBytes : 0);
    total += out.length;
    blocks.push(out);
    at += size + ((flg & FLG_BLOCK_CHECKSUM) ? 4 : 0);
  }
  if ((flg & FLG_CONTENT_CHECKSUM) && at + 4 > input.length) throw corrupt('content checksum cut short');
  return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks);
}

/** One block, decoded to at most `maxBytes`; past that it is over the frame's block size or (totalLimit > 0) the total limit. */
function block(src: Buffer, maxBytes: number, totalLimit: number): Buffer {
  // Grown on demand up to the frame's block maximum (up to 4 MiB), which most batches are far below.
  let out = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(256, src.length * 4)));
  let at = 0;
  let pos = 0;
  const room = (n: number): void => {
    if (pos + n > maxBytes) throw totalLimit > 0 ? tooLarge(totalLimit) : corrupt(`block decodes to more than ${maxBytes} bytes`);
    if (pos + n <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(out.length * 2, pos + n)));
    out.copy(bigger, 0, 0, pos);
    out = bigger;
  };
  const moreLength = (length: number): number => {
    if (length !== 15) return length;
    for (;;) {
      if (at >= src.length) throw corrupt('length cut short');
      const b = src[at++];
      length += b;
      if (b !== 255) return length;
    }
  };
  while (at < src.length) {
    const token = src[at++];
    const literals = moreLength(token >>> 4);
    if (at + literals > src.length) throw corrupt('literals run past the end');
    room(literals);
    src.copy(out, pos, at, at + literals);
    at += literals;
    pos += literals;
    if (at === src.length) break; // the last sequence: literals only
    if (at + 2 > src.length) throw corrupt('match offset cut short');
    const offset = src.readUInt16LE(at);
    at += 2;
    const length = moreLength(token & 15) + 4;
    if (offset === 0 || offset > pos) throw corrupt(`match of ${length} bytes from ${offset} back is out of range`);
    room(length);
    pos = copyMatch(out, pos, offset, length);
  }
  return out.subarray(0, pos);
}

function corrupt(what: string): MqError {
  return new MqError('CORRUPT_MESSAGE', `lz4 data is invalid: ${what}`);
}

function tooLarge(maxOutputBytes: number): MqError {
  return new MqError('CORRUPT_MESSAGE', `lz4 data inflates to more than ${maxOutputBytes} bytes`);
}
