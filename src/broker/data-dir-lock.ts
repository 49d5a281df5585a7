// One broker per data dir: `<data>/.lock` holds the owner's pid. A lock left by a process that is gone
// (kill -9) is taken over; a live owner is a clear error.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MqError } from '../util/mq-error.js';

export class DataDirLock {
  private constructor(private readonly file: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, '.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new MqError('DATA_DIR_IN_USE', `data dir ${dataDir} is in use by another broker (pid ${pid})`, {
            hint: 'Stop that broker first, or start this one with a different --data folder.',
          });
        }
        await rm(file, { force: true });
      }
    }
    throw new MqError('DATA_DIR_IN_USE', `could not lock data dir ${dataDir}`);
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
