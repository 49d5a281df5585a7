// Splits a byte stream into lines without decoding it: lines end at \n, one trailing \r is stripped
// (CRLF input), and a last line without \n still counts when it is not empty. Lines are yielded in
// groups, one group per input chunk, so a 200k-line pipe costs a few hundred iterations, not 200k.
// Lines are views into the input chunks (no copy), except a line spanning chunks.

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

/** The lines of `input` in order, grouped per chunk. */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer[]> {
  // Pieces of a line that started in an earlier chunk; joined once its \n arrives.
  let partial: Buffer[] = [];
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, nl);
      if (partial.length > 0) {
        line = Buffer.concat([...partial, line]);
        partial = [];
      }
      lines.push(stripCr(line));
      start = nl + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
    if (lines.length > 0) yield lines;
  }
  if (partial.length > 0) {
    const last = stripCr(Buffer.concat(partial));
    if (last.length > 0) yield [last];
  }
}
