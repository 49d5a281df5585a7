// fsync of a directory: what makes a created, renamed or deleted file (a segment, an index, a checkpoint)
// survive a crash, on top of the file's own fdatasync.
import { open } from 'node:fs/promises';

/** fsync of a directory, so created, renamed and deleted entries survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
