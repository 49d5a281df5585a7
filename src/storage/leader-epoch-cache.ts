// `leader-epoch-checkpoint`: which leader epoch wrote which offsets of one partition replica's log.
// Text, one `<epoch> <startOffset>` line per entry (decimal, one space, `\n`), oldest first; both fields
// strictly increase from line to line. Entry (E, S) says the batches from offset S up to the next entry's
// start (or the log end, for the last entry) were written under leader epoch E. Every change rewrites the
// whole file through a temp file, fdatasync, rename and a directory fsync; changes are rare (one per leader
// change, truncation or log-start move), so the cost does not matter.
//
// The Log changes the cache on its write queue and persists an entry BEFORE the first batch of its epoch
// is written, so after a crash every batch on disk is covered by an entry; entries at or past the recovered
// log end (an entry written, its batch not) are dropped when the log opens. A missing or unreadable file
// is reported by load() so the Log can rebuild the entries from its batch headers.
//
// The semantics follow Kafka's LeaderEpochFileCache: endOffsetFor answers OffsetForLeaderEpoch, and
// truncateFromStart keeps the last entry covering a new log start with its start raised to it.
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export interface EpochEndOffset {
  /** The largest cached epoch at or below the one asked for, -1 when there is none. */
  leaderEpoch: number;
  /** The offset after the last one written under that epoch, -1 when there is none. */
  endOffset: number;
}

export class LeaderEpochCache {
  private constructor(readonly dir: string, private entries: EpochEntry[]) {}

  /**
   * Reads the checkpoint in `dir`. `problem` is null when the file was read, otherwise why it could not be
   * (missing or malformed); the cache is then empty.
   */
  static async load(dir: string): Promise<{ cache: LeaderEpochCache; problem: string | null; missing: boolean }> {
    let text: string;
    try {
      text = await readFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return { cache: new LeaderEpochCache(dir, []), problem: `${LEADER_EPOCH_CHECKPOINT_FILE} is missing`, missing: true };
    }
    const entries: EpochEntry[] = [];
    const lines = text.split('\n').filter((l) => l.length > 0);
    for (const [i, line] of lines.entries()) {
      const m = /^(\d+) (\d+)$/.exec(line);
      const epoch = m === null ? NaN : Number(m[1]);
      const startOffset = m === null ? NaN : Number(m[2]);
      const prev = entries[entries.length - 1];
      if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(startOffset)
        || (prev !== undefined && (epoch <= prev.epoch || startOffset <= prev.startOffset))) {
        const problem = `${LEADER_EPOCH_CHECKPOINT_FILE} line ${i + 1} (${JSON.stringify(line)}) is malformed or out of order`;
        return { cache: new LeaderEpochCache(dir, []), problem, missing: false };
      }
      entries.push({ epoch, startOffset });
    }
    return { cache: new LeaderEpochCache(dir, entries), problem: null, missing: false };
  }

  /** An empty cache for `dir` that has not read or written anything. */
  static empty(dir: string): LeaderEpochCache {
    return new LeaderEpochCache(dir, []);
  }

  /** The latest epoch, -1 when the cache is empty. */
  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  /** A copy of the entries, oldest first. */
  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /**
   * Records that epoch `epoch` starts at `startOffset`, when `epoch` is above the latest epoch (otherwise
   * nothing changes). Entries starting at or after `startOffset` are replaced (an epoch that never wrote
   * anything). Persists before resolving; on a failed write the cache is unchanged.
   */
  async assign(epoch: number, startOffset: number): Promise<boolean> {
    if (epoch <= this.latestEpoch || epoch < 0) return false;
    const next = this.entries.filter((e) => e.startOffset < startOffset);
    next.push({ epoch, startOffset });
    await this.replace(next);
    return true;
  }

  /**
   * Kafka's OffsetForLeaderEpoch answer for a log ending at `logEndOffset`: the largest cached epoch E at or
   * below `epoch` and the end of its offsets (the start of the next entry, or the log end when E is the
   * latest); { -1, -1 } when every cached epoch is above `epoch` or the cache is empty.
   */
  endOffsetFor(epoch: number, logEndOffset: number): EpochEndOffset {
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i].epoch > epoch) i -= 1;
    if (i < 0) return { leaderEpoch: -1, endOffset: -1 };
    const endOffset = i === this.entries.length - 1 ? logEndOffset : this.entries[i + 1].startOffset;
    return { leaderEpoch: this.entries[i].epoch, endOffset };
  }

  /** Drops the entries starting at or after `endOffset` (the log was truncated there). */
  async truncateFromEnd(endOffset: number): Promise<boolean> {
    const next = this.entries.filter((e) => e.startOffset < endOffset);
    if (next.length === this.entries.length) return false;
    await this.replace(next);
    return true;
  }

  /**
   * The log now starts at `startOffset`: entries wholly below it go, and the last one starting at or
   * below it stays with its start raised to `startOffset`.
   */
  async truncateFromStart(startOffset: number): Promise<boolean> {
    let covering = -1;
    for (let i = 0; i < this.entries.length && this.entries[i].startOffset <= startOffset; i++) covering = i;
    if (covering < 0 || (covering === 0 && this.entries[0].startOffset === startOffset)) return false;
    const next = [{ epoch: this.entries[covering].epoch, startOffset }, ...this.entries.slice(covering + 1)];
    await this.replace(next);
    return true;
  }

  /** Forgets every entry. */
  async clear(): Promise<boolean> {
    if (this.entries.length === 0) return false;
    await this.replace([]);
    return true;
  }

  /** Replaces every entry (a cache rebuilt from the batch headers); `entries` must strictly increase in both fields. */
  async reset(entries: EpochEntry[]): Promise<void> {
    for (let i = 1; i < entries.length; i++) {
      if (entries[i].epoch <= entries[i - 1].epoch || entries[i].startOffset <= entries[i - 1].startOffset) {
        throw new Error(`epoch entries out of order at ${i}: ${JSON.stringify(entries.slice(i - 1, i + 1))}`);
      }
    }
    await this.replace(entries.map((e) => ({ ...e })));
  }

  /** Writes `next` durably, then adopts it. */
  private async replace(next: EpochEntry[]): Promise<void> {
    const path = join(this.dir, LEADER_EPOCH_CHECKPOINT_FILE);
    const tmp = path + '.tmp';
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(next.map((e) => `${e.epoch} ${e.startOffset}\n`).join(''));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.entries = next;
  }
}
