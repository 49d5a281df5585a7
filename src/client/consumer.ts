// A consumer of explicitly assigned partitions (no group).
//
// assign() looks the topics up (never auto-creating them) and turns each OffsetSpec into a fetch offset
// with ListOffsets. records() then runs one fetch at a time per partition leader, on the leader's fetch
// connection (a parked long poll never delays other requests), and yields records in offset order per
// partition: records below the fetch offset (a fetch returns the whole batch holding it) are dropped,
// control batches are stepped over, and the fetch offset moves past each batch (lastOffsetDelta).
// Leadership changes and other retriable errors lead to a metadata refresh and a retry after a backoff.
import { ApiKey } from '../protocol/api.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { decodeRecordBatches } from '../protocol/record-batch.js';
import { backoffMs } from '../util/backoff.js';
import { MqError } from '../util/mq-error.js';
import { sleep } from '../util/promise.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey, type OffsetQuery } from './list-offsets.js';
import { topicError } from './topic-error.js';
import type { Assignment, ConsumedRecord, Consumer, ConsumerOptions, OffsetSpec } from './types.js';

/** Consecutive failed fetches of one partition (or leader) before records() gives up. */
const MAX_CONSECUTIVE_ERRORS = 20;
/** How long assign() waits for a just-created topic to get leaders. */
const METADATA_WAIT_MS = 5000;

interface PartitionState {
  topic: string;
  partition: number;
  fetchOffset: number;
  highWatermark: number;
  logStartOffset: number;
  partitionMaxBytes: number;
  /** exitAtEnd: reached the high watermark. */
  done: boolean;
  inFlight: boolean;
  retryAt: number;
  errors: number;
}

interface FetchOutcome {
  nodeId: number;
  parts: PartitionState[];
  res?: FetchResponse;
  error?: MqError;
}

/** Creates a consumer; call assign() and then iterate records(). */
export function createConsumer(opts: ConsumerOptions): Consumer {
  return new AssignedConsumer(opts);
}

class AssignedConsumer implements Consumer {
  private readonly cluster: Cluster;
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly isolationLevel: 0 | 1;
  private readonly requestTimeoutMs: number;
  private partitions: PartitionState[] = [];
  private assigned = false;
  private readonly closing = new AbortController();
  private closePromise: Promise<void> | null = null;

  constructor(opts: ConsumerOptions) {
    this.cluster = new Cluster(opts as ClusterOptions);
    this.maxWaitMs = opts.maxWaitMs ?? 500;
    this.minBytes = opts.minBytes ?? 1;
    this.maxBytes = opts.maxBytes ?? 50 * 1024 * 1024;
    this.partitionMaxBytes = opts.partitionMaxBytes ?? 1024 * 1024;
    this.isolationLevel = opts.isolationLevel ?? 0;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  async assign(assignments: Assignment[]): Promise<void> {
    if (this.closing.signal.aborted) throw new MqError('CLIENT_CLOSED', 'the consumer is closed');
    await this.cluster.connect();
    const topics = [...new Set(assignments.map((a) => a.topic))];
    await this.loadTopics(topics);

    const chosen: { topic: string; partition: number; start: OffsetSpec }[] = [];
    const seen = new Set<string>();
    for (const a of assignments) {
      const count = this.cluster.topic(a.topic)!.partitions.length;
      const partitions = a.partitions ?? Array.from({ length: count }, (_, i) => i);
      for (const partition of partitions) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
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
    this.partitions = chosen.map((c, i) => ({
      topic: c.topic, partition: c.partition, fetchOffset: offsets[i], highWatermark: -1, logStartOffset: -1,
      partitionMaxBytes: this.partitionMaxBytes, done: false, inFlight: false, retryAt: 0, errors: 0,
    }));
    this.assigned = true;
  }

  records(opts: { signal?: AbortSignal; exitAtEnd?: boolean } = {}): AsyncIterable<ConsumedRecord> {
    return this.fetchLoop(opts.signal, opts.exitAtEnd ?? false);
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
            throw offsetOutOfRange(topic, partition, start.offset, lo, hi);
          }
          return start.offset;
        }
      }
    });
  }

  // ---- fetching ----

  private async *fetchLoop(signal: AbortSignal | undefined, exitAtEnd: boolean): AsyncGenerator<ConsumedRecord> {
    if (!this.assigned) throw new MqError('INVALID_STATE', 'call assign() before records()');
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const stopped = new Promise<null>((resolve) => {
      if (stop.aborted) resolve(null);
      else stop.addEventListener('abort', () => resolve(null), { once: true });
    });
    const inFlight = new Map<number, Promise<FetchOutcome>>();
    try {
      yield* this.fetchRounds(stop, stopped, inFlight, exitAtEnd);
    } finally {
      // Fetches still out belong to this iteration; their answers are dropped, and a later
      // records() call fetches those partitions afresh.
      for (const p of this.partitions) p.inFlight = false;
    }
  }

  private async *fetchRounds(
    stop: AbortSignal, stopped: Promise<null>, inFlight: Map<number, Promise<FetchOutcome>>, exitAtEnd: boolean,
  ): AsyncGenerator<ConsumedRecord> {
    let leaderErrors = 0;
    for (;;) {
      if (stop.aborted) return;
      const live = this.partitions.filter((p) => !(exitAtEnd && p.done));
      if (live.length === 0) return;

      // Start a fetch to every leader that has partitions ready and none in flight.
      const now = Date.now();
      const byLeader = new Map<number, PartitionState[]>();
      let missingLeader = false;
      let nextRetryAt = Infinity;
      for (const p of live) {
        if (p.inFlight) continue;
        if (p.retryAt > now) { nextRetryAt = Math.min(nextRetryAt, p.retryAt); continue; }
        const leader = this.cluster.leaderFor(p.topic, p.partition);
        if (leader < 0) { missingLeader = true; continue; }
        if (inFlight.has(leader)) continue;
        const list = byLeader.get(leader) ?? [];
        list.push(p);
        byLeader.set(leader, list);
      }
      for (const [nodeId, parts] of byLeader) {
        for (const p of parts) p.inFlight = true;
        inFlight.set(nodeId, this.fetchFrom(nodeId, parts, exitAtEnd));
      }
      if (missingLeader) {
        await this.refreshQuietly();
        if (inFlight.size === 0) {
          leaderErrors++;
          if (leaderErrors > MAX_CONSECUTIVE_ERRORS) {
            const p = live.find((x) => this.cluster.leaderFor(x.topic, x.partition) < 0)!;
            throw new MqError('LEADER_NOT_AVAILABLE', `${p.topic}-${p.partition} has had no leader for too long`, { retriable: true });
          }
          if (await this.pause(backoffMs(leaderErrors - 1, { maxMs: 2000 }), stop)) return;
          continue;
        }
      } else {
        leaderErrors = 0;
      }
      if (inFlight.size === 0) {
        // Every partition is backing off after an error.
        if (await this.pause(Math.max(0, nextRetryAt - Date.now()), stop)) return;
        continue;
      }

      const outcome = await Promise.race([...inFlight.values(), stopped]);
      if (outcome === null) return;
      inFlight.delete(outcome.nodeId);
      for (const p of outcome.parts) p.inFlight = false;

      if (outcome.error) {
        const err = outcome.error;
        if (!err.retriable || this.closing.signal.aborted) {
          if (this.closing.signal.aborted) return;
          throw err;
        }
        for (const p of outcome.parts) this.backOff(p, err);
        await this.refreshQuietly();
        continue;
      }

      const byKey = new Map<string, PartitionState>();
      for (const p of outcome.parts) byKey.set(partitionKey(p.topic, p.partition), p);
      let refresh = false;
      for (const t of outcome.res!.responses) {
        for (const r of t.partitions) {
          const p = byKey.get(partitionKey(t.topic, r.partitionIndex));
          if (!p) continue;
          if (r.errorCode !== 0) {
            if (r.errorCode === 1) {
              throw offsetOutOfRange(p.topic, p.partition, p.fetchOffset, Number(r.logStartOffset), Number(r.highWatermark));
            }
            const err = this.cluster.error(r.errorCode, `fetch from ${p.topic}-${p.partition}`);
            if (!err.retriable) throw err;
            this.backOff(p, err);
            refresh = true;
            continue;
          }
          p.errors = 0;
          p.highWatermark = Number(r.highWatermark);
          p.logStartOffset = Number(r.logStartOffset);
          const data = r.records as Buffer;
          const batches = decodeRecordBatches(data);
          if (batches.length === 0 && data.length > 0) {
            // Only a partial batch came back: ask for more next time (KIP-74 brokers send it whole anyway).
            p.partitionMaxBytes = Math.min(this.maxBytes, Math.max(p.partitionMaxBytes * 2, data.length * 2));
          }
          for (const batch of batches) {
            const nextOffset = batch.baseOffset + batch.lastOffsetDelta + 1;
            if (nextOffset <= p.fetchOffset) continue;
            if (!batch.isControl) {
              for (const rec of batch.records) {
                if (rec.offset < p.fetchOffset) continue;
                if (stop.aborted) return;
                p.fetchOffset = rec.offset + 1;
                yield {
                  topic: p.topic, partition: p.partition, offset: rec.offset, timestamp: rec.timestamp,
                  timestampType: batch.timestampType, key: rec.key, value: rec.value, headers: rec.headers,
                };
              }
            }
            p.fetchOffset = Math.max(p.fetchOffset, nextOffset);
          }
          if (exitAtEnd && p.fetchOffset >= p.highWatermark) p.done = true;
        }
      }
      if (refresh) await this.refreshQuietly();
    }
  }

  /** One Fetch to `nodeId`; never rejects (errors come back in the outcome). */
  private async fetchFrom(nodeId: number, parts: PartitionState[], exitAtEnd: boolean): Promise<FetchOutcome> {
    const topics = new Map<string, FetchRequest['topics'][number]>();
    for (const p of parts) {
      let t = topics.get(p.topic);
      if (!t) {
        t = { topic: p.topic, partitions: [] };
        topics.set(p.topic, t);
      }
      t.partitions.push({
        partition: p.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(p.fetchOffset),
        logStartOffset: -1n, partitionMaxBytes: p.partitionMaxBytes,
      });
    }
    // exitAtEnd reads what is there and stops: no reason to park the fetch at the end of the log.
    const maxWaitMs = exitAtEnd ? 0 : this.maxWaitMs;
    const body: FetchRequest = {
      replicaId: -1, maxWaitMs, minBytes: exitAtEnd ? 0 : this.minBytes, maxBytes: this.maxBytes,
      isolationLevel: this.isolationLevel, sessionId: 0, sessionEpoch: -1, topics: [...topics.values()],
      forgottenTopicsData: [], rackId: '',
    };
    try {
      const res = await this.cluster.request<FetchResponse>(nodeId, ApiKey.Fetch, body, {
        purpose: 'fetch', timeoutMs: maxWaitMs + this.requestTimeoutMs,
      });
      if (res.errorCode !== 0) return { nodeId, parts, error: this.cluster.error(res.errorCode, `fetch from broker ${nodeId}`) };
      return { nodeId, parts, res };
    } catch (err) {
      const error = err instanceof MqError ? err : new MqError('NETWORK_EXCEPTION', (err as Error).message, { retriable: true, cause: err });
      return { nodeId, parts, error };
    }
  }

  private backOff(p: PartitionState, err: MqError): void {
    p.errors++;
    if (p.errors > MAX_CONSECUTIVE_ERRORS) throw err;
    p.retryAt = Date.now() + backoffMs(p.errors - 1, { maxMs: 2000 });
  }

  private async refreshQuietly(): Promise<void> {
    try {
      await this.cluster.refreshMetadata([...new Set(this.partitions.map((p) => p.topic))], false);
    } catch {
      // The next fetch or refresh tries again; errors surface through the partitions' error budgets.
    }
  }

  /** Sleeps `ms` unless `stop` aborts first; returns true when it aborted. */
  private async pause(ms: number, stop: AbortSignal): Promise<boolean> {
    try {
      await sleep(ms, stop);
      return false;
    } catch {
      return true;
    }
  }
}

function offsetOutOfRange(topic: string, partition: number, offset: number, lo: number, hi: number): MqError {
  const range = hi > lo ? `${lo} to ${hi - 1}, or ${hi} to wait for the next record` : `only ${hi} (the partition is empty), to wait for the next record`;
  return new MqError('OFFSET_OUT_OF_RANGE', `offset ${offset} is out of range for ${topic}-${partition}: valid offsets are ${range}`, {
    hint: 'Start from the beginning or the end instead (-o beginning / -o end).',
  });
}
