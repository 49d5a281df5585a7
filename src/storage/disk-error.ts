// Errors of the disk itself (full, failing, read-only) as they come out of node:fs, whatever wrote: a
// log, a checkpoint or the embedded metadata store. The broker answers them with KAFKA_STORAGE_ERROR
// (space may come back) rather than UNKNOWN_SERVER_ERROR. storageError() is how the storage layer
// reports any failed file operation of a log: as a retriable KAFKA_STORAGE_ERROR naming what failed.
import { MqError } from '../util/mq-error.js';

/** errno codes that mean the disk, not the request, is at fault. */
const DISK_ERRNO_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

/** Whether `err` is a node:fs error whose errno code is a disk failure. */
export function isDiskError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && DISK_ERRNO_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}

/** An MqError as is; anything else (an fs error) as a retriable KAFKA_STORAGE_ERROR. */
export function storageError(err: unknown, what: string): MqError {
  if (err instanceof MqError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MqError('KAFKA_STORAGE_ERROR', `${what}: ${message}`, { retriable: true, cause: err });
}
