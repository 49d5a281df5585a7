// The last line of defence of a broker process: a promise rejection nobody handled would end the
// process (Node's default, --unhandled-rejections=throw), taking every client's connection with it for
// one request's bug. The guard logs it, with the requests being handled at that moment (one of them
// caused it, almost always), and the broker carries on. Installed by `mq broker start` only: a library
// user or a test runner keeps its own policy.
import type { Logger } from '../util/logger.js';

/** Installs the guard; returns the function that removes it (at broker close). */
export function installRejectionGuard(logger: Logger, inFlightRequests: () => string[]): () => void {
  const onRejection = (reason: unknown): void => {
    logger.error('unhandled rejection (the broker carries on)', {
      requests: inFlightRequests().join('; ') || 'none in flight',
      error: (reason as Error)?.stack ?? String(reason),
    });
  };
  process.on('unhandledRejection', onRejection);
  return () => { process.off('unhandledRejection', onRejection); };
}
