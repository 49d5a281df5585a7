// The idempotent producer's state (Kafka's enable.idempotence, on by default): the producer id and
// epoch InitProducerId hands out, the next sequence of every partition, and the reset to a fresh id.
//
// The id is asked for once, lazily, before the first batch is sent (TransactionalId null,
// TransactionTimeoutMs -1, to any live broker). A batch is stamped with the current id, epoch and
// BaseSequence (its partition's next sequence; the next batch starts at its last record's sequence
// + 1, wrapping INT32 max -> 0) as it closes when the producer has an id and every batch queued ahead
// of it carries it (the builder writes them, one CRC pass: stampAtClose), else just before its first
// send, written into the built batch with the CRC computed again (stamp). A retry keeps the stamp, so a batch the broker already wrote is
// answered with its original offset instead of being written twice (the sender keeps one batch in
// flight per partition, so sequences reach the broker in order).
//
// Each id is a generation: a batch stamped under an older one is stamped afresh. A reset (the broker
// answered OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID or INVALID_PRODUCER_EPOCH, or a batch
// that may have been written failed for good, leaving a gap the broker would refuse) waits until no
// produce request is in flight, then takes a fresh id and restarts every partition's sequence at 0.
//
// Modes: 'explicit' (the caller asked for idempotence: a broker that cannot give an id is an error),
// 'implicit' (the default: a broker without InitProducerId, or one that refuses it, turns it off
// quietly, as Kafka 3.2+ does), 'off'.
//
// A transactional producer (producer-transactions.ts) takes its id from initTransactions() instead
// (adopt()): batches wait for it, and a sequence error is fatal there (no fresh id behind the
// coordinator's back): every later batch fails with it.
import { OFF_BASE_SEQUENCE, OFF_PRODUCER_EPOCH, OFF_PRODUCER_ID, writeCrc } from '../protocol/batch-header.js';
import { ApiKey } from '../protocol/api.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/messages/init-producer-id.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { batchRecords, type Batch, type PartitionQueue } from './producer-batch.js';

export type IdempotenceMode = 'explicit' | 'implicit' | 'off';

/** Broker answers meaning our sequences and the broker's no longer match: take a fresh producer id. */
export const SEQUENCE_ERRORS: ReadonlySet<string> = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);
/** InitProducerId refusals that turn default (implicit) idempotence off instead of failing the records. */
const TURNS_IMPLICIT_OFF: ReadonlySet<string> = new Set(['UNSUPPORTED_VERSION', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);
const INT32_MAX = 0x7fffffff;

/** `sequence` + `increment`, wrapping past INT32 max to 0 (as the broker counts). */
export function nextSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** Writes producer id, epoch and base sequence into the built batch `bytes` and recomputes its CRC. */
export function stampBatch(bytes: Buffer, producerId: bigint, producerEpoch: number, baseSequence: number): void {
  bytes.writeBigInt64BE(producerId, OFF_PRODUCER_ID);
  bytes.writeInt16BE(producerEpoch, OFF_PRODUCER_EPOCH);
  bytes.writeInt32BE(baseSequence, OFF_BASE_SEQUENCE);
  writeCrc(bytes);
}

export class ProducerIdempotence {
  private state: 'none' | 'initializing' | 'ready' | 'resetting' | 'off' | 'failed';
  private producerId = -1n;
  private producerEpoch = -1;
  /** Bumped with every id taken; a batch stamped under another generation is stamped again (0: never stamped). */
  private generation = 0;
  private readonly sequences = new Map<PartitionQueue, number>();
  private failure: MqError | null = null;
  private closed = false;

  constructor(
    private readonly mode: IdempotenceMode,
    private readonly cluster: Cluster,
    /** Called when batches may be sent again (an id arrived, or idempotence was turned off). */
    private readonly onReady: () => void,
    private readonly retryBackoffMs: number,
    /** The transactional id, when the id comes from initTransactions() (adopt()). */
    private readonly transactionalId: string | null = null,
  ) {
    this.state = mode === 'off' ? 'off' : 'none';
  }

  /** Whether batches are stamped (false once turned off). */
  get enabled(): boolean {
    return this.state !== 'off';
  }

  /** The current producer id and epoch (-1 while none). */
  get current(): { producerId: bigint; producerEpoch: number } {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  /** Why no id can be had (explicit idempotence only), or null. Batches fail with it. */
  get error(): MqError | null {
    return this.failure;
  }

  /**
   * Whether batches may be stamped and sent now. When not, starts taking an id once no produce
   * request is in flight (`inFlightRequests`); onReady() follows when it has one.
   */
  canSend(inFlightRequests: number): boolean {
    if (this.state === 'ready' || this.state === 'off') return true;
    if (this.state === 'failed' || this.state === 'initializing' || this.closed) return false;
    if (inFlightRequests > 0) return false; // a reset waits for the answers under the old id
    if (this.transactionalId !== null) return false; // initTransactions() brings the id (adopt())
    this.state = 'initializing';
    void this.initProducerId();
    return false;
  }

  /**
   * Takes the sequences of `b` (closing on `q`, `records` records) now when it can keep its place: the
   * producer has an id and every batch queued ahead of it on `q` carries it. Returns what the builder
   * writes, or null (stamp() does it before the first send).
   */
  stampAtClose(b: Batch, q: PartitionQueue, records: number): { producerId: bigint; producerEpoch: number; baseSequence: number } | null {
    if (this.state !== 'ready') return null;
    for (const ahead of q.ready) if (ahead.stampGeneration !== this.generation) return null;
    const base = this.sequences.get(q) ?? 0;
    this.sequences.set(q, nextSequence(base, records));
    b.stampGeneration = this.generation;
    b.baseSequence = base;
    return { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: base };
  }

  /** Stamps `b` (of queue `q`) before a send, unless it carries the current id already. */
  stamp(b: Batch, q: PartitionQueue): void {
    if (this.state === 'off') {
      if (b.stampGeneration !== 0) {
        stampBatch(b.bytes!, -1n, -1, -1);
        b.stampGeneration = 0;
      }
      return;
    }
    if (b.stampGeneration === this.generation) return;
    const base = this.sequences.get(q) ?? 0;
    this.sequences.set(q, nextSequence(base, batchRecords(b)));
    stampBatch(b.bytes!, this.producerId, this.producerEpoch, base);
    b.stampGeneration = this.generation;
    b.baseSequence = base;
  }

  /** Whether `b` was stamped under the current producer id. */
  isCurrent(b: Batch): boolean {
    return this.state !== 'off' && b.stampGeneration !== 0 && b.stampGeneration === this.generation;
  }

  /**
   * `b`, stamped under the current id, failed for good. If the broker refused it (nothing written)
   * and no later batch of its partition was stamped, its sequences are given back; otherwise the
   * broker would see a gap: reset.
   */
  failedForGood(b: Batch, q: PartitionQueue, refused: boolean): void {
    if (!this.isCurrent(b)) return;
    if (refused && this.sequences.get(q) === nextSequence(b.baseSequence, batchRecords(b))) {
      this.sequences.set(q, b.baseSequence);
      return;
    }
    this.reset();
  }

  /** The id and epoch a transactional producer got from its coordinator: every partition restarts at sequence 0. */
  adopt(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.generation++;
    this.sequences.clear();
    this.failure = null;
    this.state = 'ready';
    this.onReady();
  }

  /** Fails every batch from now on with `err` (a fenced transactional producer). */
  fail(err: MqError): void {
    this.failure ??= err;
    this.state = 'failed';
    this.onReady();
  }

  /** Takes a fresh producer id (once no request is in flight) and restarts every partition at sequence 0. */
  reset(): void {
    if (this.state !== 'ready') return;
    if (this.transactionalId !== null) {
      this.fail(new MqError('INVALID_PRODUCER_EPOCH', `transactional producer '${this.transactionalId}': the broker refused its producer id, epoch or sequence (fenced by a newer producer with the same id, or a sequence gap)`, {
        hint: 'Close this producer; a new one with the same transactional id (initTransactions()) aborts the open transaction and carries on.',
      }));
      return;
    }
    this.cluster.logger.debug('the idempotent producer takes a fresh producer id', { producerId: String(this.producerId), producerEpoch: this.producerEpoch });
    this.state = 'resetting';
  }

  /** Stops asking for ids (the producer is closing). */
  close(): void {
    this.closed = true;
  }

  private async initProducerId(): Promise<void> {
    const body: InitProducerIdRequest = { transactionalId: null, transactionTimeoutMs: -1 };
    try {
      const res = await this.cluster.retry(async () => {
        const r = await this.cluster.requestAny<InitProducerIdResponse>(ApiKey.InitProducerId, body);
        if (r.errorCode !== 0) throw this.cluster.error(r.errorCode, 'cannot get a producer id (InitProducerId)');
        return r;
      }, { retries: Number.MAX_SAFE_INTEGER, initialBackoffMs: this.retryBackoffMs, maxBackoffMs: 1000 });
      this.producerId = res.producerId;
      this.producerEpoch = res.producerEpoch;
      this.generation++;
      this.sequences.clear();
      this.state = 'ready';
    } catch (err) {
      const e = err instanceof MqError ? err : new MqError('UNKNOWN_SERVER_ERROR', (err as Error).message, { cause: err });
      if (this.closed) {
        this.state = 'none';
      } else if (this.mode === 'implicit' && TURNS_IMPLICIT_OFF.has(e.code)) {
        this.cluster.logger.debug('idempotence turned off: the broker gives no producer id', { error: e.message });
        this.state = 'off';
        this.producerId = -1n;
        this.producerEpoch = -1;
      } else {
        this.state = 'failed';
        this.failure = new MqError(e.code, `the idempotent producer cannot get a producer id: ${e.message}`, {
          cause: e,
          hint: 'The brokers must serve InitProducerId (API 22); otherwise turn idempotence off: -X enable.idempotence=false (mq produce) or idempotent: false (the client).',
        });
      }
    }
    this.onReady();
  }
}
