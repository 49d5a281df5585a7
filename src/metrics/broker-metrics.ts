// The broker's live counters, updated on the request path: per partition bytes and records in and
// out (records counted from each batch header's RecordCount, never by decoding), per API request
// count, errors and a latency histogram, purgatory sizes and ISR change counts. Objects are created
// once per partition and per API and then only incremented, so the hot path allocates nothing.
import { OFF_RECORDS_COUNT, BATCH_HEADER_BYTES, batchSizeAt } from '../protocol/batch-header.js';
import { LatencyHistogram } from './latency-histogram.js';

export class PartitionCounters {
  bytesIn = 0;
  recordsIn = 0;
  bytesOut = 0;
  recordsOut = 0;
}

export class ApiCounters {
  requests = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();
}

export class BrokerMetrics {
  private readonly partitions = new Map<string, PartitionCounters[]>();
  /** Indexed by API key. */
  readonly apis: (ApiCounters | undefined)[] = [];
  /** Fetch requests parked waiting for data (long poll). */
  fetchPurgatory = 0;
  /** Produce requests parked waiting for acks=all (cluster mode fills this). */
  producePurgatory = 0;
  /** ISR changes of partitions this broker leads (cluster mode counts them). */
  isrShrinks = 0;
  isrExpands = 0;
  /** Bytes of stored batches sent to followers (kept apart from consumer traffic). */
  replicaFetchBytesOut = 0;
  /** Bytes of batches this broker copied from leaders as a follower. */
  replicaFetchBytesIn = 0;
  /** Connections closed for sending garbage. */
  refusedConnections = 0;
  /** Milliseconds clients were throttled for going over a client quota, per quota type (src/broker/throttle.ts). */
  readonly quotaThrottleMs = { produce: 0, fetch: 0, request: 0 };
  /** The measured rate of each client quota in use (set by the broker; read at scrape time only). */
  quotaUsage: (() => { key: string; user: string; clientId: string; rate: number }[]) | null = null;
  readonly startedAtMs = Date.now();

  /** The counters of one partition (created on first use). */
  partition(topic: string, partition: number): PartitionCounters {
    let list = this.partitions.get(topic);
    if (!list) { list = []; this.partitions.set(topic, list); }
    return (list[partition] ??= new PartitionCounters());
  }

  /** Counters of a topic's partitions, or undefined when nothing was counted. */
  topicCounters(topic: string): readonly (PartitionCounters | undefined)[] | undefined {
    return this.partitions.get(topic);
  }

  forgetTopic(topic: string): void {
    this.partitions.delete(topic);
  }

  /** One appended batch of `bytes` bytes. */
  recordAppend(topic: string, partition: number, batch: Buffer): void {
    const c = this.partition(topic, partition);
    c.bytesIn += batch.length;
    c.recordsIn += batch.length >= BATCH_HEADER_BYTES ? batch.readInt32BE(OFF_RECORDS_COUNT) : 0;
  }

  /** Stored batches sent to a consumer or follower. */
  recordFetch(topic: string, partition: number, chunks: readonly Buffer[]): void {
    if (chunks.length === 0) return;
    const c = this.partition(topic, partition);
    for (const chunk of chunks) {
      c.bytesOut += chunk.length;
      c.recordsOut += countRecords(chunk);
    }
  }

  /** One answered (or failed) request of API `apiKey` that took `seconds`. */
  recordRequest(apiKey: number, seconds: number, failed: boolean): void {
    const a = (this.apis[apiKey] ??= new ApiCounters());
    a.requests++;
    if (failed) a.errors++;
    a.latency.observe(seconds);
  }

  /** Bytes in and out summed over every partition. */
  totals(): { bytesIn: number; bytesOut: number; recordsIn: number; recordsOut: number } {
    let bytesIn = 0; let bytesOut = 0; let recordsIn = 0; let recordsOut = 0;
    for (const list of this.partitions.values()) {
      for (const c of list) {
        if (!c) continue;
        bytesIn += c.bytesIn; bytesOut += c.bytesOut; recordsIn += c.recordsIn; recordsOut += c.recordsOut;
      }
    }
    return { bytesIn, bytesOut, recordsIn, recordsOut };
  }
}

/** Records in a run of whole stored batches, read from each batch header. */
export function countRecords(chunk: Buffer): number {
  let records = 0;
  for (let at = 0; at + BATCH_HEADER_BYTES <= chunk.length;) {
    records += chunk.readInt32BE(at + OFF_RECORDS_COUNT);
    const size = batchSizeAt(chunk, at);
    if (size <= 0) break;
    at += size;
  }
  return records;
}
