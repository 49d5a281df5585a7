// The producer: validates options and records and wires its parts together.
//
//   producer-buffer.ts     the bufferMemory budget, and the callers waiting for room or for a flush
//   record-accumulator.ts  per-partition batches, filled in place and closed at batchSize or lingerMs
//   produce-sender.ts      ProduceRequests per leader, retries in partition order, rerouting
//   producer-metadata.ts   records waiting for their topic's metadata, coalesced refreshes
//   producer-batch.ts      the settings, batch and queue shapes and the record checks they share
//   producer-raw.ts        the raw-record interface (records as byte ranges, one report per batch)
//   producer-held-raw.ts   raw records waiting for metadata, copied into one buffer
//   producer-idempotence.ts the producer id and per-partition sequences stamped into batches (default on)
//   producer-transactions.ts the transactional producer's state machine (with transactionalId)
//
// send()/enqueue() take a record to the accumulator, or to the metadata wait while its topic (or the
// partition it names) is not known yet; appendRaw() takes a record given as byte ranges of the caller's
// buffer (producer-raw.ts) straight into a batch, or copies it into the metadata wait; flush() closes every open batch and waits until every record
// has settled; close() flushes, stops the timers and closes the connections.
import { MqError } from '../util/mq-error.js';
import { Cluster, metadataMaxAgeMs, type ClusterOptions } from './cluster.js';
import { Partitioner } from './partitioner.js';
import { invalidRecord, recordBytes, type ProducerSettings } from './producer-batch.js';
import { ProducerBuffer } from './producer-buffer.js';
import { ProducerIdempotence, type IdempotenceMode } from './producer-idempotence.js';
import { ProducerMetadata } from './producer-metadata.js';
import { ProducerTransactions } from './producer-transactions.js';
import { ProduceSender } from './produce-sender.js';
import type { RawProducer, RawTarget } from './producer-raw.js';
import { RecordAccumulator } from './record-accumulator.js';
import type { DeliveryReport, ProducerOptions, ProducerRecord, RecordMetadata, TopicPartitionOffset, TransactionalProducer } from './types.js';

export { decommissionedError } from './producer-batch.js';

/** Creates a producer; it connects on first use. */
export function createProducer(opts: ProducerOptions): RawProducer & TransactionalProducer {
  return new AccumulatingProducer(opts);
}

/** The options with their defaults; INVALID_CONFIG for values no producer can use. */
function producerSettings(opts: ProducerOptions): ProducerSettings {
  const acks = opts.acks ?? -1;
  const retries = opts.retries ?? 5;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 5);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const transactionalId = opts.transactionalId ?? null;
  const transactionTimeoutMs = opts.transactionTimeoutMs ?? 60_000;
  if (transactionalId !== null && (typeof transactionalId !== 'string' || transactionalId.length === 0)) {
    throw new MqError('INVALID_CONFIG', 'a transactional id must be a non-empty string');
  }
  if (!Number.isInteger(transactionTimeoutMs) || transactionTimeoutMs < 1) {
    throw new MqError('INVALID_CONFIG', `the transaction timeout must be a positive number of milliseconds, not ${String(opts.transactionTimeoutMs)}`);
  }
  if (transactionalId !== null && opts.idempotent === false) {
    throw new MqError('INVALID_CONFIG', `transactional producer '${transactionalId}' needs idempotence, but idempotence was turned off`, {
      hint: 'Leave idempotence on (drop enable.idempotence=false / idempotent: false), or produce without a transactional id.',
    });
  }
  if (![-1, 0, 1].includes(acks)) {
    throw new MqError('INVALID_CONFIG', `acks must be 0, 1 or -1 (all), not ${String(opts.acks)}`);
  }
  const settings: ProducerSettings = {
    acks,
    lingerMs: opts.lingerMs ?? 5,
    batchSize: opts.batchSize ?? 16384,
    bufferMemory: opts.bufferMemory ?? 32 * 1024 * 1024,
    retries,
    retryBackoffMs: opts.retryBackoffMs ?? 100,
    compression: opts.compression ?? 'none',
    maxInFlight,
    timeoutMs,
    // With acks=all the broker may hold the request for timeoutMs; give it room to answer.
    produceRequestTimeoutMs: acks === -1 ? Math.max(requestTimeoutMs, timeoutMs + 5000) : requestTimeoutMs,
    perPartitionInFlight: retries === 0 ? maxInFlight : 1,
    idempotence: idempotenceMode(transactionalId !== null ? true : opts.idempotent, acks, retries),
    transactionalId,
    transactionTimeoutMs,
  };

  if (settings.compression !== 'none' && settings.compression !== 'gzip') {
    throw new MqError('INVALID_CONFIG', `compression must be none or gzip, not ${String(opts.compression)}`);
  }
  return settings;
}

/**
 * Idempotence is on unless turned off; asked for by default only, it goes quietly with acks 0/1 or
 * retries 0 (as in Kafka 3.2+), asked for by name it refuses them.
 */
function idempotenceMode(idempotent: boolean | undefined, acks: number, retries: number): IdempotenceMode {
  if (idempotent === false) return 'off';
  const conflict = acks !== -1 ? `acks=${acks}` : retries <= 0 ? 'retries=0' : null;
  if (conflict === null) return idempotent === true ? 'explicit' : 'implicit';
  if (idempotent === undefined) return 'off';
  throw new MqError('INVALID_CONFIG', `an idempotent producer needs acks=all (-1) and retries > 0, but ${conflict} was asked for together with idempotence`, {
    hint: 'Use acks=all, or turn idempotence off (-X enable.idempotence=false for mq produce, idempotent: false for the client).',
  });
}

class AccumulatingProducer implements RawProducer, TransactionalProducer {
  private readonly cluster: Cluster;
  private readonly buffer: ProducerBuffer;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: ProduceSender;
  private readonly metadata: ProducerMetadata;
  /** The transaction state machine, with a transactionalId only (null: the hot path checks nothing more). */
  private readonly txn: ProducerTransactions | null;
  private closing = false;
  private closePromise: Promise<void> | null = null;

  constructor(opts: ProducerOptions) {
    this.cluster = new Cluster(opts as ClusterOptions);
    const settings = producerSettings(opts);
    this.buffer = new ProducerBuffer(settings.bufferMemory);
    const drain = (): void => this.sender.scheduleDrain();
    const idempotence = new ProducerIdempotence(settings.idempotence, this.cluster, drain, settings.retryBackoffMs, settings.transactionalId);
    const txn = settings.transactionalId === null ? null
      : new ProducerTransactions(settings.transactionalId, settings.transactionTimeoutMs, this.cluster, idempotence, settings.retryBackoffMs, drain);
    this.txn = txn;
    this.accumulator = new RecordAccumulator(settings, this.cluster, new Partitioner(), this.buffer, idempotence, drain, txn);
    this.sender = new ProduceSender(settings, this.cluster, this.accumulator, this.buffer, idempotence, txn);
    this.metadata = new ProducerMetadata(this.cluster, this.accumulator, this.buffer, settings.retryBackoffMs, metadataMaxAgeMs(opts), {
      readyTopics: () => [...this.accumulator.readyQueues].map((q) => q.topic),
      closing: (forGood) => this.closing && (!forGood || this.buffer.unsettled === 0),
      refreshed: () => this.sender.scheduleDrain(),
    });
    this.sender.useMetadata(this.metadata);
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
    const invalid = this.closing ? new MqError('CLIENT_CLOSED', 'the producer is closed') : this.txn?.refusal() ?? invalidRecord(record);
    if (invalid) {
      onDelivery(invalid, -1, -1, -1, tag);
      return this.buffer.hasCapacity();
    }
    const timestamp = record.timestamp ?? Date.now();
    const bytes = recordBytes(record);
    this.buffer.add(bytes);
    const meta = this.cluster.topic(record.topic);
    // A partition beyond the cached count may have been added since: re-read the metadata once first.
    if (!meta || this.metadata.isWaiting(record.topic) || (record.partition !== undefined && record.partition >= meta.partitionCount)) {
      this.metadata.hold(record, timestamp, bytes, onDelivery, tag);
    } else {
      this.accumulator.append(record, timestamp, bytes, meta, onDelivery, tag);
    }
    return this.buffer.hasCapacity();
  }

  appendRaw(t: RawTarget, src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number): boolean {
    const size = (keyStart < 0 ? 0 : keyEnd - keyStart) + valueEnd - valueStart;
    const refused = this.closing ? new MqError('CLIENT_CLOSED', 'the producer is closed') : this.txn?.refusal() ?? null;
    if (refused !== null) {
      t.report(refused, 1, size);
      return this.buffer.hasCapacity();
    }
    const bytes = size + t.overheadBytes;
    this.buffer.add(bytes);
    const meta = this.cluster.topic(t.topic);
    // As in enqueue(): a partition beyond the cached count may have been added since.
    if (meta === undefined || this.metadata.isWaiting(t.topic) || (t.partition !== undefined && t.partition >= meta.partitionCount)) {
      this.metadata.holdRaw(t, src, keyStart, keyEnd, valueStart, valueEnd, timestamp);
    } else {
      this.accumulator.appendRaw(t, meta, src, keyStart, keyEnd, valueStart, valueEnd, timestamp, bytes);
    }
    return this.buffer.hasCapacity();
  }

  waitForCapacity(): Promise<void> {
    return this.buffer.waitForCapacity(this.closing);
  }

  async flush(): Promise<void> {
    // While a flush is waiting, batches opened by records still arriving (or waiting for their
    // topic's metadata) close at the end of the tick instead of lingering.
    this.accumulator.beginFlush();
    try {
      this.accumulator.closeAll();
      await this.buffer.waitIdle();
    } finally {
      this.accumulator.endFlush();
    }
  }

  initTransactions(): Promise<void> {
    return this.transactions('initTransactions').initTransactions();
  }

  beginTransaction(): void {
    this.transactions('beginTransaction').beginTransaction();
  }

  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string): Promise<void> {
    return this.transactions('sendOffsetsToTransaction').sendOffsetsToTransaction(offsets, groupId);
  }

  commitTransaction(): Promise<void> {
    return this.transactions('commitTransaction').commitTransaction(() => this.flush());
  }

  abortTransaction(): Promise<void> {
    return this.transactions('abortTransaction').abortTransaction(() => {
      // Open batches close now; the sender fails every batch not yet sent (partitionReady answers "aborted").
      this.accumulator.closeAll();
      this.sender.scheduleDrain();
    }, () => this.flush());
  }

  private transactions(call: string): ProducerTransactions {
    if (this.txn === null) {
      throw new MqError('INVALID_TXN_STATE', `${call}() needs a transactional producer`, { hint: 'Create the producer with transactionalId.' });
    }
    return this.txn;
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      try {
        await this.flush();
      } finally {
        this.accumulator.stop();
        this.sender.stop();
        this.metadata.stop();
        this.buffer.releaseCapacityWaiters();
        await this.cluster.close();
      }
    })();
    return this.closePromise;
  }
}
