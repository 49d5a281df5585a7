// Writing a transaction's markers until every partition has one: the MarkerWriter is asked about the
// partitions still pending, with backoff between rounds, until each answers 0 or is gone (its topic or
// partition deleted), a partition reports a newer coordinator (fenced), or the coordinator closes.
import { ErrorCode } from '../protocol/error-codes.js';
import { backoffMs, type BackoffOptions } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import { sleep } from '../util/promise.js';
import type { MarkerWriter, TxnMarkers } from './marker-writer.js';
import type { TxnTopicPartition } from './transaction-record.js';

export type MarkerOutcome = 'done' | 'fenced' | 'closed';

const key = (p: TxnTopicPartition): string => `${p.topic}/${p.partition}`;

/** Writes `markers` to all of its partitions, retrying the failed ones; see MarkerWriter for how codes are read. */
export async function writeMarkersUntilDone(
  writer: MarkerWriter, markers: TxnMarkers,
  opts: { signal: AbortSignal; logger: Logger; backoff?: BackoffOptions; transactionalId: string },
): Promise<MarkerOutcome> {
  let pending: readonly TxnTopicPartition[] = markers.partitions;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (opts.signal.aborted) return 'closed';
    const codes = new Map<string, number>();
    try {
      for (const r of await writer.writeMarkers({ ...markers, partitions: pending })) codes.set(key(r), r.errorCode);
    } catch (err) {
      opts.logger.warn('writing transaction markers failed; retrying', { transactionalId: opts.transactionalId, error: (err as Error).message });
    }
    const retry: TxnTopicPartition[] = [];
    for (const p of pending) {
      const code = codes.get(key(p)) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code === ErrorCode.NONE) continue;
      if (code === ErrorCode.TRANSACTION_COORDINATOR_FENCED) return 'fenced';
      if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.INVALID_PRODUCER_EPOCH) {
        opts.logger.info('no transaction marker needed: the partition is gone or has a newer producer epoch', { transactionalId: opts.transactionalId, partition: key(p), errorCode: code });
        continue;
      }
      retry.push(p);
    }
    pending = retry;
    if (pending.length === 0) break;
    opts.logger.debug('transaction markers pending; retrying', { transactionalId: opts.transactionalId, partitions: pending.map(key).join(','), attempt });
    try { await sleep(backoffMs(attempt, opts.backoff), opts.signal); } catch { return 'closed'; }
  }
  return 'done';
}
