// The persistence shared by OffsetIndex and TimeIndex: a flat file of fixed-size big-endian entries, kept
// whole in memory and copied to disk lazily. The in-memory copy is authoritative; the file is appended
// with positional writes at `persisted * entryBytes`, so a failed or repeated persist rewrites the same
// bytes instead of leaving garbage in the middle. A rebuilt index is written from position 0 after
// truncating the file. Callers serialize persist()/close() (the Log runs them on its write queue). The
// descriptor comes from a FilePool, so an index that is not being written holds none.
import { readFile, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { defaultFilePool, type FilePool, type PooledFile } from './file-pool.js';

export abstract class IndexFile {
  /** Entries on disk (a prefix of the in-memory entries). */
  private persisted = 0;
  /** The file holds stale bytes: truncate it before the next write. */
  private rewrite = false;
  /** Written since the last datasync. */
  private dirty = false;
  private readonly file: PooledFile;
  /** Why the file read at load time could not be trusted, or null. */
  loadProblem: string | null = null;

  constructor(readonly path: string, private readonly entryBytes: number, pool: FilePool = defaultFilePool) {
    this.file = pool.file(path, constants.O_RDWR | constants.O_CREAT);
  }

  /** Number of entries in memory. */
  abstract get length(): number;
  /** Writes entry `i` at buf[at, at + entryBytes). */
  protected abstract encodeEntry(i: number, buf: Buffer, at: number): void;
  /** Drops every in-memory entry. */
  protected abstract clearEntries(): void;
  /** Drops the in-memory entries after the first `n`. */
  protected abstract keepEntries(n: number): void;

  /** Entries in memory that are not on disk yet. */
  get unpersisted(): number {
    return this.length - this.persisted;
  }

  /** Keeps the first `n` entries (the log was truncated); a file holding more is rewritten on the next persist(). */
  truncateEntries(n: number): void {
    if (n >= this.length) return;
    this.keepEntries(n);
    if (this.persisted > n) {
      this.persisted = 0;
      this.rewrite = true;
    }
  }

  /** Forgets every entry because the index is being rebuilt; the file is rewritten on the next persist(). */
  reset(): void {
    this.clearEntries();
    this.persisted = 0;
    this.rewrite = true;
  }

  /** Called by subclasses after parsing a file: memory and disk agree, or the file must be replaced. */
  protected markLoaded(problem: string | null): void {
    this.loadProblem = problem;
    if (problem !== null) {
      this.clearEntries();
      this.persisted = 0;
      this.rewrite = true;
    } else {
      this.persisted = this.length;
    }
  }

  /** Reads the whole file, or null when it does not exist. */
  protected static async readBytes(path: string): Promise<Buffer | null> {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Writes the entries not yet on disk (all of them after a reset). */
  async persist(): Promise<void> {
    if (this.persisted === this.length && !this.rewrite) return;
    await this.file.use((fh) => this.persistTo(fh));
  }

  private async persistTo(fh: FileHandle): Promise<void> {
    if (this.rewrite) {
      await fh.truncate(0);
      this.persisted = 0;
      this.rewrite = false;
      this.dirty = true;
    }
    const end = this.length;
    const n = end - this.persisted;
    if (n === 0) return;
    const buf = Buffer.allocUnsafe(n * this.entryBytes);
    for (let i = 0; i < n; i++) this.encodeEntry(this.persisted + i, buf, i * this.entryBytes);
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await fh.write(buf, done, buf.length - done, this.persisted * this.entryBytes + done);
      if (bytesWritten === 0) throw new Error(`short write to ${this.path}`);
      done += bytesWritten;
    }
    this.persisted = end;
    this.dirty = true;
  }

  /** fdatasync of what persist() wrote. Starts synchronously, so a later close() waits for it. */
  sync(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    return this.file.use((fh) => fh.datasync());
  }

  /** Syncs pending writes and closes the file handle (the index stays usable in memory). */
  async close(): Promise<void> {
    try {
      if (this.dirty) await this.file.use((fh) => fh.datasync());
      this.dirty = false;
    } finally {
      await this.file.close();
    }
  }
}
