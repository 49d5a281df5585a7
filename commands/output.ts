// The only module that writes to stdout. Text is buffered and written in chunks (at 64 KiB or once
// per event-loop turn), so piping 200k records costs a few hundred write calls, and write() hands
// back a promise when the stream asks us to wait for 'drain'. writeBytes() writes a rendered Buffer
// as one chunk (`mq consume`: one write per fetched batch), with the same wait for 'drain'. When the reader goes away (EPIPE, as
// with `| head`), `closed` aborts and further output is dropped; the command then ends quietly.
// stderr notes (summaries, progress) go through here too so commands never touch process streams.
import Table from 'cli-table3';
import { LiveProgress } from '../src/cli/live-progress.js';

const CHUNK_CHARS = 64 * 1024;

// No borders: columns separated by two spaces, like rpk and kubectl, so output is easy to grep and cut.
const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

export class Output {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled: NodeJS.Immediate | null = null;
  /** Set while the stream is above its high-water mark; writers wait on it. */
  private draining: Promise<void> | null = null;
  private readonly closedController = new AbortController();
  private readonly onError = (err: NodeJS.ErrnoException): void => {
    // EPIPE: the reader is gone. Anything else is also fatal for stdout; stop writing either way.
    this.closedController.abort(err);
  };

  constructor(private readonly out: NodeJS.WritableStream, private readonly err: NodeJS.WritableStream) {
    out.on('error', this.onError);
  }

  /** The stdout stream itself, for a full-screen renderer that owns the terminal (`mq top`). */
  get terminal(): NodeJS.WritableStream { return this.out; }

  /** Aborts when stdout can no longer be written (its reader closed the pipe). */
  get closed(): AbortSignal { return this.closedController.signal; }

  /** Appends text to stdout; resolves when the caller may write more. */
  write(text: string): void | Promise<void> {
    if (this.closed.aborted) return;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= CHUNK_CHARS) return this.flushPending();
    this.scheduled ??= setImmediate(() => { this.scheduled = null; void this.flushPending(); });
    return this.draining ?? undefined;
  }

  /**
   * Writes bytes to stdout at once, after any text still buffered (one write per call: `mq consume`
   * renders a fetched batch into one Buffer); resolves when the caller may write more. `written` is
   * called once the stream is done with `chunk` (written, or failed), so its memory may be reused.
   */
  writeBytes(chunk: Buffer, written?: () => void): void | Promise<void> {
    if (this.closed.aborted || chunk.length === 0) {
      written?.();
      return this.closed.aborted ? undefined : this.draining ?? undefined;
    }
    if (this.scheduled) { clearImmediate(this.scheduled); this.scheduled = null; }
    void this.flushPending();
    return this.send(chunk, written);
  }

  line(text: string): void | Promise<void> {
    return this.write(text + '\n');
  }

  /** A borderless table with UPPER-CASE headers. */
  table(headers: string[], rows: string[][]): void | Promise<void> {
    const t = new Table({ head: headers.map((h) => h.toUpperCase()), chars: PLAIN_CHARS, style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] } });
    t.push(...rows);
    return this.write(t.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n');
  }

  /** Pretty-printed JSON document. */
  json(value: unknown): void | Promise<void> {
    return this.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** A line on stderr (summaries, notices), never mixed into stdout data. */
  note(text: string): void {
    this.err.write(text + '\n');
  }

  /** A live counter on stderr when it is a terminal; null otherwise. */
  progress(sample: () => number, label = 'records'): LiveProgress | null {
    if ((this.err as { isTTY?: boolean }).isTTY !== true) return null;
    return new LiveProgress({ write: (s) => this.err.write(s), sample, label }).start();
  }

  /** Writes everything buffered and waits until the stream accepted it. */
  async flush(): Promise<void> {
    if (this.scheduled) { clearImmediate(this.scheduled); this.scheduled = null; }
    await this.flushPending();
  }

  dispose(): void {
    if (this.scheduled) { clearImmediate(this.scheduled); this.scheduled = null; }
    this.out.removeListener('error', this.onError);
  }

  private flushPending(): void | Promise<void> {
    if (this.pending.length === 0 || this.closed.aborted) { this.pending = []; this.pendingChars = 0; return; }
    const chunk = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return this.send(chunk);
  }

  /** Hands `chunk` to the stream; while it is above its high-water mark, writers wait for 'drain'. */
  private send(chunk: string | Buffer, written?: () => void): void | Promise<void> {
    if (this.out.write(chunk, written)) return this.draining ?? undefined;
    this.draining ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.removeListener('drain', done);
        this.closed.removeEventListener('abort', done);
        this.draining = null;
        resolve();
      };
      this.out.once('drain', done);
      this.closed.addEventListener('abort', done, { once: true });
    });
    return this.draining;
  }
}
