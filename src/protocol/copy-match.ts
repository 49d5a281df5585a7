// The back-reference step Snappy and LZ4 share: repeat `length` bytes that start `offset` bytes before
// `pos` in `out`. When the match overlaps the bytes it produces (offset < length) it repeats a pattern and
// has to go byte by byte; otherwise one copy does.

/** Writes the match at `pos` (the caller checked 0 < offset <= pos and the room); returns the new position. */
export function copyMatch(out: Buffer, pos: number, offset: number, length: number): number {
  if (offset >= length) {
    out.copy(out, pos, pos - offset, pos - offset + length);
    return pos + length;
  }
  for (let i = 0; i < length; i++, pos++) out[pos] = out[pos - offset];
  return pos;
}
