// Handlers never throw on the wire: a failure becomes a numeric code reported per partition or topic.
import { errorCodeOf } from '../protocol/error-codes.js';
import { MqError } from '../util/mq-error.js';
import type { Logger } from '../util/logger.js';

/** The wire code for `err`; unexpected errors are logged and become UNKNOWN_SERVER_ERROR (-1). */
export function errorCodeFor(err: unknown, logger: Logger, context: Record<string, unknown>): number {
  if (err instanceof MqError) {
    const code = errorCodeOf(err.code);
    if (code !== -1 || err.code === 'UNKNOWN_SERVER_ERROR') return code;
  }
  logger.error('unexpected error', { ...context, error: (err as Error)?.stack ?? String(err) });
  return -1;
}

/** The message to send in ErrorMessage fields (only our own MqError messages are sent to clients). */
export function errorMessageFor(err: unknown): string | null {
  return err instanceof MqError ? err.message : 'unexpected broker error; see the broker log';
}
