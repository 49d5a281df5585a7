// Cuts a byte stream into chunks of whole lines without decoding it or making anything per line: each
// chunk yielded is a view of an input chunk from just after a \n to its last \n, or (when a line spans
// input chunks) that one line joined. Lines end at \n and one trailing \r is stripped (CRLF input);
// a last line without \n is yielded on its own when it is not empty. eachLine() finds the lines of
// such a chunk; the producer side (line-producer.ts) walks them itself, a memchr per line.
//
// readReusing() reads the process's own stdin (a pipe or a file) or a file into ONE buffer, reused
// for every read: a stream's fresh 64 KiB Buffer per read is dead as soon as its lines are in batches,
// but V8 frees such external memory only at a scavenge, which a producer allocating nothing per line
// rarely triggers, so tens of MB of dead chunks piled up. A chunk from it is valid until the consumer
// asks for the next one; the piece of a line that spans two reads is copied.
import { fstatSync, read } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { promisify } from 'node:util';

const readAsync = promisify(read);
/** Bytes per read of readReusing(). */
const REUSED_READ_BYTES = 256 * 1024;

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
        if (chunk.length > 0) partial.push(Buffer.from(chunk));
        continue;
      }
      partial.push(chunk.subarray(0, nl + 1));
      const joined = Buffer.concat(partial); // a copy: `chunk` may be a reused buffer
      partial = [];
      yield joined;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) yield chunk.subarray(start, last + 1);
    // Copied: the input may reuse its buffer for the next chunk (readReusing).
    if (Math.max(last + 1, start) < chunk.length) partial.push(Buffer.from(chunk.subarray(Math.max(last + 1, start))));
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

/** readReusing(0) when `stdin` is the process's own (fd 0, a pipe or a file), else null. */
export function readOwnStdin(stdin: unknown, signal?: AbortSignal): AsyncIterable<Buffer> | null {
  return (stdin as { fd?: unknown }).fd === 0 ? readReusing(0, signal) : null;
}

/**
 * The chunks of file descriptor `fd` read into one reused buffer (see the top of this file), or null
 * when `fd` is neither a pipe nor a regular file (a terminal: read it as a stream). A pipe is read
 * through a socket handle that stops reading while a chunk is in use, so a pending read never
 * outlives the consumer (Ctrl-C with the writer still open); a file through positioned-less fs.read.
 */
export function readReusing(fd: number, signal?: AbortSignal): AsyncIterable<Buffer> | null {
  let stat;
  try {
    stat = fstatSync(fd);
  } catch {
    return null;
  }
  if (stat.isFile()) return readFile(fd);
  if (stat.isFIFO() || stat.isSocket()) return readPipe(fd, signal);
  return null;
}

async function* readFile(fd: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(REUSED_READ_BYTES);
  for (;;) {
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** `signal` ends it even while it waits for input (a writer that keeps the pipe open, then Ctrl-C). */
async function* readPipe(fd: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let chunk: Buffer | null = null;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  // onread (a reused buffer) is documented for sockets; the constructor takes it too.
  const socket = new Socket({
    fd, readable: true, writable: false,
    onread: {
      buffer: Buffer.allocUnsafe(REUSED_READ_BYTES),
      // false stops reading until resume(): the buffer holds this chunk until it has been consumed.
      callback: (bytes: number, buffer: Uint8Array) => { chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes); wake?.(); return false; },
    },
  } as SocketConstructorOpts);
  const end = (): void => { ended = true; wake?.(); };
  socket.on('end', end);
  socket.on('error', (err) => { failure = err; wake?.(); });
  signal?.addEventListener('abort', end, { once: true });
  try {
    for (;;) {
      if (chunk === null && !ended && failure === null) await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
      if (failure !== null) throw failure;
      if (chunk !== null) {
        const c: Buffer = chunk;
        chunk = null;
        yield c;
        socket.resume();
      } else if (ended) {
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', end);
    socket.destroy();
  }
}
