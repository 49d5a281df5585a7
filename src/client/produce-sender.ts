// The producer's sender: groups the head batch of every ready partition by leader into one
// ProduceRequest per broker, with at most maxInFlight requests per broker, and settles each batch from
// the answer.
//
// Order within a partition survives retries: a partition has one batch in flight at a time (several
// when retries are off, since nothing can then be reordered), and a batch that failed with a retriable
// error goes back to the head of its partition's queue after a backoff and a metadata refresh.
//
// Idempotence (producer-idempotence.ts, on by default): no batch goes out before the producer has an
// id; each batch is stamped with it and its partition's sequences just before its first send, and
// keeps them across retries. A sequence error (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID,
// INVALID_PRODUCER_EPOCH) or a batch that may have been written failing for good takes a fresh id
// (every partition restarts at sequence 0, and unacknowledged batches are stamped again) and retries.
//
// Rerouting: a batch the broker refuses with POLICY_VIOLATION (its partition was decommissioned after
// we last looked) is taken apart: records the partitioner placed are sent again to an active
// partition, records with an explicit partition fail with "partition T-P is decommissioned" (raw
// records, producer-raw.ts, likewise, through appendRaw).
import { ApiKey } from '../protocol/api.js';
import type { ProduceRequest, ProduceResponse } from '../protocol/messages/produce.js';
import { decodeRecordBatches, type DecodedRecord } from '../protocol/record-batch.js';
import { backoffMs } from '../util/backoff.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster, TopicMetadata } from './cluster.js';
import { DELIVERY_TIMEOUT_MS, MAX_REQUEST_BYTES, batchRecords, decommissionedError, recordBytes, type Batch, type PartitionQueue, type ProducerSettings } from './producer-batch.js';
import type { ProducerBuffer } from './producer-buffer.js';
import { SEQUENCE_ERRORS, type ProducerIdempotence } from './producer-idempotence.js';
import type { ProducerMetadata } from './producer-metadata.js';
import type { ProducerTransactions } from './producer-transactions.js';
import type { RawTarget } from './producer-raw.js';
import type { RecordAccumulator } from './record-accumulator.js';
import type { ProducerRecord } from './types.js';

export class ProduceSender {
  private readonly brokerInFlight = new Map<number, number>();
  /** Produce requests in flight to all brokers (a producer id reset waits for 0). */
  private inFlightRequests = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryTimerAt = Infinity;
  private drainScheduled = false;
  private metadata!: ProducerMetadata;

  constructor(
    private readonly settings: ProducerSettings,
    private readonly cluster: Cluster,
    private readonly accumulator: RecordAccumulator,
    private readonly buffer: ProducerBuffer,
    private readonly idempotence: ProducerIdempotence,
    /** A transactional producer's state machine: a partition's batches wait for AddPartitionsToTxn. */
    private readonly txn: ProducerTransactions | null = null,
  ) {}

  /** The metadata the sender asks for refreshes (they need each other, so it is set after both exist). */
  useMetadata(metadata: ProducerMetadata): void {
    this.metadata = metadata;
  }

  /** Drains at the end of the tick (once, however often it is asked). */
  scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Stops the retry timer (the producer is closing). */
  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.idempotence.close();
  }

  /** Sends every batch that may go now: one ProduceRequest per broker per round. */
  private drain(): void {
    // Partitions freed since the last drain close their open batches first (the accumulator keeps a
    // busy partition's batch open); their onReady calls land while drainScheduled is still set.
    this.accumulator.closeDue();
    this.drainScheduled = false;
    const now = Date.now();
    let needMetadata = false;
    let nextRetryAt = Infinity;
    const readyQueues = this.accumulator.readyQueues;
    // Idempotence: nothing goes out until the producer has an id (this starts taking one).
    const canSend = this.idempotence.canSend(this.inFlightRequests);
    const idError = this.idempotence.error;
    for (;;) {
      const requests = new Map<number, { batches: Batch[]; bytes: number }>();
      for (const q of [...readyQueues]) {
        if (q.ready.length === 0) { readyQueues.delete(q); continue; }
        if (q.inFlight >= this.settings.perPartitionInFlight) continue;
        const batch = q.ready[0];
        if (idError !== null) {
          for (const b of q.ready.splice(0)) this.accumulator.fail(b, idError);
          continue;
        }
        if (now - batch.createdAt > DELIVERY_TIMEOUT_MS) {
          q.ready.shift();
          this.idempotence.failedForGood(batch, q, false);
          this.accumulator.fail(batch, new MqError('REQUEST_TIMED_OUT', `records for ${q.topic}-${q.partition} were not acknowledged within ${DELIVERY_TIMEOUT_MS} ms`
            + (batch.lastError ? ` (last error: ${batch.lastError.message})` : ''), { retriable: true, cause: batch.lastError ?? undefined }));
          continue;
        }
        if (!canSend) { nextRetryAt = Math.min(nextRetryAt, batch.createdAt + DELIVERY_TIMEOUT_MS + 1); continue; }
        if (batch.retryAt > now) { nextRetryAt = Math.min(nextRetryAt, batch.retryAt); continue; }
        if (this.txn !== null) {
          const ready = this.txn.partitionReady(q);
          if (ready !== true) {
            if (ready !== false) this.failQueued(q, ready);
            continue;
          }
        }
        const leader = this.cluster.leaderFor(q.topic, q.partition);
        if (leader < 0) { needMetadata = true; continue; }
        let req = requests.get(leader);
        if (!req) {
          if ((this.brokerInFlight.get(leader) ?? 0) >= this.settings.maxInFlight && this.settings.acks !== 0) continue;
          req = { batches: [], bytes: 0 };
          requests.set(leader, req);
        }
        if (req.bytes > 0 && req.bytes + batch.bytes!.length > MAX_REQUEST_BYTES) continue;
        q.ready.shift();
        if (q.ready.length === 0) readyQueues.delete(q);
        req.batches.push(batch);
        req.bytes += batch.bytes!.length;
      }
      if (requests.size === 0) break;
      for (const [nodeId, { batches }] of requests) this.dispatch(nodeId, batches);
    }
    if (needMetadata) this.metadata.refreshSoon();
    if (nextRetryAt !== Infinity) this.armRetry(nextRetryAt);
  }

  /**
   * Fails every batch queued on `q` (a transaction aborting, or a partition its coordinator refused),
   * giving their sequences back last first so the partition's next batch follows on without a gap.
   */
  private failQueued(q: PartitionQueue, err: MqError): void {
    const batches = q.ready.splice(0);
    this.accumulator.readyQueues.delete(q);
    for (let i = batches.length - 1; i >= 0; i--) this.idempotence.failedForGood(batches[i], q, true);
    for (const b of batches) this.accumulator.fail(b, err);
  }

  private armRetry(at: number): void {
    if (this.retryTimer && this.retryTimerAt <= at) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimerAt = at;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryTimerAt = Infinity;
      this.scheduleDrain();
    }, Math.max(0, at - Date.now()));
  }

  private dispatch(nodeId: number, batches: Batch[]): void {
    const topicData: ProduceRequest['topicData'] = [];
    const byTopic = new Map<string, ProduceRequest['topicData'][number]>();
    for (const b of batches) {
      b.attempts++;
      const q = this.accumulator.queueFor(b.topic, b.partition);
      q.inFlight++;
      this.idempotence.stamp(b, q);
      let t = byTopic.get(b.topic);
      if (!t) {
        t = { name: b.topic, partitionData: [] };
        byTopic.set(b.topic, t);
        topicData.push(t);
      }
      t.partitionData.push({ index: b.partition, records: b.bytes! });
    }
    const { acks } = this.settings;
    const body: ProduceRequest = { transactionalId: this.settings.transactionalId, acks, timeoutMs: this.settings.timeoutMs, topicData };
    this.brokerInFlight.set(nodeId, (this.brokerInFlight.get(nodeId) ?? 0) + 1);
    this.inFlightRequests++;

    const sent: Promise<ProduceResponse | null> = acks === 0
      ? this.cluster.connectionFor(nodeId).then((conn) => conn.send(ApiKey.Produce, this.cluster.versionFor(ApiKey.Produce), body)).then(() => null)
      : this.cluster.request<ProduceResponse>(nodeId, ApiKey.Produce, body, { timeoutMs: this.settings.produceRequestTimeoutMs });

    sent.then(
      (res) => {
        this.requestDone(nodeId, batches);
        if (res === null) {
          for (const b of batches) this.complete(b, -1, -1);
          return;
        }
        this.handleResponse(res, batches);
      },
      (err: unknown) => {
        this.requestDone(nodeId, batches);
        const e = err instanceof MqError ? err : new MqError('NETWORK_EXCEPTION', (err as Error).message, { retriable: true, cause: err });
        for (const b of batches) this.failed(b, e);
      },
    ).finally(() => this.scheduleDrain());
  }

  private requestDone(nodeId: number, batches: Batch[]): void {
    this.brokerInFlight.set(nodeId, (this.brokerInFlight.get(nodeId) ?? 1) - 1);
    this.inFlightRequests--;
    for (const b of batches) this.accumulator.queueFor(b.topic, b.partition).inFlight--;
  }

  private handleResponse(res: ProduceResponse, batches: Batch[]): void {
    const answers = new Map<string, ProduceResponse['responses'][number]['partitionResponses'][number]>();
    for (const t of res.responses) for (const p of t.partitionResponses) answers.set(`${t.name}\0${p.index}`, p);
    for (const b of batches) {
      const p = answers.get(`${b.topic}\0${b.partition}`);
      if (!p) {
        this.failed(b, new MqError('UNKNOWN_SERVER_ERROR', `the broker did not answer for ${b.topic}-${b.partition}`));
      } else if (p.errorCode === 0) {
        this.complete(b, Number(p.baseOffset), Number(p.logAppendTimeMs));
      } else {
        this.failed(b, this.cluster.error(p.errorCode, `cannot produce to ${b.topic}-${b.partition}`), true);
      }
    }
  }

  /**
   * A send of `b` failed (`answered`: the broker answered for its partition with an error code):
   * retry it at the head of its partition when allowed, else reject its records.
   */
  private failed(b: Batch, err: MqError, answered = false): void {
    const q = this.accumulator.queueFor(b.topic, b.partition);
    if (err.code === 'POLICY_VIOLATION' && b.bytes !== null) {
      this.idempotence.failedForGood(b, q, true);
      this.reroute(b);
      return;
    }
    b.lastError = err;
    // The broker's sequences and ours no longer match: a fresh producer id, then the batch again.
    const sequenceError = SEQUENCE_ERRORS.has(err.code) && this.idempotence.enabled;
    if (sequenceError && this.idempotence.isCurrent(b)) this.idempotence.reset();
    const canRetry = (err.retriable || sequenceError) && b.attempts <= this.settings.retries && Date.now() - b.createdAt < DELIVERY_TIMEOUT_MS;
    if (!canRetry) {
      // Refused outright (a non-retriable answer) means not written; anything else may have been.
      this.idempotence.failedForGood(b, q, answered && !err.retriable && !sequenceError);
      this.accumulator.fail(b, err);
      return;
    }
    this.cluster.logger.debug('produce failed; the batch is sent again', { topic: b.topic, partition: b.partition, attempt: b.attempts, error: err.message });
    const initialMs = this.settings.retryBackoffMs;
    b.retryAt = Date.now() + backoffMs(b.attempts - 1, { initialMs, maxMs: Math.max(initialMs, 1000) });
    q.ready.unshift(b);
    this.accumulator.readyQueues.add(q);
    this.metadata.refreshSoon();
    this.armRetry(b.retryAt);
  }

  /**
   * The broker refused `b` because its partition is decommissioned: note that at once (so nothing is
   * routed there again, even before the refresh shows it), then send every partitioner-placed record of
   * it again through the partitioner and fail those whose caller named the partition.
   */
  private reroute(b: Batch): void {
    this.cluster.noteDecommissioned(b.topic, b.partition);
    const refreshed = this.metadata.refreshDecommissioned(b.topic);
    let records;
    try {
      records = decodeRecordBatches(b.bytes!, { checkCrcs: false }).flatMap((x) => x.records);
    } catch (err) {
      this.accumulator.fail(b, err instanceof MqError ? err : new MqError('INVALID_RECORD', String(err)));
      return;
    }
    void refreshed.then(() => {
      // A broker whose cache lags may not list it yet: the refusal is the fresher word.
      if (!this.cluster.isDecommissioned(b.topic, b.partition)) this.cluster.noteDecommissioned(b.topic, b.partition);
      const meta = this.cluster.topic(b.topic);
      if (b.raw !== null) {
        this.rerouteRaw(b, b.raw, records, meta);
        return;
      }
      const n = b.reports.length;
      for (let i = 0; i < n; i++) {
        const r = records[i];
        if (b.explicit?.[i] || !meta || !r) {
          b.reports[i](decommissionedError(b.topic, b.partition), b.partition, -1, -1, b.tags[i]);
          continue;
        }
        const record: ProducerRecord = { topic: b.topic, key: r.key, value: r.value, headers: r.headers, timestamp: b.timestamps[i] };
        const bytes = recordBytes(record);
        this.buffer.add(bytes);
        this.accumulator.append(record, b.timestamps[i], bytes, meta, b.reports[i], b.tags[i]);
      }
      this.accumulator.release(b, n);
      this.scheduleDrain();
    });
  }

  /** reroute() for a batch of raw records: all of one target, so all named the partition or none did. */
  private rerouteRaw(b: Batch, t: RawTarget, records: DecodedRecord[], meta: TopicMetadata | undefined): void {
    const n = b.rawRecords;
    if (t.partition !== undefined || !meta || records.length !== n) {
      t.report(decommissionedError(b.topic, b.partition), n, b.rawBytes);
    } else {
      for (const r of records) {
        const key = r.key;
        const value = r.value ?? Buffer.alloc(0);
        const src = key === null ? value : Buffer.concat([key, value]);
        const keyEnd = key === null ? -1 : key.length;
        const bytes = src.length + t.overheadBytes;
        this.buffer.add(bytes);
        this.accumulator.appendRaw(t, meta, src, key === null ? -1 : 0, keyEnd, key === null ? 0 : key.length, src.length, r.timestamp, bytes);
      }
    }
    this.accumulator.release(b, n);
    this.scheduleDrain();
  }

  private complete(b: Batch, baseOffset: number, logAppendTimeMs: number): void {
    const { reports, tags, timestamps, partition } = b;
    const n = batchRecords(b);
    for (let i = 0; i < reports.length; i++) {
      reports[i](null, partition, baseOffset < 0 ? -1 : baseOffset + i, logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i], tags[i]);
    }
    if (b.raw !== null) b.raw.report(null, n, b.rawBytes);
    // Acknowledged means the request was written out whole: its bytes are free. (With acks=0 nothing
    // says when the socket let go of them, and a failed batch may still sit in a dead socket's queue.)
    if (this.settings.acks !== 0 && b.bytes !== null && this.settings.compression === 'none') this.accumulator.recycle(b.bytes);
    this.accumulator.release(b, n);
  }
}
