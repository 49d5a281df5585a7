// Reads a decimal integer (optionally negative) written in ASCII in buf[start, end) without making a
// string: the peer readers parse millions of length fields per run. NaN when a byte is not a digit.
export function asciiInt(buf: Buffer, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === 0x2d; // '-'
  if (negative) i++;
  if (i >= end) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}
