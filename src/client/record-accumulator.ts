// The producer's accumulator: one queue per partition holding the open batch being filled and the
// closed batches waiting for the sender, in order.
//
// append() picks the partition (Partitioner: murmur2 for keys, sticky for keyless records) and encodes
// the record once, straight into the partition's open RecordBatchBuilder; appendRaw() does the same for
// a record given as byte ranges of the caller's buffer (producer-raw.ts), with no per-record entries. A batch closes when it
// reaches batchSize or has waited lingerMs (one timer for the whole producer, never one per record);
// it is then built (and gzipped) once and queued, and the sender is told. Buffers of acknowledged
// batches are kept for the next batches. Settling a batch (its records' reports) ends here too.
//
// A partition that cannot send now (its batch in flight, or a closed batch still queued) keeps its
// open batch open past lingerMs, as Kafka's accumulator does: records that arrive during a round trip
// join one batch, sent whole when the round trip ends (the sender calls closeDue()). Closing a small
// batch per tick instead queued one batch per tick behind a round trip that carries one: at
// acks=all (a round trip of a few ms) the queue outgrew the rate and send -> ack reached seconds.
import { RecordBatchBuilder } from '../protocol/record-batch-builder.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster, TopicMetadata } from './cluster.js';
import type { Partitioner } from './partitioner.js';
import { batchRecords, decommissionedError, type Batch, type PartitionQueue, type ProducerSettings } from './producer-batch.js';
import type { ProducerBuffer } from './producer-buffer.js';
import type { ProducerIdempotence } from './producer-idempotence.js';
import type { ProducerTransactions } from './producer-transactions.js';
import type { RawTarget } from './producer-raw.js';
import type { DeliveryReport, ProducerRecord } from './types.js';

export class RecordAccumulator {
  private readonly queues = new Map<string, Map<number, PartitionQueue>>();
  private readonly openQueues = new Set<PartitionQueue>();
  /** Queues with closed batches; the sender takes from these. */
  readonly readyQueues = new Set<PartitionQueue>();
  /** Buffers of acknowledged batches, reused by the next batches (at most bufferMemory's worth). */
  private readonly freeBuffers: Buffer[] = [];
  private readonly maxFreeBuffers: number;
  private lingerTimer: NodeJS.Timeout | null = null;
  private flushes = 0;
  private flushCloseScheduled = false;
  /** The queue the last raw record went to: consecutive lines mostly share it. */
  private lastRawQueue: PartitionQueue | null = null;

  constructor(
    private readonly settings: ProducerSettings,
    private readonly cluster: Cluster,
    private readonly partitioner: Partitioner,
    private readonly buffer: ProducerBuffer,
    private readonly idempotence: ProducerIdempotence,
    /** Called when a batch was closed and queued. */
    private readonly onReady: () => void,
    /** A transactional producer's state machine (told of failed records), or null. */
    private readonly txn: ProducerTransactions | null = null,
  ) {
    this.maxFreeBuffers = Math.max(4, Math.ceil(settings.bufferMemory / settings.batchSize));
  }

  /** Puts one record into its partition's open batch (closing it first when the record does not fit). */
  append(record: ProducerRecord, timestamp: number, bytes: number, meta: TopicMetadata, report: DeliveryReport, tag: number): void {
    const numPartitions = meta.partitionCount;
    if (record.partition !== undefined) {
      const refused = this.refusal(record.topic, record.partition, meta);
      if (refused) {
        this.buffer.settle(bytes, 1);
        report(refused, -1, -1, -1, tag);
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
        if (q.open.raw === null && q.open.builder!.append(key, value, headers, timestamp)) return this.added(q, q.open, timestamp, bytes, report, tag, explicit);
        this.closeBatch(q);
        // A keyless record follows the sticky partition, which closing the batch may have moved.
        const again = this.partitioner.partition(topic, key, numPartitions, record.partition, this.cluster.topic(topic) ?? meta);
        if (again !== partition) {
          partition = again;
          q = this.queueFor(topic, partition);
          if (q.open) {
            if (q.open.raw === null && q.open.builder!.append(key, value, headers, timestamp)) return this.added(q, q.open, timestamp, bytes, report, tag, explicit);
            this.closeBatch(q);
          }
        }
      }
      const batch = this.openBatch(q);
      batch.builder!.append(key, value, headers, timestamp); // the first record of a batch always fits
      this.added(q, batch, timestamp, bytes, report, tag, explicit);
    } catch (err) {
      this.buffer.settle(bytes, 1);
      report(err instanceof Error ? err : new MqError('INVALID_RECORD', String(err)), -1, -1, -1, tag);
    }
  }

  /**
   * append() for a raw record of `t` (producer-raw.ts): key src[keyStart, keyEnd) (keyStart -1: null),
   * value src[valueStart, valueEnd). A batch holds the records of one target only.
   */
  appendRaw(t: RawTarget, meta: TopicMetadata, src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number, bytes: number): void {
    const size = (keyStart < 0 ? 0 : keyEnd - keyStart) + valueEnd - valueStart;
    if (t.partition !== undefined) {
      const refused = this.refusal(t.topic, t.partition, meta);
      if (refused) {
        this.buffer.settle(bytes, 1);
        t.report(refused, 1, size);
        return;
      }
    }
    try {
      let q = this.rawQueue(t, meta, src, keyStart, keyEnd);
      let open = q.open;
      if (open !== null) {
        if (open.raw === t && open.builder!.appendRaw(src, keyStart, keyEnd, valueStart, valueEnd, t.encodedHeaders, timestamp)) return this.addedRaw(q, open, bytes, size);
        this.closeBatch(q);
        // A keyless record follows the sticky partition, which closing the batch may have moved.
        const again = this.rawQueue(t, this.cluster.topic(t.topic) ?? meta, src, keyStart, keyEnd);
        if (again !== q) {
          q = again;
          open = q.open;
          if (open !== null) {
            if (open.raw === t && open.builder!.appendRaw(src, keyStart, keyEnd, valueStart, valueEnd, t.encodedHeaders, timestamp)) return this.addedRaw(q, open, bytes, size);
            this.closeBatch(q);
          }
        }
      }
      const batch = this.openBatch(q, true);
      batch.raw = t;
      batch.builder!.appendRaw(src, keyStart, keyEnd, valueStart, valueEnd, t.encodedHeaders, timestamp); // the first record of a batch always fits
      this.addedRaw(q, batch, bytes, size);
    } catch (err) {
      this.buffer.settle(bytes, 1);
      t.report(err instanceof Error ? err : new MqError('INVALID_RECORD', String(err)), 1, size);
    }
  }

  /** The queue of one partition (created on first use). */
  queueFor(topic: string, partition: number): PartitionQueue {
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

  /** Closes every open batch now. */
  closeAll(): void {
    for (const q of [...this.openQueues]) this.closeBatch(q);
  }

  /** While a flush waits, batches opened by records still arriving close at the end of the tick instead of lingering. */
  beginFlush(): void {
    this.flushes++;
  }

  endFlush(): void {
    this.flushes--;
  }

  /** Stops the linger timer (the producer is closing). */
  stop(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
  }

  /** Rejects every record of `b` with `err`. */
  fail(b: Batch, err: MqError): void {
    if (this.txn !== null) this.txn.recordFailed(err);
    const { reports, tags } = b;
    for (let i = 0; i < reports.length; i++) reports[i](err, b.partition, -1, -1, tags[i]);
    if (b.raw !== null) b.raw.report(err, b.rawRecords, b.rawBytes);
    this.release(b, batchRecords(b));
  }

  /** Drops the bytes of `b` and settles `records` of its records against the buffer. */
  release(b: Batch, records: number): void {
    b.bytes = null;
    this.buffer.settle(b.accounted, records);
  }

  /** Keeps a batch buffer of the usual size for a later batch. */
  recycle(bytes: Buffer): void {
    if (bytes.byteOffset !== 0) return; // only buffers the builder allocated (never slices of Node's shared pool)
    const whole = Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength);
    // Any size the builder made (it starts at min(batchSize, 64 KiB) and doubles as the batch fills):
    // requiring batchSize here left the 64 KiB first buffers of small batches unrecycled, a fresh one per
    // batch, and at 10,000 one-record batches/s their external memory forced a mark-compact every ~200 ms.
    if (whole.length <= 2 * this.settings.batchSize && this.freeBuffers.length < this.maxFreeBuffers) this.freeBuffers.push(whole);
  }

  /** Why a record naming partition `p` of `topic` cannot be taken, or null. */
  private refusal(topic: string, p: number, meta: TopicMetadata): MqError | null {
    const numPartitions = meta.partitionCount;
    if (!(Number.isInteger(p) && p >= 0 && p < numPartitions) || (meta.unavailable.has(p) && !this.cluster.isDecommissioned(topic, p))) {
      const deleted = Number.isInteger(p) && p >= 0 && p < numPartitions ? ` (partition ${p} was decommissioned and deleted)` : `; partition ${p} does not exist`;
      return new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${topic}' has ${numPartitions} partition${numPartitions === 1 ? '' : 's'}${deleted}`);
    }
    if (meta.unavailable.has(p)) return decommissionedError(topic, p);
    return null;
  }

  /** The queue a raw record of `t` goes to (a key is only looked at when the target names no partition). */
  private rawQueue(t: RawTarget, meta: TopicMetadata, src: Buffer, keyStart: number, keyEnd: number): PartitionQueue {
    let partition = t.partition;
    if (partition === undefined) {
      partition = keyStart < 0
        ? this.partitioner.stickyPartition(t.topic, meta.partitionCount, meta)
        : this.partitioner.partition(t.topic, src.subarray(keyStart, keyEnd), meta.partitionCount, undefined, meta);
    }
    const last = this.lastRawQueue;
    if (last !== null && last.partition === partition && last.topic === t.topic) return last;
    return (this.lastRawQueue = this.queueFor(t.topic, partition));
  }

  private addedRaw(q: PartitionQueue, batch: Batch, bytes: number, size: number): void {
    batch.rawRecords++;
    batch.rawBytes += size;
    batch.accounted += bytes;
    if (batch.builder!.sizeInBytes >= this.settings.batchSize) this.closeBatch(q);
    else if (this.lingerTimer === null) this.armLinger();
  }

  private added(q: PartitionQueue, batch: Batch, timestamp: number, bytes: number, report: DeliveryReport, tag: number, explicit: boolean): void {
    if (explicit || batch.explicit !== null) (batch.explicit ??= new Array<boolean>(batch.reports.length).fill(false)).push(explicit);
    batch.reports.push(report);
    batch.tags.push(tag);
    batch.timestamps.push(timestamp);
    batch.accounted += bytes;
    if (batch.builder!.sizeInBytes >= this.settings.batchSize) this.closeBatch(q);
    else this.armLinger();
  }

  /**
   * Opens a batch on `q`. A raw batch (filled from a stream, so it will fill) gets a whole batchSize
   * buffer at once when none is free: growing by doubling would leave ~batchSize of garbage per batch
   * (and its untouched pages cost no memory until written).
   */
  private openBatch(q: PartitionQueue, raw = false): Batch {
    const buffer = this.freeBuffers.pop() ?? (raw ? Buffer.allocUnsafeSlow(this.settings.batchSize) : undefined);
    const batch: Batch = {
      topic: q.topic, partition: q.partition,
      builder: new RecordBatchBuilder({ maxBytes: this.settings.batchSize, compression: this.settings.compression, buffer, transactional: this.txn !== null }),
      bytes: null, reports: [], tags: [], timestamps: [], createdAt: Date.now(),
      attempts: 0, retryAt: 0, accounted: 0, lastError: null, explicit: null, raw: null, rawRecords: 0, rawBytes: 0,
      stampGeneration: 0, baseSequence: -1,
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
      // Idempotence: the producer id and sequences go in as the batch is built when they can (one CRC pass).
      const stamp = this.idempotence.stampAtClose(batch, q, batchRecords(batch));
      if (stamp !== null) batch.builder!.setProducer(stamp.producerId, stamp.producerEpoch, stamp.baseSequence);
      batch.bytes = batch.builder!.build();
      // A compressed batch is a new buffer: the encoding buffer can serve the next batch at once.
      if (batch.bytes.buffer !== batch.builder!.buffer.buffer) this.recycle(batch.builder!.buffer);
    } catch (err) {
      batch.builder = null;
      this.idempotence.failedForGood(batch, q, true); // never sent: its sequences are given back
      this.fail(batch, err instanceof MqError ? err : new MqError('INVALID_RECORD', (err as Error).message, { cause: err }));
      return;
    }
    batch.builder = null;
    q.ready.push(batch);
    this.readyQueues.add(q);
    const meta = this.cluster.topic(q.topic);
    this.partitioner.batchClosed(q.topic, q.partition, meta?.partitionCount ?? 0, meta);
    this.onReady();
  }

  private armLinger(): void {
    // linger.ms=0 closes batches at the end of the tick: setTimeout(0) would add a whole millisecond.
    if (this.flushes > 0 || this.settings.lingerMs === 0) {
      if (this.flushCloseScheduled) return;
      this.flushCloseScheduled = true;
      queueMicrotask(() => {
        this.flushCloseScheduled = false;
        this.closeDue();
      });
      return;
    }
    if (this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => this.onLinger(), this.settings.lingerMs);
  }

  private onLinger(): void {
    this.lingerTimer = null;
    this.closeDue();
  }

  /**
   * Closes the open batches that have lingered long enough (at once with linger.ms=0 or while a flush
   * waits) and whose partition can send now; the others stay open (see the top). Arms the linger timer
   * for the next one due. The sender calls this whenever a partition may have become free.
   */
  closeDue(): void {
    const now = Date.now();
    const lingerMs = this.flushes > 0 ? 0 : this.settings.lingerMs;
    let earliest = Infinity;
    for (const q of [...this.openQueues]) {
      if (q.inFlight >= this.settings.perPartitionInFlight || q.ready.length > 0) continue;
      const createdAt = q.open!.createdAt;
      if (now - createdAt >= lingerMs) this.closeBatch(q);
      else earliest = Math.min(earliest, createdAt);
    }
    if (earliest !== Infinity && this.lingerTimer === null) {
      this.lingerTimer = setTimeout(() => this.onLinger(), Math.max(0, earliest + lingerMs - now));
    }
  }
}
