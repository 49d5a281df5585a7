// The one in-process error type. `code` is a stable string (a Kafka error name where one fits);
// retries look only at `retriable`.
export class MqError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** A short suggestion for the person at the terminal; the CLI prints it under the message. */
  readonly hint?: string;

  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown; hint?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MqError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.hint = opts.hint;
  }
}
