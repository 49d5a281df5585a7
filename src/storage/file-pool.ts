// A cap on the file descriptors the logs of one broker hold: every segment and index file is a
// PooledFile that opens its descriptor on first use and may have it closed again (least recently used
// first) when more than `maxOpen` are open. A file in use is never closed under its user; when all are
// busy the cap is exceeded briefly rather than waiting. Closing a descriptor loses nothing: writes are
// in the page cache and a later fdatasync through a new descriptor flushes the same file.
import { open, type FileHandle } from 'node:fs/promises';

export class FilePool {
  /** Files with an open descriptor, least recently used first (Map keeps insertion order). */
  private readonly openFiles = new Map<PooledFile, true>();
  /** Descriptors opened over the pool's life (for tests and metrics). */
  opens = 0;

  constructor(readonly maxOpen: number) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1) throw new RangeError(`maxOpen must be a positive integer, got ${maxOpen}`);
  }

  /** A file at `path` opened with `flags` (such as 'r+') whenever it is used. */
  file(path: string, flags: string | number): PooledFile {
    return new PooledFile(this, path, flags);
  }

  /** Descriptors open now. */
  get openCount(): number {
    return this.openFiles.size;
  }

  /** @internal marks `f` most recently used, closing idle descriptors beyond the cap. */
  touch(f: PooledFile): void {
    this.openFiles.delete(f);
    this.openFiles.set(f, true);
    this.trim(f);
  }

  /** @internal closes idle descriptors, least recently used first, while over the cap. */
  trim(keep: PooledFile | null = null): void {
    if (this.openFiles.size <= this.maxOpen) return;
    for (const victim of this.openFiles.keys()) {
      if (this.openFiles.size <= this.maxOpen) break;
      if (victim !== keep && victim.idle) victim.evict();
    }
  }

  /** @internal */
  forget(f: PooledFile): void {
    this.openFiles.delete(f);
  }
}

export class PooledFile {
  private fh: FileHandle | null = null;
  private opening: Promise<FileHandle> | null = null;
  private users = 0;
  private drained: (() => void) | null = null;

  constructor(private readonly pool: FilePool, readonly path: string, private readonly flags: string | number) {}

  /** No operation is running on the descriptor. */
  get idle(): boolean {
    return this.users === 0 && this.opening === null;
  }

  /** Runs `fn` with an open descriptor (opening it if needed). */
  async use<T>(fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    this.users += 1;
    try {
      const fh = this.fh ?? (await (this.opening ??= this.openNow()));
      this.pool.touch(this);
      return await fn(fh);
    } finally {
      this.users -= 1;
      if (this.users === 0) {
        this.drained?.();
        this.pool.trim();
      }
    }
  }

  /**
   * Runs `fn` on the open descriptor synchronously and returns true, or returns false at once when the
   * descriptor is not open right now (the caller takes its asynchronous path, which opens it).
   */
  tryUseSync(fn: (fd: number) => void): boolean {
    const fh = this.fh;
    if (fh === null || this.opening !== null) return false;
    this.pool.touch(this);
    fn(fh.fd);
    return true;
  }

  private async openNow(): Promise<FileHandle> {
    try {
      const fh = await open(this.path, this.flags, 0o644);
      this.pool.opens += 1;
      this.fh = fh;
      return fh;
    } finally {
      this.opening = null;
    }
  }

  /** @internal closes an idle descriptor (the next use reopens it). */
  evict(): void {
    const fh = this.fh;
    this.fh = null;
    this.pool.forget(this);
    if (fh !== null) void fh.close().catch(() => undefined);
  }

  /** Waits for running operations, then closes the descriptor. The file can still be used again later. */
  async close(): Promise<void> {
    while (this.users > 0 || this.opening !== null) {
      if (this.opening !== null) await this.opening.catch(() => undefined);
      if (this.users > 0) await new Promise<void>((resolve) => { this.drained = resolve; });
    }
    this.drained = null;
    const fh = this.fh;
    this.fh = null;
    this.pool.forget(this);
    if (fh !== null) await fh.close();
  }
}

/** The pool logs use when none is given (tests, tools): generous, well under common fd limits. */
export const defaultFilePool = new FilePool(4096);
