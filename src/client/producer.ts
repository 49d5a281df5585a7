// The producer: an accumulator of per-partition record batches and a sender.
//
// send() picks the partition (Partitioner: murmur2 for keys, sticky for keyless records) and encodes
// the record once, straight into the partition's open RecordBatchBuilder. A batch closes when it
// reaches batchSize or has waited lingerMs (one timer for the whole producer, never one per record);
// it is then built (and gzipped) once and queued. The sender groups the head batch of every ready
// partition by leader into one ProduceRequest per broker, with at most maxInFlight requests per broker.
//
// Order within a partition survives retries: a partition has one batch in flight at a time (several
// when retries are off, since nothing can then be reordered), and a batch that failed with a retriable
// error goes back to the head of its partition's queue after a backoff and a metadata refresh.
// Records for a topic whose metadata is not known yet wait in arrival order until it is (at most
// METADATA_WAIT_MS, during which an auto-created topic gets its leader).
//
// Decommissioned partitions (src/cluster/partition-decommission.ts): every metadata refresh also reads
// the topics' decommissioned sets, and the partitioner routes around them. A batch the broker refuses
// with POLICY_VIOLATION (its partition was decommissioned after we last looked) is taken apart: records
// the partitioner placed are sent again to an active partition, records with an explicit partition
// fail with "partition T-P is decommissioned".
import { ApiKey } from '../protocol/api.js';
import type { ProduceRequest, ProduceResponse } from '../protocol/messages/produce.js';
import { RecordBatchBuilder } from '../protocol/record-batch-builder.js';
import { decodeRecordBatches } from '../protocol/record-batch.js';
import { backoffMs } from '../util/backoff.js';
import { MqError } from '../util/mq-error.js';
import { Cluster, metadataMaxAgeMs, type ClusterOptions, type TopicMetadata } from './cluster.js';
import { Partitioner } from './partitioner.js';
import { topicError } from './topic-error.js';
import type { DeliveryReport, Producer, ProducerOptions, ProducerRecord, RecordMetadata } from './types.js';

/** How long records wait for an unknown or leaderless topic's metadata before they are rejected. */
const METADATA_WAIT_MS = 5000;
/** A batch not acknowledged this long after it was opened fails (Kafka's delivery.timeout.ms). */
const DELIVERY_TIMEOUT_MS = 120_000;
/** Soft cap on the records bytes in one ProduceRequest (Kafka's max.request.size). */
const MAX_REQUEST_BYTES = 1024 * 1024;
/** Per-record bookkeeping counted against bufferMemory on top of key, value and headers. */
const RECORD_OVERHEAD_BYTES = 32;

interface Batch {
  topic: string;
  partition: number;
  builder: RecordBatchBuilder | null;
  /** The encoded batch, once closed. */
  bytes: Buffer | null;
  /** Per record: who to tell, the caller's tag and the CreateTime. */
  reports: DeliveryReport[];
  tags: number[];
  timestamps: number[];
  createdAt: number;
  /** Sends so far. */
  attempts: number;
  retryAt: number;
  /** Bytes counted against bufferMemory. */
  accounted: number;
  lastError: MqError | null;
  /** Per record: whether the caller named the partition; null while none did. */
  explicit: boolean[] | null;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  open: Batch | null;
  ready: Batch[];
  inFlight: number;
}

interface WaitingRecord {
  record: ProducerRecord;
  timestamp: number;
  bytes: number;
  report: DeliveryReport;
  tag: number;
}

/** Creates a producer; it connects on first use. */
export function createProducer(opts: ProducerOptions): Producer {
  return new AccumulatingProducer(opts);
}

class AccumulatingProducer implements Producer {
  private readonly cluster: Cluster;
  private readonly partitioner = new Partitioner();
  private readonly acks: -1 | 0 | 1;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly bufferMemory: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly compression: 'none' | 'gzip';
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  private readonly produceRequestTimeoutMs: number;
  private readonly perPartitionInFlight: number;

  private readonly queues = new Map<string, Map<number, PartitionQueue>>();
  private readonly openQueues = new Set<PartitionQueue>();
  private readonly readyQueues = new Set<PartitionQueue>();
  private readonly waiting = new Map<string, WaitingRecord[]>();
  private readonly brokerInFlight = new Map<number, number>();
  /** Buffers of acknowledged batches, reused by the next batches (at most bufferMemory's worth). */
  private readonly freeBuffers: Buffer[] = [];
  private readonly maxFreeBuffers: number;
  private bufferedBytes = 0;
  private unsettled = 0;
  private capacityWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private lingerTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryTimerAt = Infinity;
  private drainScheduled = false;
  private flushes = 0;
  private flushCloseScheduled = false;
  private metadataRefresh: Promise<void> | null = null;
  private metadataRefreshAgain = false;
  private lastMetadataRefreshAt = 0;
  private readonly metadataAgeTimer: NodeJS.Timeout;
  private closing = false;
  private closePromise: Promise<void> | null = null;

  constructor(opts: ProducerOptions) {
    this.cluster = new Cluster(opts as ClusterOptions);
    this.acks = opts.acks ?? -1;
    this.lingerMs = opts.lingerMs ?? 5;
    this.batchSize = opts.batchSize ?? 16384;
    this.bufferMemory = opts.bufferMemory ?? 32 * 1024 * 1024;
    this.retries = opts.retries ?? 5;
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    this.compression = opts.compression ?? 'none';
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 5);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    // With acks=all the broker may hold the request for timeoutMs; give it room to answer.
    this.produceRequestTimeoutMs = this.acks === -1 ? Math.max(requestTimeoutMs, this.timeoutMs + 5000) : requestTimeoutMs;
    this.perPartitionInFlight = this.retries === 0 ? this.maxInFlight : 1;
    this.maxFreeBuffers = Math.max(4, Math.ceil(this.bufferMemory / this.batchSize));
    if (![-1, 0, 1].includes(this.acks)) {
      throw new MqError('INVALID_CONFIG', `acks must be 0, 1 or -1 (all), not ${String(opts.acks)}`);
    }
    if (this.compression !== 'none' && this.compression !== 'gzip') {
      throw new MqError('INVALID_CONFIG', `compression must be none or gzip, not ${String(opts.compression)}`);
    }
    // metadata.max.age.ms: re-read the topics produced to, so partitions added to them get records.
    this.metadataAgeTimer = setInterval(() => {
      const topics = this.cluster.cachedTopics();
      if (topics.length > 0 && !this.closing) this.refreshTopics(topics).catch(() => undefined);
    }, metadataMaxAgeMs(opts));
    this.metadataAgeTimer.unref();
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      const topic = record.topic;
      this.enqueue(record, (error, partition, offset, timestamp) => {
        if (error) reject(error);
        else resolve({ topic, partition, offset, timestamp });
      });
    });
  }

  enqueue(record: ProducerRecord, onDelivery: DeliveryReport, tag = 0): boolean {
    const invalid = this.closing ? new MqError('CLIENT_CLOSED', 'the producer is closed') : invalidRecord(record);
    if (invalid) {
      onDelivery(invalid, -1, -1, -1, tag);
      return this.bufferedBytes < this.bufferMemory;
    }
    const timestamp = record.timestamp ?? Date.now();
    const bytes = recordBytes(record);
    this.unsettled++;
    this.bufferedBytes += bytes;
    const meta = this.cluster.topic(record.topic);
    const waiting = this.waiting.size === 0 ? undefined : this.waiting.get(record.topic);
    // A partition beyond the cached count may have been added since: re-read the metadata once first.
    if (!meta || waiting || (record.partition !== undefined && record.partition >= meta.partitionCount)) {
      const w = { record, timestamp, bytes, report: onDelivery, tag };
      if (waiting) waiting.push(w);
      else {
        this.waiting.set(record.topic, [w]);
        void this.awaitTopic(record.topic);
      }
    } else {
      this.append(record, timestamp, bytes, meta, onDelivery, tag);
    }
    return this.bufferedBytes < this.bufferMemory;
  }

  waitForCapacity(): Promise<void> {
    if (this.bufferedBytes < this.bufferMemory || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  async flush(): Promise<void> {
    // While a flush is waiting, batches opened by records still arriving (or waiting for their
    // topic's metadata) close at the end of the tick instead of lingering.
    this.flushes++;
    try {
      for (const q of [...this.openQueues]) this.closeBatch(q);
      if (this.unsettled === 0) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushes--;
    }
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      try {
        await this.flush();
      } finally {
        if (this.lingerTimer) clearTimeout(this.lingerTimer);
        if (this.retryTimer) clearTimeout(this.retryTimer);
        clearInterval(this.metadataAgeTimer);
        this.lingerTimer = null;
        this.retryTimer = null;
        for (const w of this.capacityWaiters.splice(0)) w();
        await this.cluster.close();
      }
    })();
    return this.closePromise;
  }

  // ---- accumulator ----

  /** Puts one record into its partition's open batch (closing it first when the record does not fit). */
  private append(record: ProducerRecord, timestamp: number, bytes: number, meta: TopicMetadata, report: DeliveryReport, tag: number): void {
    const numPartitions = meta.partitionCount;
    if (record.partition !== undefined) {
      const p = record.partition;
      if (!(Number.isInteger(p) && p >= 0 && p < numPartitions) || (meta.unavailable.has(p) && !this.cluster.isDecommissioned(record.topic, p))) {
        this.settleRejected(bytes, 1);
        const deleted = Number.isInteger(p) && p >= 0 && p < numPartitions ? ` (partition ${p} was decommissioned and deleted)` : `; partition ${p} does not exist`;
        report(new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${record.topic}' has ${numPartitions} partition${numPartitions === 1 ? '' : 's'}${deleted}`), -1, -1, -1, tag);
        return;
      }
      if (meta.unavailable.has(p)) {
        this.settleRejected(bytes, 1);
        report(decommissionedError(record.topic, p), -1, -1, -1, tag);
        return;
      }
    }
    const { topic, headers } = record;
    const key = record.key ?? null;
    const value = record.value ?? null;
    try {
      const explicit = record.partition !== undefined;
      let partition = this.partitioner.partition(topic, key, numPartitions, record.partition, meta);
      let q = this.queueFor(topic, partition);
      if (q.open) {
        if (q.open.builder!.append(key, value, headers, timestamp)) return this.added(q, q.open, timestamp, bytes, report, tag, explicit);
        this.closeBatch(q);
        // A keyless record follows the sticky partition, which closing the batch may have moved.
        const again = this.partitioner.partition(topic, key, numPartitions, record.partition, this.cluster.topic(topic) ?? meta);
        if (again !== partition) {
          partition = again;
          q = this.queueFor(topic, partition);
          if (q.open) {
            if (q.open.builder!.append(key, value, headers, timestamp)) return this.added(q, q.open, timestamp, bytes, report, tag, explicit);
            this.closeBatch(q);
          }
        }
      }
      const batch = this.openBatch(q);
      batch.builder!.append(key, value, headers, timestamp); // the first record of a batch always fits
      this.added(q, batch, timestamp, bytes, report, tag, explicit);
    } catch (err) {
      this.settleRejected(bytes, 1);
      report(err instanceof Error ? err : new MqError('INVALID_RECORD', String(err)), -1, -1, -1, tag);
    }
  }

  private added(q: PartitionQueue, batch: Batch, timestamp: number, bytes: number, report: DeliveryReport, tag: number, explicit: boolean): void {
    if (explicit || batch.explicit !== null) (batch.explicit ??= new Array<boolean>(batch.reports.length).fill(false)).push(explicit);
    batch.reports.push(report);
    batch.tags.push(tag);
    batch.timestamps.push(timestamp);
    batch.accounted += bytes;
    if (batch.builder!.sizeInBytes >= this.batchSize) this.closeBatch(q);
    else this.armLinger();
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    let byPartition = this.queues.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.queues.set(topic, byPartition);
    }
    let q = byPartition.get(partition);
    if (!q) {
      q = { topic, partition, open: null, ready: [], inFlight: 0 };
      byPartition.set(partition, q);
    }
    return q;
  }

  private openBatch(q: PartitionQueue): Batch {
    const batch: Batch = {
      topic: q.topic, partition: q.partition,
      builder: new RecordBatchBuilder({ maxBytes: this.batchSize, compression: this.compression, buffer: this.freeBuffers.pop() }),
      bytes: null, reports: [], tags: [], timestamps: [], createdAt: Date.now(),
      attempts: 0, retryAt: 0, accounted: 0, lastError: null, explicit: null,
    };
    q.open = batch;
    this.openQueues.add(q);
    return batch;
  }

  /** Closes the open batch of `q`: encodes it once and queues it for the sender. */
  private closeBatch(q: PartitionQueue): void {
    const batch = q.open;
    if (!batch) return;
    q.open = null;
    this.openQueues.delete(q);
    try {
      batch.bytes = batch.builder!.build();
      // A compressed batch is a new buffer: the encoding buffer can serve the next batch at once.
      if (batch.bytes.buffer !== batch.builder!.buffer.buffer) this.recycle(batch.builder!.buffer);
    } catch (err) {
      batch.builder = null;
      this.fail(batch, err instanceof MqError ? err : new MqError('INVALID_RECORD', (err as Error).message, { cause: err }));
      return;
    }
    batch.builder = null;
    q.ready.push(batch);
    this.readyQueues.add(q);
    const meta = this.cluster.topic(q.topic);
    this.partitioner.batchClosed(q.topic, q.partition, meta?.partitionCount ?? 0, meta);
    this.scheduleDrain();
  }

  private armLinger(): void {
    // linger.ms=0 closes batches at the end of the tick: setTimeout(0) would add a whole millisecond.
    if (this.flushes > 0 || this.lingerMs === 0) {
      if (this.flushCloseScheduled) return;
      this.flushCloseScheduled = true;
      queueMicrotask(() => {
        this.flushCloseScheduled = false;
        for (const q of [...this.openQueues]) this.closeBatch(q);
      });
      return;
    }
    if (this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => this.onLinger(), this.lingerMs);
  }

  private onLinger(): void {
    this.lingerTimer = null;
    const now = Date.now();
    let earliest = Infinity;
    for (const q of [...this.openQueues]) {
      const createdAt = q.open!.createdAt;
      if (now - createdAt >= this.lingerMs) this.closeBatch(q);
      else earliest = Math.min(earliest, createdAt);
    }
    if (earliest !== Infinity) {
      this.lingerTimer = setTimeout(() => this.onLinger(), Math.max(0, earliest + this.lingerMs - now));
    }
  }

  // ---- metadata ----

  /** Fetches metadata for a topic first used (auto-creating it when the broker allows), then releases its waiting records. */
  private async awaitTopic(topic: string): Promise<void> {
    let failure: unknown = null;
    try {
      await this.cluster.retry(async () => {
        const res = await this.cluster.refreshMetadata([topic], true);
        const t = res.topics.find((x) => x.name === topic);
        if (!t) throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' does not exist`, { retriable: true });
        if (t.errorCode !== 0) throw topicError(t.errorCode, topic);
        if (t.partitions.length === 0) throw topicError(5, topic);
      }, { retries: Number.POSITIVE_INFINITY, maxElapsedMs: METADATA_WAIT_MS, initialBackoffMs: Math.min(this.retryBackoffMs, 100), maxBackoffMs: 500 });
      await this.cluster.refreshDecommissioned([topic]).catch(() => undefined);
    } catch (err) {
      failure = err;
    }
    const waiting = this.waiting.get(topic) ?? [];
    this.waiting.delete(topic);
    const meta = this.cluster.topic(topic);
    if (failure || !meta) {
      const err = explainTopicFailure(topic, failure);
      for (const w of waiting) {
        this.settleRejected(w.bytes, 1);
        w.report(err instanceof Error ? err : new MqError('UNKNOWN_TOPIC_OR_PARTITION', String(err)), -1, -1, -1, w.tag);
      }
      return;
    }
    for (const w of waiting) this.append(w.record, w.timestamp, w.bytes, meta, w.report, w.tag);
  }

  /** Refreshes the metadata of every topic with queued batches; coalesced and rate-limited by retryBackoffMs. */
  private refreshMetadataSoon(): void {
    if (this.metadataRefresh) {
      this.metadataRefreshAgain = true;
      return;
    }
    const wait = Math.max(0, this.lastMetadataRefreshAt + this.retryBackoffMs - Date.now());
    this.metadataRefresh = (async () => {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastMetadataRefreshAt = Date.now();
      const topics = [...new Set([...this.readyQueues].map((q) => q.topic))];
      if (topics.length > 0 && !this.closedForGood()) {
        try {
          await this.refreshTopics(topics);
        } catch {
          // The next drain asks again; batches fail on their own retry budget or delivery timeout.
        }
      }
    })().finally(() => {
      this.metadataRefresh = null;
      if (this.metadataRefreshAgain) {
        this.metadataRefreshAgain = false;
        this.refreshMetadataSoon();
      }
      this.scheduleDrain();
    });
  }

  /** Metadata plus the decommissioned partitions of `topics` (a failure of the latter keeps the old set). */
  private async refreshTopics(topics: string[]): Promise<void> {
    await this.cluster.refreshMetadata(topics, false);
    await this.cluster.refreshDecommissioned(topics).catch(() => undefined);
  }

  private closedForGood(): boolean {
    return this.closing && this.unsettled === 0;
  }

  // ---- sender ----

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Sends every batch that may go now: one ProduceRequest per broker per round. */
  private drain(): void {
    this.drainScheduled = false;
    const now = Date.now();
    let needMetadata = false;
    let nextRetryAt = Infinity;
    for (;;) {
      const requests = new Map<number, { batches: Batch[]; bytes: number }>();
      for (const q of [...this.readyQueues]) {
        if (q.ready.length === 0) { this.readyQueues.delete(q); continue; }
        if (q.inFlight >= this.perPartitionInFlight) continue;
        const batch = q.ready[0];
        if (now - batch.createdAt > DELIVERY_TIMEOUT_MS) {
          q.ready.shift();
          this.fail(batch, new MqError('REQUEST_TIMED_OUT', `records for ${q.topic}-${q.partition} were not acknowledged within ${DELIVERY_TIMEOUT_MS} ms`
            + (batch.lastError ? ` (last error: ${batch.lastError.message})` : ''), { retriable: true, cause: batch.lastError ?? undefined }));
          continue;
        }
        if (batch.retryAt > now) { nextRetryAt = Math.min(nextRetryAt, batch.retryAt); continue; }
        const leader = this.cluster.leaderFor(q.topic, q.partition);
        if (leader < 0) { needMetadata = true; continue; }
        let req = requests.get(leader);
        if (!req) {
          if ((this.brokerInFlight.get(leader) ?? 0) >= this.maxInFlight && this.acks !== 0) continue;
          req = { batches: [], bytes: 0 };
          requests.set(leader, req);
        }
        if (req.bytes > 0 && req.bytes + batch.bytes!.length > MAX_REQUEST_BYTES) continue;
        q.ready.shift();
        if (q.ready.length === 0) this.readyQueues.delete(q);
        req.batches.push(batch);
        req.bytes += batch.bytes!.length;
      }
      if (requests.size === 0) break;
      for (const [nodeId, { batches }] of requests) this.dispatch(nodeId, batches);
    }
    if (needMetadata) this.refreshMetadataSoon();
    if (nextRetryAt !== Infinity) this.armRetry(nextRetryAt);
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
      this.queueFor(b.topic, b.partition).inFlight++;
      let t = byTopic.get(b.topic);
      if (!t) {
        t = { name: b.topic, partitionData: [] };
        byTopic.set(b.topic, t);
        topicData.push(t);
      }
      t.partitionData.push({ index: b.partition, records: b.bytes! });
    }
    const body: ProduceRequest = { transactionalId: null, acks: this.acks, timeoutMs: this.timeoutMs, topicData };
    this.brokerInFlight.set(nodeId, (this.brokerInFlight.get(nodeId) ?? 0) + 1);

    const sent: Promise<ProduceResponse | null> = this.acks === 0
      ? this.cluster.connectionFor(nodeId).then((conn) => conn.send(ApiKey.Produce, this.cluster.versionFor(ApiKey.Produce), body)).then(() => null)
      : this.cluster.request<ProduceResponse>(nodeId, ApiKey.Produce, body, { timeoutMs: this.produceRequestTimeoutMs });

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
    for (const b of batches) this.queueFor(b.topic, b.partition).inFlight--;
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
        this.failed(b, this.cluster.error(p.errorCode, `cannot produce to ${b.topic}-${b.partition}`));
      }
    }
  }

  /** A send of `b` failed: retry it at the head of its partition when allowed, else reject its records. */
  private failed(b: Batch, err: MqError): void {
    if (err.code === 'POLICY_VIOLATION' && b.bytes !== null) {
      this.reroute(b);
      return;
    }
    b.lastError = err;
    const canRetry = err.retriable && b.attempts <= this.retries && Date.now() - b.createdAt < DELIVERY_TIMEOUT_MS;
    if (!canRetry) {
      this.fail(b, err);
      return;
    }
    b.retryAt = Date.now() + backoffMs(b.attempts - 1, { initialMs: this.retryBackoffMs, maxMs: Math.max(this.retryBackoffMs, 1000) });
    const q = this.queueFor(b.topic, b.partition);
    q.ready.unshift(b);
    this.readyQueues.add(q);
    this.refreshMetadataSoon();
    this.armRetry(b.retryAt);
  }

  /**
   * The broker refused `b` because its partition is decommissioned: note that at once (so nothing is
   * routed there again, even before the refresh shows it), then send every partitioner-placed record of
   * it again through the partitioner and fail those whose caller named the partition.
   */
  private reroute(b: Batch): void {
    this.cluster.noteDecommissioned(b.topic, b.partition);
    const refreshed = this.cluster.refreshDecommissioned([b.topic]).catch(() => undefined);
    let records;
    try {
      records = decodeRecordBatches(b.bytes!, { checkCrcs: false }).flatMap((x) => x.records);
    } catch (err) {
      this.fail(b, err instanceof MqError ? err : new MqError('INVALID_RECORD', String(err)));
      return;
    }
    void refreshed.then(() => {
      // A broker whose cache lags may not list it yet: the refusal is the fresher word.
      if (!this.cluster.isDecommissioned(b.topic, b.partition)) this.cluster.noteDecommissioned(b.topic, b.partition);
      const meta = this.cluster.topic(b.topic);
      const n = b.reports.length;
      for (let i = 0; i < n; i++) {
        const r = records[i];
        if (b.explicit?.[i] || !meta || !r) {
          b.reports[i](decommissionedError(b.topic, b.partition), b.partition, -1, -1, b.tags[i]);
          continue;
        }
        const record: ProducerRecord = { topic: b.topic, key: r.key, value: r.value, headers: r.headers, timestamp: b.timestamps[i] };
        const bytes = recordBytes(record);
        this.unsettled++;
        this.bufferedBytes += bytes;
        this.append(record, b.timestamps[i], bytes, meta, b.reports[i], b.tags[i]);
      }
      this.release(b, n);
      this.scheduleDrain();
    });
  }

  private complete(b: Batch, baseOffset: number, logAppendTimeMs: number): void {
    const { reports, tags, timestamps, partition } = b;
    const n = reports.length;
    for (let i = 0; i < n; i++) {
      reports[i](null, partition, baseOffset < 0 ? -1 : baseOffset + i, logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i], tags[i]);
    }
    // Acknowledged means the request was written out whole: its bytes are free. (With acks=0 nothing
    // says when the socket let go of them, and a failed batch may still sit in a dead socket's queue.)
    if (this.acks !== 0 && b.bytes !== null && this.compression === 'none') this.recycle(b.bytes);
    this.release(b, n);
  }

  private fail(b: Batch, err: MqError): void {
    const { reports, tags } = b;
    for (let i = 0; i < reports.length; i++) reports[i](err, b.partition, -1, -1, tags[i]);
    this.release(b, reports.length);
  }

  private release(b: Batch, records: number): void {
    b.bytes = null;
    this.settleRejected(b.accounted, records);
  }

  /** Keeps a batch buffer of the usual size for a later batch. */
  private recycle(bytes: Buffer): void {
    if (bytes.byteOffset !== 0) return; // only buffers the builder allocated (never slices of Node's shared pool)
    const whole = Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength);
    // Any size the builder made (it starts at min(batchSize, 64 KiB) and doubles as the batch fills):
    // requiring batchSize here left the 64 KiB first buffers of small batches unrecycled, a fresh one per
    // batch, and at 10,000 one-record batches/s their external memory forced a mark-compact every ~200 ms.
    if (whole.length <= 2 * this.batchSize && this.freeBuffers.length < this.maxFreeBuffers) this.freeBuffers.push(whole);
  }

  /** Returns `bytes` of buffer and `records` outstanding records; wakes capacity and flush waiters. */
  private settleRejected(bytes: number, records: number): void {
    this.bufferedBytes -= bytes;
    this.unsettled -= records;
    if (this.bufferedBytes < this.bufferMemory && this.capacityWaiters.length > 0) {
      for (const w of this.capacityWaiters.splice(0)) w();
    }
    if (this.unsettled === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

/** Why a record cannot be sent, or null. */
function invalidRecord(record: ProducerRecord): MqError | null {
  if (typeof record.topic !== 'string' || record.topic.length === 0) return new MqError('INVALID_TOPIC_EXCEPTION', 'a record needs a topic');
  if (record.timestamp !== undefined && !Number.isSafeInteger(record.timestamp)) {
    return new MqError('INVALID_TIMESTAMP', `record timestamp ${String(record.timestamp)} is not an integer number of ms`);
  }
  if (record.value !== null && !Buffer.isBuffer(record.value)) return new MqError('INVALID_RECORD', 'a record value must be a Buffer or null');
  return null;
}

function recordBytes(r: ProducerRecord): number {
  let n = RECORD_OVERHEAD_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const h of r.headers) n += h.key.length + (h.value?.length ?? 0) + 4;
  return n;
}

/** The error of a record sent to a decommissioned partition by name. */
export function decommissionedError(topic: string, partition: number): MqError {
  return new MqError('PARTITION_DECOMMISSIONED', `partition ${topic}-${partition} is decommissioned: it takes no new records`, {
    hint: `Produce without a partition (keys are re-routed to the topic's active partitions), or take it back into use with \`mq topics recommission-partition ${topic} ${partition}\` (until it is deleted).`,
  });
}

/** The error records get when their topic never became usable. */
function explainTopicFailure(topic: string, err: unknown): unknown {
  if (err instanceof MqError && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' does not exist and the broker does not create topics automatically`, {
      hint: `Create it with \`mq topics create ${topic}\`.`,
    });
  }
  if (err instanceof MqError && err.code === 'LEADER_NOT_AVAILABLE') {
    return new MqError('LEADER_NOT_AVAILABLE', `topic '${topic}' has no leader after ${METADATA_WAIT_MS} ms`, { retriable: true });
  }
  return err ?? new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' does not exist`);
}
