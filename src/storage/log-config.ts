// A log's settings (segment size and age, index interval), the options of opening one, and what
// retention enforces; checkConfig() refuses values the log cannot work with.
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js';
import type { Clock } from '../util/clock.js';
import { MqError } from '../util/mq-error.js';
import { MAX_INT32 } from './append-queue.js';
import type { FilePool } from './file-pool.js';

export interface LogConfig {
  /** Roll to a new segment when the active one would grow past this (default 1 GiB in the broker). */
  segmentBytes: number;
  /** Bytes of log between offset-index entries (default 4096). */
  indexIntervalBytes: number;
  /** Roll a non-empty active segment this long after it was created (or opened). */
  segmentMs?: number;
}

export interface LogOptions {
  /** Receives one line per truncation or index rebuild during recovery. */
  log?: (msg: string) => void;
  /** Time source for segment.ms. */
  clock?: Clock;
  /** Where segment and index files get their descriptors (default: a process-wide pool). */
  filePool?: FilePool;
}

/** What the log cleaner enforces; -1 disables a limit. */
export interface RetentionPolicy {
  retentionMs: number;
  retentionBytes: number;
}

/** Throws INVALID_CONFIG for settings the log cannot work with. */
export function checkConfig(config: LogConfig): void {
  const bad = (what: string): never => {
    throw new MqError('INVALID_CONFIG', `invalid log config: ${what}`);
  };
  if (!Number.isInteger(config.segmentBytes) || config.segmentBytes < BATCH_HEADER_BYTES || config.segmentBytes > MAX_INT32) {
    bad(`segmentBytes must be an integer from ${BATCH_HEADER_BYTES} to ${MAX_INT32}, got ${config.segmentBytes}`);
  }
  if (!Number.isInteger(config.indexIntervalBytes) || config.indexIntervalBytes < 0) {
    bad(`indexIntervalBytes must be a non-negative integer, got ${config.indexIntervalBytes}`);
  }
  if (config.segmentMs !== undefined && !(Number.isInteger(config.segmentMs) && config.segmentMs > 0)) {
    bad(`segmentMs must be a positive integer, got ${config.segmentMs}`);
  }
}
