// How the client reports an error it recovers from or drops instead of throwing: one debug line on
// the client's logger (ClientOptions.logger; `mq --debug` / MQ_DEBUG=1 turn it on in the CLI) saying
// what was given up, with the error's code and message. Without it a dropped auto-commit shows only
// later, as records delivered twice.
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';

/** Logs at debug level that `what` failed with `err` and the client went on without it. */
export function logDropped(logger: Logger, what: string, err: unknown, fields: Record<string, unknown> = {}): void {
  const message = err instanceof Error ? err.message : String(err);
  const error = err instanceof MqError && !message.includes(err.code) ? `${err.code}: ${message}` : message;
  logger.debug(what, { ...fields, error });
}
