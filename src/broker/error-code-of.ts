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

/**
 * Longest ErrorMessage sent, in characters. Messages echo names from the request (a topic name may be
 * 32,767 bytes), and the wire's NULLABLE_STRING holds at most 32,767 bytes: an echo must never make
 * the response unencodable. 1,000 UTF-16 units are at most 3,000 UTF-8 bytes.
 */
export const MAX_ERROR_MESSAGE_CHARS = 1000;

/** `message` cut to MAX_ERROR_MESSAGE_CHARS (marked with an ellipsis), so it always fits an ErrorMessage field. */
export function clipErrorMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  // Do not split a surrogate pair: a lone surrogate encodes as U+FFFD.
  let end = MAX_ERROR_MESSAGE_CHARS - 1;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${message.slice(0, end)}…`;
}

/** The message to send in ErrorMessage fields (our own MqError messages and disk errors' are sent to clients). */
export function errorMessageFor(err: unknown): string | null {
  if (err instanceof MqError) return clipErrorMessage(err.message);
  return isDiskError(err) ? clipErrorMessage(`the broker's disk failed: ${err.message}`) : 'unexpected broker error; see the broker log';
}
