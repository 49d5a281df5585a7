// The fetch loop shared by the assigned-partition consumer and the group consumer.
//
// It holds a mutable set of partitions with their fetch offsets. batches() runs one fetch at a time per
// partition leader, on the leader's fetch connection (a parked long poll never delays other requests),
// and yields, per partition and fetch answer, the records in offset order: records below the fetch
// offset (a fetch returns the whole batch holding it) are dropped, control batches are stepped over,
// and the fetch offset moves past each batch (lastOffsetDelta); with read_committed (isolationLevel 1) the
// answer's AbortedTransactions go to the decoder, which drops those transactions' batches. Records are built straight from the
// answer's bytes (decodeFetchedRecords: one object per record, keys and values are views); decoded()
// hands each partition's bytes to the caller's PartitionDecoder instead (the CLI renders them to
// output bytes without an object per record). Before it
// decodes a partition's part of an answer, it already sends the next fetch to every leader with none in
// flight (fetch-ahead: the offset after the part's complete batches is in their headers), so the next
// answer travels while this one is decoded and the caller works through it; the caller holds up the
// next fetch by not asking for the next value (back-pressure), so at most two answers are held. If the
// decoding stops short of that offset (a corrupt batch), the answer fetched ahead for that partition is
// dropped. Partitions may be added and removed between yields; answers for removed partitions are dropped. Leadership changes and other retriable
// errors lead to a metadata refresh and a retry after a backoff.
//
// OFFSET_OUT_OF_RANGE (the offset was deleted by retention, or is past the end) is handled by
// `autoOffsetReset`: 'earliest' / 'latest' move the fetch offset to the log start / end and say so once
// through onNotice; 'none' raises an MqError that names the valid range.
import { ApiKey } from '../protocol/api.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import { decodeFetchedRecords, fetchedBatchesEnd, type AbortedTransaction } from '../protocol/fetched-records.js';
import { backoffMs } from '../util/backoff.js';
import { MqError } from '../util/mq-error.js';
import { sleep, untilAborted } from '../util/promise.js';
import type { Cluster } from './cluster.js';
import { logDropped } from './dropped-error.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, partitionKey } from './list-offsets.js';
import type { AutoOffsetReset, ConsumedRecord, DecodedPartition, PartitionDecoder } from './types.js';

/** Consecutive failed fetches of one partition (or leader) before batches() gives up. */
const MAX_CONSECUTIVE_ERRORS = 20;

export interface FetcherOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
  isolationLevel: 0 | 1;
  requestTimeoutMs: number;
  autoOffsetReset: AutoOffsetReset;
  onNotice?: (message: string) => void;
}

/** The records one fetch answer brought for one partition, and the fetch offset after them. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  nextOffset: number;
  /** The partition's end: the high watermark, or with read_committed the last stable offset. */
  highWatermark: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  fetchOffset: number;
  /** The high watermark, or with read_committed the last stable offset (the end exitAtEnd stops at). */
  highWatermark: number;
  partitionMaxBytes: number;
  /** exitAtEnd: reached the high watermark. */
  done: boolean;
  inFlight: boolean;
  /** The fetch it is in flight in (FetchOutcome.seq), while inFlight. */
  fetchSeq: number;
  removed: boolean;
  retryAt: number;
  errors: number;
}

interface FetchOutcome {
  nodeId: number;
  seq: number;
  parts: PartitionState[];
  /** The fetch offset asked for, per part. */
  offsets: number[];
  res?: FetchResponse;
  error?: MqError;
}

export class Fetcher {
  private states = new Map<string, PartitionState>();
  private fetchSeq = 0;

  constructor(private readonly cluster: Cluster, private readonly opts: FetcherOptions) {}

  /** Adds partitions (or moves the fetch offset of ones already held). */
  add(positions: { topic: string; partition: number; fetchOffset: number }[]): void {
    for (const { topic, partition, fetchOffset } of positions) {
      const k = partitionKey(topic, partition);
      const old = this.states.get(k);
      if (old) old.removed = true;
      this.states.set(k, {
        topic, partition, fetchOffset, highWatermark: -1, partitionMaxBytes: this.opts.partitionMaxBytes,
        done: false, inFlight: false, fetchSeq: 0, removed: false, retryAt: 0, errors: 0,
      });
    }
  }

  /** Stops fetching these partitions; records already fetched for them are dropped. */
  remove(partitions: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions) {
      const k = partitionKey(topic, partition);
      const s = this.states.get(k);
      if (s) { s.removed = true; this.states.delete(k); }
    }
  }

  clear(): void {
    this.remove([...this.states.values()]);
  }

  /** The partitions held, with their fetch offsets (the next offset to be yielded). */
  positions(): { topic: string; partition: number; fetchOffset: number }[] {
    return [...this.states.values()].map(({ topic, partition, fetchOffset }) => ({ topic, partition, fetchOffset }));
  }

  get size(): number {
    return this.states.size;
  }

  /** Batches until `stop` aborts (or, with exitAtEnd, every partition reached its end). */
  async *batches(stop: AbortSignal, exitAtEnd = false): AsyncGenerator<PartitionBatch> {
    for await (const d of this.decoded(stop, exitAtEnd, decodeRecords)) {
      yield { topic: d.topic, partition: d.partition, records: d.value, nextOffset: d.nextOffset, highWatermark: d.highWatermark };
    }
  }

  /** batches(), with each partition's part of an answer made into a value by `decode`. */
  async *decoded<T>(stop: AbortSignal, exitAtEnd: boolean, decode: PartitionDecoder<T>): AsyncGenerator<DecodedPartition<T>> {
    const inFlight = new Map<number, Promise<FetchOutcome>>();
    try {
      yield* this.rounds(stop, inFlight, exitAtEnd, decode);
    } finally {
      // Fetches still out belong to this iteration; their answers are dropped, and a later call
      // fetches those partitions afresh.
      for (const p of this.states.values()) p.inFlight = false;
    }
  }

  private async *rounds<T>(
    stop: AbortSignal, inFlight: Map<number, Promise<FetchOutcome>>, exitAtEnd: boolean, decode: PartitionDecoder<T>,
  ): AsyncGenerator<DecodedPartition<T>> {
    let leaderErrors = 0;
    for (;;) {
      if (stop.aborted) return;
      const live = this.live(exitAtEnd);
      if (live.length === 0) {
        if (exitAtEnd) return;
        if (await this.pause(100, stop)) return;
        continue;
      }

      const { missingLeader, nextRetryAt } = this.startFetches(live, inFlight, exitAtEnd);
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
        if (await this.pause(Math.max(0, Math.min(nextRetryAt, Date.now() + 100) - Date.now()), stop)) return;
        continue;
      }

      const outcome = await untilAborted(Promise.race(inFlight.values()), stop); // fetchFrom() never rejects
      if (outcome === null) return;
      inFlight.delete(outcome.nodeId);

      if (outcome.error) {
        for (const p of outcome.parts) settle(p, outcome);
        const err = outcome.error;
        if (stop.aborted) return;
        if (!err.retriable) throw err;
        for (const p of outcome.parts) this.backOff(p, err);
        await this.refreshQuietly();
        continue;
      }

      const byKey = new Map<string, number>();
      outcome.parts.forEach((p, i) => byKey.set(partitionKey(p.topic, p.partition), i));
      let refresh = false;
      for (const t of outcome.res!.responses) {
        for (const r of t.partitions) {
          const i = byKey.get(partitionKey(t.topic, r.partitionIndex));
          if (i === undefined) continue;
          const p = outcome.parts[i];
          // A partition of this answer stays "in flight" until its part is handled, so that the fetch
          // started early (below) does not ask for it again from an offset about to move.
          settle(p, outcome);
          if (p.removed) continue;
          // Asked for from an offset since given up (a batch read ahead of turned out corrupt, below).
          if (outcome.offsets[i] !== p.fetchOffset) continue;
          if (r.errorCode !== 0) {
            if (r.errorCode === 1) {
              await this.resetOutOfRange(p);
              continue;
            }
            const err = this.cluster.error(r.errorCode, `fetch from ${p.topic}-${p.partition}`);
            if (!err.retriable) throw err;
            this.backOff(p, err);
            refresh = true;
            continue;
          }
          p.errors = 0;
          // The partition's end for this consumer (exitAtEnd stops there): read_committed reads only up
          // to the last stable offset, which stays below the high watermark while a transaction is open.
          p.highWatermark = this.opts.isolationLevel === 1 && r.lastStableOffset >= 0n ? Number(r.lastStableOffset) : Number(r.highWatermark);
          const data = r.records as Buffer;
          if (stop.aborted) return;
          // Fetch ahead, before decoding: the offset after the answer's complete batches is in their
          // headers, so the next answer travels while this one is decoded and the caller writes it.
          const from = p.fetchOffset;
          const ahead = fetchedBatchesEnd(data, from);
          if (ahead > from) {
            p.fetchOffset = ahead;
            if (exitAtEnd && ahead >= p.highWatermark) p.done = true;
            this.startFetches(this.live(exitAtEnd), inFlight, exitAtEnd);
          }
          // A batch that cannot be read (corrupt, or inflating past the limit) throws, unless records
          // came before it: those are handed out first, and the next fetch starts at the bad batch and
          // fails on it alone (the decoders walk with `partial`; a fetch already asked for from past it
          // is dropped on arrival, as its offset is no longer the partition's).
          const decoded = decode(data, p.topic, p.partition, from, this.opts.isolationLevel === 1 ? r.abortedTransactions : null);
          if (decoded.batches === 0 && data.length > 0) {
            // Only a partial batch came back: ask for more next time (KIP-74 brokers send it whole anyway).
            p.partitionMaxBytes = Math.min(this.opts.maxBytes, Math.max(p.partitionMaxBytes * 2, data.length * 2));
          }
          const fetchOffset = decoded.nextOffset;
          p.fetchOffset = fetchOffset;
          p.done = exitAtEnd && p.fetchOffset >= p.highWatermark;
          if (decoded.count > 0) {
            yield { topic: p.topic, partition: p.partition, value: decoded.value, count: decoded.count, nextOffset: fetchOffset, highWatermark: p.highWatermark };
          }
        }
      }
      for (const p of outcome.parts) settle(p, outcome);
      if (refresh) await this.refreshQuietly();
    }
  }

  /** The partitions still to fetch (with exitAtEnd, those that have not reached their end). */
  private live(exitAtEnd: boolean): PartitionState[] {
    return [...this.states.values()].filter((p) => !(exitAtEnd && p.done));
  }

  /** Starts a fetch to every leader that has partitions ready and none in flight. */
  private startFetches(
    live: PartitionState[], inFlight: Map<number, Promise<FetchOutcome>>, exitAtEnd: boolean,
  ): { missingLeader: boolean; nextRetryAt: number } {
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
      const seq = ++this.fetchSeq;
      for (const p of parts) { p.inFlight = true; p.fetchSeq = seq; }
      inFlight.set(nodeId, this.fetchFrom(nodeId, seq, parts, exitAtEnd));
    }
    return { missingLeader, nextRetryAt };
  }

  /** OFFSET_OUT_OF_RANGE: applies autoOffsetReset to the partition, or throws for 'none'. */
  private async resetOutOfRange(p: PartitionState): Promise<void> {
    const q = (timestamp: number) => [{ topic: p.topic, partition: p.partition, timestamp }];
    const [lo, hi] = await Promise.all([
      listOffsets(this.cluster, q(EARLIEST_TIMESTAMP), { isolationLevel: this.opts.isolationLevel }),
      listOffsets(this.cluster, q(LATEST_TIMESTAMP), { isolationLevel: this.opts.isolationLevel }),
    ]);
    const k = partitionKey(p.topic, p.partition);
    const start = lo.get(k)!.offset;
    const end = hi.get(k)!.offset;
    if (p.fetchOffset >= start && p.fetchOffset <= end) return; // it came back into range (e.g. a new leader)
    if (this.opts.autoOffsetReset === 'none') throw offsetOutOfRange(p.topic, p.partition, p.fetchOffset, start, end);
    const to = this.opts.autoOffsetReset === 'earliest' ? start : end;
    this.opts.onNotice?.(`${p.topic}-${p.partition}: offset ${p.fetchOffset} is out of range (valid ${start} to ${end}); reset to the ${this.opts.autoOffsetReset} offset ${to}`);
    p.fetchOffset = to;
  }

  /** One Fetch to `nodeId`; never rejects (errors come back in the outcome). */
  private async fetchFrom(nodeId: number, seq: number, parts: PartitionState[], exitAtEnd: boolean): Promise<FetchOutcome> {
    const offsets = parts.map((p) => p.fetchOffset);
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
    const maxWaitMs = exitAtEnd ? 0 : this.opts.maxWaitMs;
    const body: FetchRequest = {
      replicaId: -1, maxWaitMs, minBytes: exitAtEnd ? 0 : this.opts.minBytes, maxBytes: this.opts.maxBytes,
      isolationLevel: this.opts.isolationLevel, sessionId: 0, sessionEpoch: -1, topics: [...topics.values()],
      forgottenTopicsData: [], rackId: '',
    };
    try {
      const res = await this.cluster.request<FetchResponse>(nodeId, ApiKey.Fetch, body, {
        purpose: 'fetch', timeoutMs: maxWaitMs + this.opts.requestTimeoutMs,
      });
      if (res.errorCode !== 0) return { nodeId, seq, parts, offsets, error: this.cluster.error(res.errorCode, `fetch from broker ${nodeId}`) };
      return { nodeId, seq, parts, offsets, res };
    } catch (err) {
      const error = err instanceof MqError ? err : new MqError('NETWORK_EXCEPTION', (err as Error).message, { retriable: true, cause: err });
      return { nodeId, seq, parts, offsets, error };
    }
  }

  private backOff(p: PartitionState, err: MqError): void {
    p.errors++;
    if (p.errors > MAX_CONSECUTIVE_ERRORS) throw err;
    p.retryAt = Date.now() + backoffMs(p.errors - 1, { maxMs: 2000 });
  }

  private async refreshQuietly(): Promise<void> {
    try {
      await this.cluster.refreshMetadata([...new Set([...this.states.values()].map((p) => p.topic))], false);
    } catch (err) {
      // The next fetch or refresh tries again; errors surface through the partitions' error budgets.
      logDropped(this.cluster.logger, 'consumer: metadata refresh failed; the next fetch tries again', err);
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

/** The partition is no longer in flight in this fetch (it may be in a later one already). */
function settle(p: PartitionState, outcome: FetchOutcome): void {
  if (p.fetchSeq === outcome.seq) p.inFlight = false;
}

/** The PartitionDecoder behind batches(): a ConsumedRecord per record. */
function decodeRecords(
  data: Buffer, topic: string, partition: number, fetchOffset: number, aborted?: readonly AbortedTransaction[] | null,
): { value: ConsumedRecord[]; count: number; nextOffset: number; batches: number } {
  const value: ConsumedRecord[] = [];
  const { nextOffset, batches, count } = decodeFetchedRecords(data, topic, partition, fetchOffset, value, { partial: true, aborted });
  return { value, count, nextOffset, batches };
}

/** OFFSET_OUT_OF_RANGE naming the valid range of the partition. */
export function offsetOutOfRange(topic: string, partition: number, offset: number, lo: number, hi: number): MqError {
  const range = hi > lo ? `${lo} to ${hi - 1}, or ${hi} to wait for the next record` : `only ${hi} (the partition is empty), to wait for the next record`;
  return new MqError('OFFSET_OUT_OF_RANGE', `offset ${offset} is out of range for ${topic}-${partition}: valid offsets are ${range}`, {
    hint: 'Start from the beginning or the end instead (-o beginning / -o end), or pass --auto-offset-reset earliest|latest.',
  });
}
