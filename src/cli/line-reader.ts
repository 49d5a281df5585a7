// Cuts a byte stream into chunks of whole lines without decoding it or making anything per line: each
// chunk yielded is a view of an input chunk from just after a \n to its last \n, or (when a line spans
// input chunks) that one line joined. Lines end at \n and one trailing \r is stripped (CRLF input);
// a last line without \n is yielded on its own when it is not empty. eachLine() finds the lines of
// such a chunk; the producer side (line-producer.ts) walks them itself, a memchr per line.

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

/** The input in chunks of whole lines, in order; each ends with \n except a last unterminated line. */
export async function* readLineChunks(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  // Pieces of a line that started in an earlier chunk; joined once its \n arrives.
  let partial: Buffer[] = [];
  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let start = 0;
    if (partial.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        if (chunk.length > 0) partial.push(chunk);
        continue;
      }
      partial.push(chunk.subarray(0, nl + 1));
      const joined = Buffer.concat(partial);
      partial = [];
      yield joined;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) yield chunk.subarray(start, last + 1);
    if (Math.max(last + 1, start) < chunk.length) partial.push(chunk.subarray(Math.max(last + 1, start)));
  }
  if (partial.length > 0) {
    const last = Buffer.concat(partial);
    if (stripCr(last).length > 0) yield last;
  }
}

/** Calls `line(start, end)` for each line of a chunk from readLineChunks (end excludes \n and one \r). */
export function eachLine(chunk: Buffer, line: (start: number, end: number) => void): void {
  const end = chunk.length;
  let start = 0;
  while (start < end) {
    let nl = chunk.indexOf(10, start);
    if (nl === -1) nl = end;
    line(start, lineEnd(chunk, start, nl));
    start = nl + 1;
  }
}

/** Where the line from `start` to its \n at `nl` ends once one trailing \r is stripped. */
export function lineEnd(chunk: Buffer, start: number, nl: number): number {
  return nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl;
}
