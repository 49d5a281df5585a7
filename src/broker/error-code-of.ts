// Handlers never throw on the wire: a failure becomes a numeric code reported per partition or topic.
import { errorCodeOf } from '../protocol/error-codes.js';
import { MqError } from '../util/mq-error.js';
import { isDiskError } from '../storage/disk-error.js';
import type { Logger } from '../util/logger.js';

/**
 * The wire code for `err`; disk errors (src/storage/disk-error.ts) become KAFKA_STORAGE_ERROR, other
 * unexpected errors are logged and become UNKNOWN_SERVER_ERROR (-1).
 */
export function errorCodeFor(err: unknown, logger: Logger, context: Record<string, unknown>): number {
  if (err instanceof MqError) {
    const code = errorCodeOf(err.code);
    if (code !== -1 || err.code === 'UNKNOWN_SERVER_ERROR') return code;
  }
  if (isDiskError(err)) {
    // A full or failing disk (e.g. the metadata store's write) is not a broker bug: KAFKA_STORAGE_ERROR.
    logger.warn('disk error', { ...context, error: err.message });
    return errorCodeOf('KAFKA_STORAGE_ERROR');
  }
  logger.error('unexpected error', { ...context, error: (err as Error)?.stack ?? String(err) });
  return -1;
}

/** The message to send in ErrorMessage fields (our own MqError messages and disk errors' are sent to clients). */
export function errorMessageFor(err: unknown): string | null {
  if (err instanceof MqError) return err.message;
  return isDiskError(err) ? `the broker's disk failed: ${err.message}` : 'unexpected broker error; see the broker log';
}
