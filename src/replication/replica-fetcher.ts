// A follower's fetcher for one source broker: one Connection, every partition this broker follows on
// that leader in one Fetch v11 request (ReplicaId = our id, CurrentLeaderEpoch = the epoch followed), in
// a loop. A partition newly followed first truncates by leader epoch: OffsetForLeaderEpoch v3 for its
// latest epoch, then truncateTo(min(leader's end of that epoch, our own end of the epoch the leader
// returned)); never by high watermark alone. Fetched records are split into whole batches (a partial
// trailing batch is dropped and fetched again), each CRC-checked, appended with their offsets and leader
// epochs as they are, and the topic's flush.policy applied; the follower's high watermark is the
// leader's, capped at its own log end.
//
// Errors never crash or spin: a partition error (NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, a
// corrupt batch...) delays that partition with backoff; a connection failure (dead broker) closes the
// connection and retries it with backoff, looking the leader's address up again each time.
//
// Reassignment throttle (replication-throttle.ts): partitions where this broker is a throttled adding
// replica get a partition max bytes from the shared token bucket, or are left out of the request while
// it is empty (the long poll then waits no longer than until it refills); the others are fetched as usual.
import type { ClientSecurity } from '../client/security-options.js';
import type { HostPort } from '../config/config.js';
import { Connection } from '../client/connection.js';
import type { Partition } from './partition.js';
import { ApiKey } from '../protocol/api.js';
import { BATCH_HEADER_BYTES, LOG_OVERHEAD, baseOffsetAt, batchSizeAt, lastOffsetDeltaAt, validateBatch } from '../protocol/batch-header.js';
import { ErrorCode, errorInfo } from '../protocol/error-codes.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/fetch.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../protocol/messages/offset-for-leader-epoch.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import { backoffMs } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import { MqError } from '../util/mq-error.js';
import type { ReplicationThrottle } from './replication-throttle.js';

export interface ReplicaFetcherOptions {
  localId: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMaxBytes: number;
  /** Where broker `id` listens now (null when it is not registered). */
  endpoint(id: number): HostPort | null;
  logger: Logger;
  metrics?: BrokerMetrics;
  /** The reassignment throttle shared by this broker's fetchers (absent: nothing is throttled). */
  throttle?: ReplicationThrottle;
  /** TLS and SASL of the inter-broker listener (absent: PLAINTEXT). */
  security?: ClientSecurity;
}

/** One followed partition; replaced (not mutated) when the followed epoch changes. */
interface Followed {
  key: string;
  partition: Partition;
  leaderEpoch: number;
  state: 'truncating' | 'fetching';
  failures: number;
  delayedUntilMs: number;
}

/** The most bytes one fetch response may carry over all partitions. */
const RESPONSE_MAX_BYTES = 16 * 1024 * 1024;
const FETCH_VERSION = 11;
/** The longest a fetcher waits for the reassignment throttle's bucket before looking again. */
const THROTTLE_RECHECK_MS = 1000;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;
const NOT_THROTTLED: ReadonlySet<string> = new Set();

export class ReplicaFetcher {
  private readonly followed = new Map<string, Followed>();
  private conn: Connection | null = null;
  private connectFailures = 0;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  /** The response being applied to the logs; remove() waits for it. */
  private applying: Promise<void> = Promise.resolve();
  private readonly loop: Promise<void>;

  constructor(readonly sourceId: number, private readonly opts: ReplicaFetcherOptions) {
    this.loop = this.run();
  }

  get size(): number { return this.followed.size; }

  /** Follows `partition` at `leaderEpoch` from this source (truncating first). */
  add(key: string, partition: Partition, leaderEpoch: number): void {
    this.followed.set(key, { key, partition, leaderEpoch, state: 'truncating', failures: 0, delayedUntilMs: 0 });
    this.wakeUp?.();
  }

  has(key: string, leaderEpoch: number): boolean {
    return this.followed.get(key)?.leaderEpoch === leaderEpoch;
  }

  /** Stops following `key`; resolves once no write of this fetcher to its log is in progress. */
  async remove(key: string): Promise<void> {
    if (!this.followed.delete(key)) return;
    await this.applying;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.followed.clear();
    this.wakeUp?.();
    await this.conn?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      const ready = [...this.followed.values()].filter((f) => f.delayedUntilMs <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.followed.values()].map((f) => f.delayedUntilMs));
        await this.pause(Number.isFinite(next) ? Math.max(1, next - now) : 60_000);
        continue;
      }
      try {
        const conn = await this.connection();
        const truncating = ready.filter((f) => f.state === 'truncating');
        if (truncating.length > 0) await this.truncate(conn, truncating);
        else await this.fetch(conn, ready);
        this.connectFailures = 0;
      } catch (err) {
        if (this.stopped) return;
        const delay = backoffMs(this.connectFailures++, { initialMs: 200, maxMs: 5000 });
        const log = this.connectFailures === 1 ? this.opts.logger.warn : this.opts.logger.debug;
        log.call(this.opts.logger, 'replica fetcher cannot reach its leader; retrying', { leader: this.sourceId, error: (err as Error).message, retryInMs: delay });
        const c = this.conn;
        this.conn = null;
        await c?.close().catch(() => undefined);
        await this.pause(delay);
      }
    }
  }

  /** Waits `ms` or until add()/close() wakes the loop. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
    });
  }

  private async connection(): Promise<Connection> {
    if (this.conn && !this.conn.closed) return this.conn;
    const at = this.opts.endpoint(this.sourceId);
    if (!at) throw new MqError('LEADER_NOT_AVAILABLE', `broker ${this.sourceId} is not registered`, { retriable: true });
    const conn = new Connection({
      host: at.host, port: at.port, clientId: `mq-replica-fetcher-${this.opts.localId}`,
      requestTimeoutMs: this.opts.replicaFetchWaitMaxMs + 30_000, connectTimeoutMs: 3000, security: this.opts.security,
    });
    this.conn = conn;
    await conn.ready();
    return conn;
  }

  /** Runs `apply` so that remove() can wait for it. */
  private async exclusive(apply: () => Promise<void>): Promise<void> {
    const running = apply();
    this.applying = running.catch(() => undefined);
    await running;
  }

  private delay(f: Followed, why: string, err?: unknown): void {
    const ms = backoffMs(f.failures++, { initialMs: 100, maxMs: 2000 });
    f.delayedUntilMs = Date.now() + ms;
    this.opts.logger.debug('replica fetch of a partition delayed', {
      topic: f.partition.topic, partition: f.partition.index, leader: this.sourceId, reason: why, retryInMs: ms,
      ...(err ? { error: (err as Error).message } : {}),
    });
  }

  private current(f: Followed): boolean {
    return !this.stopped && this.followed.get(f.key) === f;
  }

  // ---- truncation by leader epoch ----------------------------------------------------------------

  private async truncate(conn: Connection, list: Followed[]): Promise<void> {
    const ask: Followed[] = [];
    await this.exclusive(async () => {
      for (const f of list) {
        if (!this.current(f)) continue;
        const log = f.partition.log;
        if (log.logEndOffset === log.logStartOffset) { f.state = 'fetching'; continue; }
        if (log.latestEpoch < 0) {
          // Data without leader epochs: nothing to compare, keep only what was known committed.
          await this.guard(f, () => f.partition.truncateTo(Math.max(f.partition.highWatermark, log.logStartOffset)));
          if (this.current(f)) f.state = 'fetching';
          continue;
        }
        ask.push(f);
      }
    });
    if (ask.length === 0) return;
    const req: OffsetForLeaderEpochRequest = { replicaId: this.opts.localId, topics: [] };
    for (const f of ask) {
      let t = req.topics.find((x) => x.topic === f.partition.topic);
      if (!t) { t = { topic: f.partition.topic, partitions: [] }; req.topics.push(t); }
      t.partitions.push({ partition: f.partition.index, currentLeaderEpoch: f.leaderEpoch, leaderEpoch: f.partition.log.latestEpoch });
    }
    const res = await conn.request<OffsetForLeaderEpochResponse>(ApiKey.OffsetForLeaderEpoch, OFFSET_FOR_LEADER_EPOCH_VERSION, req);
    await this.exclusive(async () => {
      for (const f of ask) {
        if (!this.current(f)) continue;
        const r = res.topics.find((t) => t.topic === f.partition.topic)?.partitions.find((p) => p.partition === f.partition.index);
        if (!r) { this.delay(f, 'no OffsetForLeaderEpoch answer'); continue; }
        if (r.errorCode !== 0) { this.delay(f, errorInfo(r.errorCode).name); continue; }
        const log = f.partition.log;
        const ok = await this.guard(f, async () => {
          const own = r.leaderEpoch < 0 ? { endOffset: -1 } : log.endOffsetForEpoch(r.leaderEpoch);
          if (r.leaderEpoch < 0 || own.endOffset < 0) {
            // Nothing in common by epoch: everything this replica has is unknown to the leader.
            await f.partition.truncateFullyAndStartAt(log.logStartOffset);
          } else {
            await f.partition.truncateTo(Math.min(Number(r.endOffset), own.endOffset));
          }
        });
        if (!ok || !this.current(f)) continue;
        f.state = 'fetching';
        f.failures = 0;
        this.opts.logger.info('follower truncated by leader epoch', {
          topic: f.partition.topic, partition: f.partition.index, leader: this.sourceId, leaderEpoch: f.leaderEpoch, logEndOffset: log.logEndOffset,
        });
      }
    });
  }

  /** Runs a log operation of `f`; a failure delays the partition (and is logged) instead of throwing. */
  private async guard(f: Followed, op: () => Promise<void>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (err) {
      this.opts.logger.warn('follower log operation failed', { topic: f.partition.topic, partition: f.partition.index, error: (err as Error).message });
      this.delay(f, 'log operation failed', err);
      return false;
    }
  }

  // ---- fetching ----------------------------------------------------------------------------------

  private async fetch(conn: Connection, ready: Followed[]): Promise<void> {
    const sent = new Map<string, { f: Followed; fetchOffset: number }>();
    const req: FetchRequest = {
      replicaId: this.opts.localId, maxWaitMs: this.opts.replicaFetchWaitMaxMs, minBytes: 1, maxBytes: RESPONSE_MAX_BYTES,
      isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [], forgottenTopicsData: [], rackId: '',
    };
    const throttle = this.opts.throttle;
    // Nothing to look up (and nothing allocated per fetch) while no reassignment is in progress.
    const throttled = throttle?.anyReassignment() ? throttle.throttled(ready.map((f) => f.key)) : NOT_THROTTLED;
    let list = ready;
    let grant = 0;
    if (throttle && throttled.size > 0) {
      grant = throttle.grant(throttled.size);
      if (grant === 0) {
        list = ready.filter((f) => !throttled.has(f.key));
        // At most a second: a throttle changed or removed meanwhile applies on the next round.
        const waitMs = Math.min(THROTTLE_RECHECK_MS, Math.max(1, throttle.waitMs(throttled.size)));
        if (list.length === 0) { await this.pause(waitMs); return; }
        req.maxWaitMs = Math.min(req.maxWaitMs, waitMs);
      }
    }
    for (const f of list) {
      const log = f.partition.log;
      let t = req.topics.find((x) => x.topic === f.partition.topic);
      if (!t) { t = { topic: f.partition.topic, partitions: [] }; req.topics.push(t); }
      t.partitions.push({
        partition: f.partition.index, currentLeaderEpoch: f.leaderEpoch, fetchOffset: BigInt(log.logEndOffset),
        logStartOffset: BigInt(log.logStartOffset),
        partitionMaxBytes: throttled.has(f.key) ? Math.min(grant, this.opts.replicaFetchMaxBytes) : this.opts.replicaFetchMaxBytes,
      });
      sent.set(f.key, { f, fetchOffset: log.logEndOffset });
    }
    const res = await conn.request<FetchResponse>(ApiKey.Fetch, FETCH_VERSION, req);
    await this.exclusive(async () => {
      for (const t of res.responses) {
        for (const p of t.partitions) {
          const s = sent.get(`${t.topic}/${p.partitionIndex}`);
          if (s && throttled.has(s.f.key)) this.opts.throttle?.received((p.records as Buffer | null)?.length ?? 0);
          if (!s || !this.current(s.f) || s.f.partition.log.logEndOffset !== s.fetchOffset) continue;
          await this.applyPartition(s.f, s.fetchOffset, p);
        }
      }
    });
  }

  private async applyPartition(f: Followed, fetchOffset: number, p: FetchResponse['responses'][number]['partitions'][number]): Promise<void> {
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const leaderStart = Number(p.logStartOffset);
      if (leaderStart >= 0 && fetchOffset < leaderStart) {
        await this.guard(f, () => f.partition.truncateFullyAndStartAt(leaderStart));
      } else {
        f.state = 'truncating';
        this.delay(f, 'fetch offset beyond the leader\'s log end');
      }
      return;
    }
    if (p.errorCode !== 0) { this.delay(f, errorInfo(p.errorCode).name); return; }
    const records = p.records as Buffer;
    const batches: Buffer[] = [];
    let expected = fetchOffset;
    let at = 0;
    while (at + LOG_OVERHEAD <= records.length) {
      const size = batchSizeAt(records, at);
      if (size < BATCH_HEADER_BYTES || at + size > records.length) break;
      const problem = validateBatch(records, at, size);
      if (problem) {
        this.opts.logger.warn('corrupt batch from the leader; fetching again', { topic: f.partition.topic, partition: f.partition.index, leader: this.sourceId, error: problem.message });
        this.delay(f, 'corrupt batch');
        break;
      }
      const base = baseOffsetAt(records, at);
      const last = base + lastOffsetDeltaAt(records, at);
      if (last >= expected) {
        if (base !== expected) {
          // A batch straddling our start (the leader's log start fell inside it): only an empty log can take it.
          const log = f.partition.log;
          if (base > expected || log.logEndOffset !== log.logStartOffset || batches.length > 0) {
            f.state = 'truncating';
            this.delay(f, `batch at ${base} does not continue the log at ${expected}`);
            return;
          }
          const ok = await this.guard(f, () => f.partition.truncateFullyAndStartAt(base));
          if (!ok) break;
        }
        batches.push(records.subarray(at, at + size));
        expected = last + 1;
      }
      at += size;
    }
    const ok = await this.guard(f, () => f.partition.appendFromLeader(batches));
    if (!ok) { f.state = 'truncating'; return; }
    f.partition.setFollowerHighWatermark(Number(p.highWatermark));
    // The leader's log start moved (DeleteRecords, retention): follow it as far as this replica's log goes.
    const log = f.partition.log;
    const leaderStart = Math.min(Number(p.logStartOffset), log.writtenEndOffset);
    if (leaderStart > log.logStartOffset) {
      if (!await this.guard(f, async () => { await log.deleteRecordsBefore(leaderStart); })) return;
    }
    if (this.opts.metrics) for (const b of batches) this.opts.metrics.replicaFetchBytesIn += b.length;
    f.failures = 0;
  }
}
