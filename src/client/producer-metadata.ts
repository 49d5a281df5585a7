// The producer's metadata: records for a topic whose metadata is not known yet wait here in arrival
// order (each charged what its objects cost, HELD_RECORD_BYTES, against bufferMemory; raw records are
// copied into blocks instead, producer-held-raw.ts, and charged for the copy) until it is (at most METADATA_WAIT_MS, during which an auto-created topic gets its leader), then
// go to the accumulator or fail with an error that says why. Batches whose leader is unknown or that
// failed with a retriable error ask for a refresh (coalesced, at most one per retryBackoffMs), and the
// topics produced to are re-read every metadata.max.age.ms so partitions added to them get records.
//
// Decommissioned partitions (src/cluster/partition-decommission.ts): every refresh also reads the
// topics' decommissioned sets, which the partitioner routes around.
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import { logDropped } from './dropped-error.js';
import { METADATA_WAIT_MS } from './producer-batch.js';
import type { ProducerBuffer } from './producer-buffer.js';
import { HeldRawRecords } from './producer-held-raw.js';
import type { RawTarget } from './producer-raw.js';
import type { RecordAccumulator } from './record-accumulator.js';
import { topicError } from './topic-error.js';
import type { DeliveryReport, ProducerRecord } from './types.js';

/**
 * What a held record costs on top of the bytes it counts in the batch: its ProducerRecord, its place
 * here, its key and value Buffers (~310 bytes for a 100-byte value on Node 20, measured with
 * process.memoryUsage() over 200,000 of them), rounded up.
 */
const HELD_RECORD_BYTES = 320;

interface WaitingRecord {
  record: ProducerRecord;
  timestamp: number;
  bytes: number;
  report: DeliveryReport;
  tag: number;
}

export interface ProducerMetadataHooks {
  /** Topics with batches waiting to be sent. */
  readyTopics(): string[];
  /** True once the producer is closing (and, for `forGood`, nothing is left to send). */
  closing(forGood: boolean): boolean;
  /** A refresh finished: the sender may have work again. */
  refreshed(): void;
}

export class ProducerMetadata {
  private readonly waiting = new Map<string, (WaitingRecord | HeldRawRecords)[]>();
  private refresh: Promise<void> | null = null;
  private refreshAgain = false;
  private lastRefreshAt = 0;
  private readonly ageTimer: NodeJS.Timeout;

  constructor(
    private readonly cluster: Cluster,
    private readonly accumulator: RecordAccumulator,
    private readonly buffer: ProducerBuffer,
    private readonly retryBackoffMs: number,
    metadataMaxAgeMs: number,
    private readonly hooks: ProducerMetadataHooks,
  ) {
    // metadata.max.age.ms: re-read the topics produced to, so partitions added to them get records.
    this.ageTimer = setInterval(() => {
      const topics = this.cluster.cachedTopics();
      if (topics.length > 0 && !this.hooks.closing(false)) {
        this.refreshTopics(topics).catch((err: unknown) => logDropped(this.cluster.logger, 'producer: periodic metadata refresh failed; the next one tries again', err, { topics: topics.join(',') }));
      }
    }, metadataMaxAgeMs);
    this.ageTimer.unref();
  }

  /** Whether records of `topic` are waiting for its metadata (later ones must queue behind them). */
  isWaiting(topic: string): boolean {
    return this.waiting.size !== 0 && this.waiting.has(topic);
  }

  /**
   * Holds a record until its topic's metadata is known (looking it up when it is the first to wait).
   * A held record is objects, not encoded bytes: it also counts HELD_RECORD_BYTES against bufferMemory
   * until it is released, so a full buffer stops the caller while metadata is awaited too.
   */
  hold(record: ProducerRecord, timestamp: number, bytes: number, report: DeliveryReport, tag: number): void {
    const w = { record, timestamp, bytes, report, tag };
    this.buffer.charge(HELD_RECORD_BYTES);
    const waiting = this.waiting.get(record.topic);
    if (waiting) waiting.push(w);
    else {
      this.waiting.set(record.topic, [w]);
      void this.awaitTopic(record.topic);
    }
  }

  /**
   * Holds a raw record (producer-raw.ts), copied, until its topic's metadata is known; it costs its
   * copy against bufferMemory too (HELD_RAW_ENTRY_BYTES and its key and value once more): once the
   * metadata arrives the copy and the batch it moves into are both in memory until the next GC.
   */
  holdRaw(t: RawTarget, src: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, timestamp: number): void {
    let waiting = this.waiting.get(t.topic);
    if (!waiting) {
      waiting = [];
      this.waiting.set(t.topic, waiting);
      void this.awaitTopic(t.topic);
    }
    let held = waiting[waiting.length - 1];
    if (!(held instanceof HeldRawRecords) || held.target !== t) {
      held = new HeldRawRecords(t);
      waiting.push(held);
    }
    this.buffer.charge(held.add(src, keyStart, keyEnd, valueStart, valueEnd, timestamp));
  }

  /** Refreshes the metadata of every topic with queued batches; coalesced and rate-limited by retryBackoffMs. */
  refreshSoon(): void {
    if (this.refresh) {
      this.refreshAgain = true;
      return;
    }
    const wait = Math.max(0, this.lastRefreshAt + this.retryBackoffMs - Date.now());
    this.refresh = (async () => {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.lastRefreshAt = Date.now();
      const topics = [...new Set(this.hooks.readyTopics())];
      if (topics.length > 0 && !this.hooks.closing(true)) {
        try {
          await this.refreshTopics(topics);
        } catch (err) {
          // The next drain asks again; batches fail on their own retry budget or delivery timeout.
          logDropped(this.cluster.logger, 'producer: metadata refresh failed; batches wait for the next one', err, { topics: topics.join(',') });
        }
      }
    })().finally(() => {
      this.refresh = null;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refreshSoon();
      }
      this.hooks.refreshed();
    });
  }

  /** Reads the decommissioned partitions of `topic` again; a failure keeps the old set. */
  refreshDecommissioned(topic: string): Promise<void> {
    return this.cluster.refreshDecommissioned([topic]).catch((err: unknown) => this.droppedDecommissioned([topic], err));
  }

  /** Stops the metadata.max.age.ms timer. */
  stop(): void {
    clearInterval(this.ageTimer);
  }

  /** Metadata plus the decommissioned partitions of `topics` (a failure of the latter keeps the old set). */
  private async refreshTopics(topics: string[]): Promise<void> {
    await this.cluster.refreshMetadata(topics, false);
    await this.cluster.refreshDecommissioned(topics).catch((err: unknown) => this.droppedDecommissioned(topics, err));
  }

  private droppedDecommissioned(topics: string[], err: unknown): void {
    logDropped(this.cluster.logger, 'producer: reading decommissioned partitions failed; the last known set stays', err, { topics: topics.join(',') });
  }

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
      await this.refreshDecommissioned(topic);
    } catch (err) {
      failure = err;
    }
    const waiting = this.waiting.get(topic) ?? [];
    this.waiting.delete(topic);
    const meta = this.cluster.topic(topic);
    if (failure || !meta) {
      const explained = explainTopicFailure(topic, failure);
      const err = explained instanceof Error ? explained : new MqError('UNKNOWN_TOPIC_OR_PARTITION', String(explained));
      for (const w of waiting) {
        if (w instanceof HeldRawRecords) {
          this.buffer.settle(w.bytes + w.records * w.target.overheadBytes + w.held, w.records);
          w.target.report(err, w.records, w.bytes);
        } else {
          this.buffer.settle(w.bytes + HELD_RECORD_BYTES, 1);
          w.report(err, -1, -1, -1, w.tag);
        }
      }
      return;
    }
    for (const w of waiting) {
      if (w instanceof HeldRawRecords) {
        const t = w.target;
        w.forEach((buf, keyStart, keyEnd, valueStart, valueEnd, timestamp) => {
          const bytes = (keyStart < 0 ? 0 : keyEnd - keyStart) + valueEnd - valueStart + t.overheadBytes;
          this.accumulator.appendRaw(t, meta, buf, keyStart, keyEnd, valueStart, valueEnd, timestamp, bytes);
        });
        this.buffer.settle(w.held, 0);
      } else {
        this.accumulator.append(w.record, w.timestamp, w.bytes, meta, w.report, w.tag);
        this.buffer.settle(HELD_RECORD_BYTES, 0);
      }
    }
  }
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
