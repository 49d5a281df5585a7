// Fetch: stored batches straight from the log files (never decoded). Consumers (ReplicaId -1) read up
// to the high watermark, from leaders only, and a request with fewer than MinBytes available is parked
// until the high watermark of one of its partitions advances or MaxWaitMs passes (long poll). Followers
// (ReplicaId = their broker id) must be registered replicas of the partition; their fetch offset is
// their log end offset, recorded in the leader's state (it moves the high watermark and the ISR); they
// read up to the log end and are parked until the next append.
// IsolationLevel 1 (read_committed, both clients' default) reads up to the last stable offset instead of
// the high watermark and gets the aborted transactions that overlap what it read (the client drops their
// records); with no transactions the two are the same.
import { batchSizeAt, lastOffsetDeltaAt } from '../../protocol/batch-header.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.js';
import { errorCodeFor } from '../error-code-of.js';
import { checkLeaderEpoch } from '../check-leader-epoch.js';
import type { Partition } from '../../replication/partition.js';
import type { BrokerState, Handler } from '../request-context.js';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];

const READ_COMMITTED = 1;

interface Wanted { topic: string; index: number; fetchOffset: number; maxBytes: number; partition?: Partition; errorCode: number }

export const handleFetch: Handler<FetchRequest, FetchResponse> = async (req, ctx) => {
  const b = ctx.broker;
  const replicaId = req.replicaId;
  const follower = replicaId >= 0;
  const wanted: Wanted[] = [];
  const nowMs = Date.now();
  // A partition named twice is answered once, as Kafka does (its fetch data is a map): repeats would
  // otherwise each carry the same records, a 2 GiB answer to an 86 KB request.
  const seen = new Set<string>();
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const key = `${p.partition}:${t.topic}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const fetchOffset = Number(p.fetchOffset);
      let found: Partition | number = follower
        ? b.authority.followerPartition(t.topic, p.partition, replicaId, ctx.peer)
        : b.authority.leaderPartition(t.topic, p.partition);
      if (typeof found !== 'number' && found.replicated) {
        found = checkLeaderEpoch(found, p.currentLeaderEpoch);
        if (follower && typeof found !== 'number' && fetchOffset >= found.logStartOffset && fetchOffset <= found.logEndOffset) {
          found.recordFollowerFetch(replicaId, fetchOffset, nowMs);
        }
      }
      wanted.push({
        topic: t.topic, index: p.partition, fetchOffset,
        maxBytes: p.partitionMaxBytes, partition: typeof found === 'number' ? undefined : found, errorCode: typeof found === 'number' ? found : 0,
      });
    }
  }
  const deadline = nowMs + Math.max(0, req.maxWaitMs);
  for (;;) {
    // Subscribe before reading, so an append that lands during the read still wakes us.
    const wait = new AppendWait(wanted, follower, b.shutdown);
    const result = await readAll(b, wanted, responseMaxBytes(b, req.maxBytes, follower), follower, !follower && req.isolationLevel === READ_COMMITTED);
    const remainingMs = deadline - Date.now();
    if (result.bytes >= req.minBytes || result.errors > 0 || remainingMs <= 0 || b.shutdown.aborted || wanted.length === 0) {
      wait.cancel();
      if (b.metrics) {
        if (follower) b.metrics.replicaFetchBytesOut += result.bytes;
        else for (const [topic, pd] of result.data) b.metrics.recordFetch(topic, pd.partitionIndex, pd.records as Buffer[]);
      }
      return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: group(result.data) };
    }
    if (b.metrics) b.metrics.fetchPurgatory++;
    try {
      await wait.until(remainingMs);
    } finally {
      if (b.metrics) b.metrics.fetchPurgatory--;
    }
  }
};

/**
 * The request's MaxBytes capped by the broker's fetch.max.bytes (replica.fetch.response.max.bytes for a
 * follower), as Kafka caps fetch.max.bytes: a client cannot ask for an answer the broker will not build.
 */
function responseMaxBytes(b: BrokerState, asked: number, follower: boolean): number {
  const cap = follower ? b.config.replicaFetchResponseMaxBytes : b.config.fetchMaxBytes;
  return Math.max(0, Math.min(asked, cap));
}

/**
 * Resolves on the first append (followers) or high watermark advance (consumers) of any of the
 * partitions, a timeout, or shutdown; leaves no listener behind.
 */
class AppendWait {
  private fired = false;
  private wake: () => void = () => { this.fired = true; };
  private readonly cancels: (() => void)[];

  constructor(wanted: Wanted[], follower: boolean, private readonly shutdown: AbortSignal) {
    const wake = (): void => this.wake();
    this.cancels = wanted.flatMap((w) => (!w.partition ? []
      : [follower ? w.partition.onNextAppend(wake) : w.partition.onHighWatermarkAdvance(wake)]));
  }

  async until(ms: number): Promise<void> {
    if (!this.fired) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        this.shutdown.addEventListener('abort', done, { once: true });
        this.wake = done;
        const shutdown = this.shutdown;
        function done(): void {
          clearTimeout(timer);
          shutdown.removeEventListener('abort', done);
          resolve();
        }
      });
    }
    this.cancel();
  }

  cancel(): void {
    for (const c of this.cancels) c();
  }
}

async function readAll(
  b: BrokerState, wanted: Wanted[], responseMaxBytes: number, follower: boolean, readCommitted: boolean,
): Promise<{ data: [string, PartitionData][]; bytes: number; errors: number }> {
  const data: [string, PartitionData][] = [];
  let bytes = 0;
  let errors = 0;
  for (const w of wanted) {
    const base = { partitionIndex: w.index, abortedTransactions: null, preferredReadReplica: -1 };
    // Leadership may have moved while the request was parked.
    if (w.partition && !w.partition.isLeader) { w.partition = undefined; w.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER; }
    const p = w.partition;
    if (!p) {
      errors++;
      data.push([w.topic, { ...base, errorCode: w.errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: [] }]);
      continue;
    }
    const offsets = { highWatermark: BigInt(p.highWatermark), lastStableOffset: BigInt(p.lastStableOffset), logStartOffset: BigInt(p.logStartOffset) };
    if (w.fetchOffset < p.logStartOffset || w.fetchOffset > p.logEndOffset) {
      errors++;
      data.push([w.topic, { ...base, ...offsets, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: [] }]);
      continue;
    }
    // KIP-74: the response limit holds over all partitions, except that the first batch of the first
    // non-empty partition is sent whole even past the limits (so a consumer always makes progress).
    const budget = Math.min(w.maxBytes, responseMaxBytes - bytes);
    let records: Buffer[] = [];
    if (budget > 0 || bytes === 0) {
      try {
        records = await (follower ? p.readForFollower(w.fetchOffset, Math.max(budget, 0)) : p.read(w.fetchOffset, Math.max(budget, 0), readCommitted));
      } catch (err) {
        errors++;
        data.push([w.topic, { ...base, ...offsets, errorCode: errorCodeFor(err, b.logger, { op: 'read', topic: w.topic, partition: w.index }), records: [] }]);
        continue;
      }
    }
    let got = 0;
    for (const r of records) got += r.length;
    // The log sends a partition's first batch whole even past maxBytes; past the response's limit only
    // the response's first batch may go (the partition's own limit keeps the log's rule, so a follower
    // still gets a batch of max.message.bytes, a little over replica.fetch.max.bytes).
    if (bytes > 0 && bytes + got > responseMaxBytes) { records = []; got = 0; }
    bytes += got;
    const abortedTransactions = readCommitted ? abortedIn(p, w.fetchOffset, records) : null;
    data.push([w.topic, { ...base, ...offsets, abortedTransactions, errorCode: 0, records }]);
  }
  return { data, bytes, errors };
}

/** The aborted transactions overlapping the batches read from `fetchOffset` (read_committed). */
function abortedIn(p: Partition, fetchOffset: number, records: Buffer[]): { producerId: bigint; firstOffset: bigint }[] {
  if (records.length === 0 || p.log.producers.abortedList().length === 0) return [];
  const last = records[records.length - 1];
  let at = 0;
  while (at + batchSizeAt(last, at) < last.length) at += batchSizeAt(last, at);
  const end = Number(last.readBigInt64BE(at)) + lastOffsetDeltaAt(last, at) + 1;
  return p.log.producers.abortedBetween(fetchOffset, end).map((a) => ({ producerId: a.producerId, firstOffset: BigInt(a.firstOffset) }));
}

function group(data: [string, PartitionData][]): FetchResponse['responses'] {
  const out: FetchResponse['responses'] = [];
  for (const [topic, pd] of data) {
    const last = out[out.length - 1];
    if (last && last.topic === topic) last.partitions.push(pd);
    else out.push({ topic, partitions: [pd] });
  }
  return out;
}

