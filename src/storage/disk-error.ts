// Errors of the disk itself (full, failing, read-only) as they come out of node:fs, whatever wrote: a
// log, a checkpoint or the embedded metadata store. The broker answers them with KAFKA_STORAGE_ERROR
// (space may come back) rather than UNKNOWN_SERVER_ERROR.

/** errno codes that mean the disk, not the request, is at fault. */
const DISK_ERRNO_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

/** Whether `err` is a node:fs error whose errno code is a disk failure. */
export function isDiskError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && DISK_ERRNO_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}
