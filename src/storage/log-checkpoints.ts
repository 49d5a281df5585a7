// The checkpoint files in a log's folder, beside its segments (the Log decides when each is written;
// log-recovery.ts how each is used when the log opens):
//
// `.clean-shutdown` is written by close() after everything is synced and removed by open(): one line of
// JSON, `{"version":1,"logEndOffset":N,"activeBaseOffset":B,"activeSizeBytes":S}`. Its removal is synced
// before the log is used, so a later crash is noticed.
//
// `.log-start-offset` holds the log start offset as decimal text when DeleteRecords (or a full truncation)
// moved it past the first segment's base offset.
//
// `.recovery-point` (decimal text) is the base offset of the first segment not known to be synced: every
// segment below it had its data and indexes fdatasynced by a flush. It is raised after such a flush and
// lowered before a truncation cuts below it.
//
// The two offset files are written to a temp file, fsynced, renamed over the old one and the directory
// synced, so a crash leaves the old value or the new one. A missing or unreadable one reads as -1.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from './sync-dir.js';

const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const LOG_START_FILE = '.log-start-offset';
const RECOVERY_POINT_FILE = '.recovery-point';

/** The `.clean-shutdown` marker's content. */
export interface CleanShutdown {
  version: 1;
  logEndOffset: number;
  activeBaseOffset: number;
  activeSizeBytes: number;
}

export class LogCheckpoints {
  /** Segments below this base offset are synced, as far as this process wrote or lowered it (-1: none known). */
  private recoveryPointValue = -1;

  constructor(readonly dir: string, private readonly logLine: (msg: string) => void) {}

  /** The recovery point this process raised or lowered `.recovery-point` to, -1 before it did. */
  get recoveryPoint(): number {
    return this.recoveryPointValue;
  }

  /** The checkpointed log start offset, or -1 when there is none (or it is unreadable). */
  readLogStart(): Promise<number> {
    return this.readOffsetFile(LOG_START_FILE);
  }

  /** Writes `.log-start-offset` durably. */
  writeLogStart(offset: number): Promise<void> {
    return this.writeOffsetFile(LOG_START_FILE, offset);
  }

  /** The `.recovery-point` on disk, or -1 when there is none (or it is unreadable). */
  readRecoveryPoint(): Promise<number> {
    return this.readOffsetFile(RECOVERY_POINT_FILE);
  }

  /** Writes `point` as the recovery point (every segment below it has just been synced). */
  async raiseRecoveryPoint(point: number): Promise<void> {
    await this.writeOffsetFile(RECOVERY_POINT_FILE, point);
    this.recoveryPointValue = point;
  }

  /** Makes sure the recovery point (file and memory) is at most `point`. */
  async lowerRecoveryPoint(point: number): Promise<void> {
    const onDisk = await this.readOffsetFile(RECOVERY_POINT_FILE);
    if (onDisk > point) await this.writeOffsetFile(RECOVERY_POINT_FILE, point);
    this.recoveryPointValue = Math.min(point, Math.max(this.recoveryPointValue, onDisk));
  }

  /** Writes the clean-shutdown marker durably (the last thing close() does). */
  async writeCleanShutdown(marker: CleanShutdown): Promise<void> {
    const fh = await open(join(this.dir, CLEAN_SHUTDOWN_FILE), 'w', 0o644);
    try {
      await fh.writeFile(JSON.stringify(marker) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await syncDir(this.dir);
  }

  /** Reads and removes the clean-shutdown marker (durably, so a later crash is noticed); null when absent or unreadable. */
  async takeCleanShutdown(): Promise<CleanShutdown | null> {
    const path = join(this.dir, CLEAN_SHUTDOWN_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    await unlink(path);
    await syncDir(this.dir);
    try {
      const m = JSON.parse(text) as CleanShutdown;
      if (m.version === 1 && [m.logEndOffset, m.activeBaseOffset, m.activeSizeBytes].every((v) => Number.isSafeInteger(v) && v >= 0)) {
        return m;
      }
    } catch {
      // Unreadable: fall through and treat the stop as unclean.
    }
    this.logLine(`${this.dir}: the clean-shutdown marker is unreadable; checking every segment`);
    return null;
  }

  /** Writes an offset checkpoint file durably (temp file, rename, directory sync). */
  private async writeOffsetFile(name: string, offset: number): Promise<void> {
    const tmp = join(this.dir, name + '.tmp');
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(`${offset}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await syncDir(this.dir);
  }

  /** An offset checkpoint file's value, or -1 when it is missing or unreadable. */
  private async readOffsetFile(name: string): Promise<number> {
    try {
      const n = Number((await readFile(join(this.dir, name), 'utf8')).trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : -1;
    } catch {
      return -1;
    }
  }
}
