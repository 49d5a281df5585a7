// A consumer of explicitly assigned partitions (no group).
//
// assign() looks the topics up (never auto-creating them) and turns each OffsetSpec into a fetch offset
// with ListOffsets. records() then runs one fetch at a time per partition leader, on the leader's fetch
// connection (a parked long poll never delays other requests), and yields records in offset order per
// partition (the fetch loop is fetcher.ts, shared with the group consumer; record-iterator.ts hands the
// fetched records out one by one without an async generator step per record; decoded() hands out each
// partition's part of a fetch answer through the caller's decoder instead). An offset that falls out of
// range while consuming (retention) is handled by autoOffsetReset, default 'none': an error naming the
// valid range. isolationLevel (default read_committed) goes into every Fetch and ListOffsets: the end of
// a partition is then its last stable offset, and aborted transactions' records are dropped.
import { MqError } from '../util/mq-error.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { Fetcher, offsetOutOfRange, type FetcherOptions } from './fetcher.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey, type OffsetQuery } from './list-offsets.js';
import { RecordIterator } from './record-iterator.js';
import { topicError } from './topic-error.js';
import type {
  Assignment, AutoOffsetReset, ConsumedRecord, Consumer, ConsumerOptions, DecodedPartition, IsolationLevel, OffsetSpec, PartitionDecoder,
} from './types.js';

/** How long assign() waits for a just-created topic to get leaders. */
const METADATA_WAIT_MS = 5000;

/** Creates a consumer; call assign() and then iterate records(). */
export function createConsumer(opts: ConsumerOptions): Consumer {
  return new AssignedConsumer(opts);
}

class AssignedConsumer implements Consumer {
  private readonly cluster: Cluster;
  private readonly isolationLevel: 0 | 1;
  private readonly fetcher: Fetcher;
  private assigned = false;
  private readonly closing = new AbortController();
  private closePromise: Promise<void> | null = null;

  constructor(private readonly opts: ConsumerOptions) {
    this.cluster = new Cluster(opts as ClusterOptions);
    this.isolationLevel = isolationLevelCode(opts.isolationLevel);
    this.fetcher = new Fetcher(this.cluster, fetcherOptions(opts, 'none'));
  }

  async assign(assignments: Assignment[]): Promise<void> {
    if (this.closing.signal.aborted) throw new MqError('CLIENT_CLOSED', 'the consumer is closed');
    await this.cluster.connect();
    const topics = [...new Set(assignments.map((a) => a.topic))];
    await this.loadTopics(topics);

    const chosen: { topic: string; partition: number; start: OffsetSpec }[] = [];
    const seen = new Set<string>();
    for (const a of assignments) {
      const meta = this.cluster.topic(a.topic)!;
      const count = meta.partitionCount;
      // Every partition the metadata lists (a deleted, decommissioned one is a gap in the ids).
      const partitions = a.partitions ?? meta.partitions.map((p) => p.partition);
      for (const partition of partitions) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count || !meta.partitions.some((p) => p.partition === partition)) {
          throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${a.topic}' has ${count} partition${count === 1 ? '' : 's'}; partition ${partition} does not exist`, {
            hint: count > 0 ? `Partitions are numbered 0 to ${count - 1}.` : undefined,
          });
        }
        const key = partitionKey(a.topic, partition);
        if (seen.has(key)) throw new MqError('INVALID_REQUEST', `partition ${a.topic}-${partition} is assigned twice`);
        seen.add(key);
        chosen.push({ topic: a.topic, partition, start: a.start });
      }
    }
    const offsets = await this.resolveOffsets(chosen);
    this.fetcher.clear();
    this.fetcher.add(chosen.map((c, i) => ({ topic: c.topic, partition: c.partition, fetchOffset: offsets[i] })));
    this.assigned = true;
  }

  records(opts: { signal?: AbortSignal; exitAtEnd?: boolean } = {}): AsyncIterable<ConsumedRecord> {
    return this.fetchLoop(opts.signal, opts.exitAtEnd ?? false);
  }

  async *decoded<T>(decode: PartitionDecoder<T>, opts: { signal?: AbortSignal; exitAtEnd?: boolean } = {}): AsyncGenerator<DecodedPartition<T>> {
    if (!this.assigned) throw new MqError('INVALID_STATE', 'call assign() before decoded()');
    yield* this.fetcher.decoded(this.stopSignal(opts.signal), opts.exitAtEnd ?? false, decode);
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing.abort();
      await this.cluster.close();
    })();
    return this.closePromise;
  }

  // ---- assign ----

  /** Metadata for `topics` without auto-creation: unknown topic → error; no leader yet → wait a little. */
  private async loadTopics(topics: string[]): Promise<void> {
    await this.cluster.retry(async () => {
      const res = await this.cluster.refreshMetadata(topics, false);
      for (const name of topics) {
        const t = res.topics.find((x) => x.name === name);
        if (!t || t.errorCode === 3) {
          throw new MqError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`, {
            hint: `List topics with \`mq topics list\`, or create it with \`mq topics create ${name}\`.`,
          });
        }
        if (t.errorCode !== 0) throw topicError(t.errorCode, name);
        if (t.partitions.length === 0) throw topicError(5, name);
      }
    }, { retries: Number.POSITIVE_INFINITY, maxElapsedMs: METADATA_WAIT_MS, signal: this.closing.signal });
  }

  /** The fetch offset for each chosen partition (same order). */
  private async resolveOffsets(chosen: { topic: string; partition: number; start: OffsetSpec }[]): Promise<number[]> {
    const earliestQ: OffsetQuery[] = [];
    const latestQ: OffsetQuery[] = [];
    const timeQ: OffsetQuery[] = [];
    for (const { topic, partition, start } of chosen) {
      switch (start.kind) {
        case 'beginning':
          earliestQ.push({ topic, partition, timestamp: EARLIEST_TIMESTAMP });
          break;
        case 'end':
          latestQ.push({ topic, partition, timestamp: LATEST_TIMESTAMP });
          break;
        case 'timestamp':
          if (!Number.isSafeInteger(start.timestampMs) || start.timestampMs < 0) {
            throw new MqError('INVALID_REQUEST', `start timestamp ${start.timestampMs} must be a non-negative integer of ms`);
          }
          timeQ.push({ topic, partition, timestamp: start.timestampMs });
          latestQ.push({ topic, partition, timestamp: LATEST_TIMESTAMP });
          break;
        case 'fromEnd':
        case 'offset':
          earliestQ.push({ topic, partition, timestamp: EARLIEST_TIMESTAMP });
          latestQ.push({ topic, partition, timestamp: LATEST_TIMESTAMP });
          break;
        default:
          throw new MqError('INVALID_REQUEST', `unknown start offset kind ${(start as { kind: string }).kind}`);
      }
    }
    // A partition may appear only once per ListOffsets request, so each kind of query is its own round.
    const opts = { isolationLevel: this.isolationLevel };
    const [earliest, latest, byTime] = await Promise.all([
      earliestQ.length ? listOffsets(this.cluster, earliestQ, opts) : new Map(),
      latestQ.length ? listOffsets(this.cluster, latestQ, opts) : new Map(),
      timeQ.length ? listOffsets(this.cluster, timeQ, opts) : new Map(),
    ]);
    return chosen.map(({ topic, partition, start }) => {
      const key = partitionKey(topic, partition);
      const lo = earliest.get(key)?.offset as number;
      const hi = latest.get(key)?.offset as number;
      switch (start.kind) {
        case 'beginning': return lo;
        case 'end': return hi;
        case 'timestamp': {
          const found = byTime.get(key)!.offset;
          return found >= 0 ? found : hi;
        }
        case 'fromEnd': {
          if (!Number.isSafeInteger(start.n) || start.n < 0) {
            throw new MqError('INVALID_REQUEST', `cannot start ${start.n} records before the end: use a whole number >= 0`);
          }
          return Math.max(lo, hi - start.n);
        }
        case 'offset': {
          if (!Number.isSafeInteger(start.offset) || start.offset < lo || start.offset > hi) {
            const reset = this.opts.autoOffsetReset ?? 'none';
            if (reset === 'none' || !Number.isSafeInteger(start.offset)) throw offsetOutOfRange(topic, partition, start.offset, lo, hi);
            const to = reset === 'earliest' ? lo : hi;
            this.opts.onNotice?.(`${topic}-${partition}: offset ${start.offset} is out of range (valid ${lo} to ${hi}); starting at the ${reset} offset ${to}`);
            return to;
          }
          return start.offset;
        }
      }
    });
  }

  // ---- fetching ----

  private fetchLoop(signal: AbortSignal | undefined, exitAtEnd: boolean): AsyncIterableIterator<ConsumedRecord> {
    return new RecordIterator(() => {
      if (!this.assigned) throw new MqError('INVALID_STATE', 'call assign() before records()');
      const stop = this.stopSignal(signal);
      return { stop, batches: this.fetcher.batches(stop, exitAtEnd) };
    });
  }

  private stopSignal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
  }
}

/** The wire's IsolationLevel (0 read_uncommitted, 1 read_committed) of a consumer option; default read_committed. */
export function isolationLevelCode(level: IsolationLevel | undefined): 0 | 1 {
  if (level === undefined || level === 'read_committed') return 1;
  if (level === 'read_uncommitted') return 0;
  throw new MqError('INVALID_ARGUMENT', `isolation level '${String(level)}' is not one of read_committed, read_uncommitted`);
}

/** Fetcher settings from consumer options (defaults as documented in types.ts). */
export function fetcherOptions(opts: ConsumerOptions, defaultReset: AutoOffsetReset): FetcherOptions {
  return {
    maxWaitMs: opts.maxWaitMs ?? 500,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
    partitionMaxBytes: opts.partitionMaxBytes ?? 1024 * 1024,
    isolationLevel: isolationLevelCode(opts.isolationLevel),
    requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    autoOffsetReset: opts.autoOffsetReset ?? defaultReset,
    onNotice: opts.onNotice,
  };
}
