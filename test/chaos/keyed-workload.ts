// The chaos producer: `records` keyed records through src/client's Producer, paced to last `paceMs`,
// with the outcome of every record kept.
//
// Record n has key `k<n mod keys>` and value `<key>:<seq>` with seq = floor(n / keys), so every key's
// sequence counts 0, 1, 2, ... in send order. The producer keeps one batch in flight per partition
// while it retries, so an acknowledged key's sequence must come back in increasing order (a retried
// batch may come back twice; the verifier ignores the second copy). Per record we keep: pending /
// acknowledged / failed, and where the acknowledgement said it landed (partition, offset).
// No import-time side effects (node --test loads this file too).
import type { ClientSecurity } from '../../src/client/security-options.js';
import { createProducer } from '../../src/client/index.js';
import type { Acks } from '../../src/client/types.js';
import { MqError } from '../../src/util/mq-error.js';

export const PENDING = 0;
export const ACKNOWLEDGED = 1;
export const FAILED = 2;

export interface KeyedWorkloadOptions {
  bootstrap: string[];
  /** TLS and SASL for the producer (the secured chaos cluster); absent: PLAINTEXT. */
  security?: ClientSecurity;
  topic: string;
  records: number;
  /** Distinct keys; default 1000. */
  keys?: number;
  /** Spread the sends over this long (the rate is records / paceMs); default 60000. */
  paceMs?: number;
  /** Stop sending after this long even if not all records went out; default 3 * paceMs. */
  timeCapMs?: number;
  /** How long flush() may take at the end before the rest counts as unsettled; default 60000. */
  flushTimeoutMs?: number;
  acks: Acks;
  /** Producer retries per batch; default effectively unbounded (the producer's delivery timeout still applies). */
  retries?: number;
  /** Called for every acknowledged record with the time (Date.now()) the ack arrived and it was sent. */
  onAck?: (partition: number, atMs: number, sentAtMs: number) => void;
}

/** What the verifier reads: per record n, its outcome and where its acknowledgement said it landed. */
export interface AckBook {
  readonly keys: number;
  readonly records: number;
  readonly status: Uint8Array;
  readonly ackPartition: Int16Array;
  readonly ackOffset: Float64Array;
}

/** A producer workload the chaos scenario can drive (mq's own, kafkajs-workload.ts). */
export interface ChaosWorkload extends AckBook {
  readonly acknowledgedSoFar: number;
  readonly failedSoFar: number;
  run(signal?: AbortSignal, onSendingDone?: () => void): Promise<KeyedWorkloadResult>;
}

export interface KeyedWorkloadResult {
  /** Records handed to the producer. */
  sent: number;
  acknowledged: number;
  /** Records the producer gave up on (their error codes in failures). */
  failed: number;
  /** Sent but neither acknowledged nor failed when the flush time ran out. */
  unsettled: number;
  /** Failed records per error code. */
  failures: Record<string, number>;
  /** From the first send to the end of the flush. */
  elapsedMs: number;
  /** From the first send to the last send. */
  sendingMs: number;
  /** Records acknowledged per second over elapsedMs. */
  ackedPerSecond: number;
  /**
   * kafkajs only: records whose send() resolved although no broker answered for their partition (the
   * client's own bug, kafkajs-workload.ts); counted as not acknowledged, and sent again.
   */
  unansweredResolved?: number;
}

/** The per-record bookkeeping both workloads keep (records numbered 0..records-1). */
export class AckLedger implements AckBook {
  /** Per record n: PENDING, ACKNOWLEDGED or FAILED. */
  readonly status: Uint8Array;
  /** Per acknowledged record: the partition and offset the ack named. */
  readonly ackPartition: Int16Array;
  readonly ackOffset: Float64Array;
  protected acknowledged = 0;
  protected failed = 0;
  protected readonly failures: Record<string, number> = {};

  constructor(readonly keys: number, readonly records: number) {
    this.status = new Uint8Array(records);
    this.ackPartition = new Int16Array(records).fill(-1);
    this.ackOffset = new Float64Array(records).fill(-1);
  }

  /** Records acknowledged so far (live, for progress lines). */
  get acknowledgedSoFar(): number { return this.acknowledged; }
  get failedSoFar(): number { return this.failed; }

  protected ack(n: number, partition: number, offset: number): void {
    this.status[n] = ACKNOWLEDGED;
    this.acknowledged++;
    this.ackPartition[n] = partition;
    this.ackOffset[n] = offset;
  }

  protected fail(n: number, code: string): void {
    this.status[n] = FAILED;
    this.failed++;
    this.failures[code] = (this.failures[code] ?? 0) + 1;
  }
}

export class KeyedWorkload extends AckLedger implements ChaosWorkload {
  /** When each record was handed to the producer. */
  private readonly sentAt: Float64Array;

  constructor(private readonly opts: KeyedWorkloadOptions) {
    super(opts.keys ?? 1000, opts.records);
    this.sentAt = new Float64Array(opts.records);
  }

  /** The key of record n. */
  static key(n: number, keys: number): string {
    return `k${n % keys}`;
  }

  /** Record n's value: `<key>:<seq>`. */
  static value(n: number, keys: number): string {
    return `k${n % keys}:${Math.floor(n / keys)}`;
  }

  /** Record n from a consumed value, or -1 when it is not one of ours. */
  static parse(value: string, keys: number): number {
    const m = /^k(\d+):(\d+)$/.exec(value);
    if (!m) return -1;
    const k = Number(m[1]);
    if (k >= keys) return -1;
    return Number(m[2]) * keys + k;
  }

  /** Sends everything (paced), flushes, closes the producer. `signal` stops the sending early. */
  async run(signal?: AbortSignal, onSendingDone?: () => void): Promise<KeyedWorkloadResult> {
    const paceMs = this.opts.paceMs ?? 60_000;
    const timeCapMs = this.opts.timeCapMs ?? 3 * paceMs;
    const perMs = this.records / paceMs;
    const producer = createProducer({
      bootstrap: this.opts.bootstrap,
      security: this.opts.security,
      clientId: 'mq-chaos',
      acks: this.opts.acks,
      retries: this.opts.retries ?? 1_000_000,
      retryBackoffMs: 100,
      lingerMs: 5,
      requestTimeoutMs: 15_000,
      // acks=all: the broker answers REQUEST_TIMED_OUT after this long, and the batch is retried.
      timeoutMs: 10_000,
    });
    const onAck = this.opts.onAck;
    const report = (error: Error | null, partition: number, offset: number, _ts: number, n: number): void => {
      if (this.status[n] !== PENDING) {
        // A producer bug, not a broker one: counted and shown rather than thrown into the producer.
        this.failures.SETTLED_TWICE = (this.failures.SETTLED_TWICE ?? 0) + 1;
        return;
      }
      if (error) {
        this.fail(n, error instanceof MqError ? error.code : error.name);
        return;
      }
      this.ack(n, partition, offset);
      onAck?.(partition, Date.now(), this.sentAt[n]);
    };

    const started = Date.now();
    let sent = 0;
    try {
      while (sent < this.records && !signal?.aborted) {
        const elapsed = Date.now() - started;
        if (elapsed > timeCapMs) break;
        const due = Math.min(this.records, Math.ceil((elapsed + 10) * perMs));
        while (sent < due) {
          const n = sent++;
          this.sentAt[n] = Date.now();
          const ok = producer.enqueue!({
            topic: this.opts.topic,
            key: Buffer.from(KeyedWorkload.key(n, this.keys)),
            value: Buffer.from(KeyedWorkload.value(n, this.keys)),
          }, report, n);
          if (!ok) {
            await producer.waitForCapacity();
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      const sendingMs = Date.now() - started;
      onSendingDone?.();
      const flushTimeoutMs = this.opts.flushTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), flushTimeoutMs); });
      const outcome = await Promise.race([producer.close().then(() => 'closed' as const), timedOut]);
      clearTimeout(timer);
      const elapsedMs = Date.now() - started;
      this.result = {
        sent,
        acknowledged: this.acknowledged,
        failed: this.failed,
        unsettled: sent - this.acknowledged - this.failed,
        failures: { ...this.failures },
        elapsedMs,
        sendingMs,
        ackedPerSecond: Math.round(this.acknowledged / (elapsedMs / 1000)),
      };
      if (outcome === 'timeout') this.result.failures.UNSETTLED_AT_FLUSH_TIMEOUT = this.result.unsettled;
    }
    return this.result!;
  }

  /** The result of run(), once it has finished. */
  result: KeyedWorkloadResult | null = null;
}
