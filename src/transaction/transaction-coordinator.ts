// The transaction coordinator: Kafka's state machine of a transactional id (KIP-98), its persistence, its
// timeouts and its failover. What the partitions do with markers is the MarkerWriter's business; what the
// groups do with transactional offsets is the OffsetCommitter's.
//
// States (Kafka's names, as DescribeTransactions/ListTransactions show them) and their transitions:
//
//   from                   on                                        to
//   (none), Empty,         InitProducerId                            Empty at epoch + 1; a new producer id at epoch 0 for a
//     Complete*                                                      new id or an exhausted epoch (>= 32766)
//   Empty, Complete*       AddPartitionsToTxn / AddOffsetsToTxn      Ongoing (its timeout starts)
//   Ongoing                AddPartitionsToTxn / AddOffsetsToTxn      Ongoing
//   Ongoing                EndTxn commit / abort                     PrepareCommit / PrepareAbort
//   Ongoing                InitProducerId, or its timeout passing    PrepareAbort at epoch + 1 (the old producer is fenced)
//   PrepareCommit/Abort    markers written, offsets completed        CompleteCommit / CompleteAbort
//   Empty, Complete*       transactional.id.expiration.ms unused     deleted by the sweep (Kafka's Dead; a stored Dead
//                                                                    value reads as no record)
//
// What is stored: one JSON value per transactional id at `transactions/<id>` (transaction-record.ts), in
// the MetadataStore (etcd in cluster mode, LocalStore in embedded mode). Every change is a
// compare-and-swap on the version read, so two coordinators that both believe they own an id can never
// both win: the loser answers NOT_COORDINATOR and the client looks the coordinator up again. Within one
// coordinator, the changes of one id run one at a time.
//
// Why the metadata store and not an internal log (Kafka's __transaction_state): the state is small (one
// value per producer, changed a handful of times per transaction), it must survive the coordinator's
// broker, and the store already gives durability, a linearizable compare-and-swap and a range read to
// resume from, in both modes. A log would need its own leader election, replication and compaction for
// the same guarantees. The log stays the truth for the data: markers live in the partitions.
//
// A transaction ends in three durable steps: Prepare* stored (the decision), markers written to every
// partition (retried with backoff until each answers 0 or is gone) and the groups' offsets completed, then
// Complete* stored. EndTxn resolves once Complete* is stored.
//
// Failover: the coordinator of an id is the broker `owns` says (transaction-coordinator-choice.ts). When a
// broker dies its ids move to others; each new owner calls resume(), which finishes every Prepare* record
// it now owns. Markers are idempotent to re-send, so a transaction the old owner had half marked is simply
// marked again. An Ongoing transaction whose producer is gone is aborted by the new owner's timeout sweep.
import type { MetadataStore } from '../cluster/metadata-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { backoffMs, type BackoffOptions } from '../util/backoff.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { sleep } from '../util/promise.js';
import type { MarkerWriter } from './marker-writer.js';
import { writeMarkersUntilDone } from './marker-retry.js';
import type { OffsetCommitter } from './offset-committer.js';
import {
  TRANSACTION_KEY_PREFIX, TRANSACTION_STATES, decodeTransactionRecord, encodeTransactionRecord, transactionKey, transactionalIdOf,
  type TransactionRecord, type TransactionState, type TxnTopicPartition,
} from './transaction-record.js';

/** The highest INT16 epoch. An epoch at MAX_EPOCH - 1 or above is exhausted: the next InitProducerId gets a new producer id (one bump stays free for fencing). */
export const MAX_EPOCH = 32767;

export interface TransactionCoordinatorOptions {
  store: MetadataStore;
  /** A fresh producer id (from the blocks allocated through the metadata store). */
  allocateProducerId(): Promise<bigint>;
  markerWriter: MarkerWriter;
  offsetCommitter: OffsetCommitter;
  /** Whether this coordinator is responsible for the id now (transactionCoordinatorFor(id, live) === this broker). */
  owns(transactionalId: string): boolean;
  clock?: Clock;
  logger?: Logger;
  /** transaction.max.timeout.ms: the largest TransactionTimeoutMs InitProducerId accepts (Kafka: 900000). */
  maxTimeoutMs?: number;
  /** How often the sweep runs (Kafka: 10000); 0 = never on its own (tests call sweep()). */
  sweepIntervalMs?: number;
  /** transactional.id.expiration.ms: an Empty/Complete* id unused this long is deleted (Kafka: 7 days). */
  transactionalIdExpirationMs?: number;
  /** Written into markers; the broker passes what the partitions fence stale coordinators on. */
  coordinatorEpoch?: number;
  /** Backoff between marker / offset-completion attempts. */
  retryBackoff?: BackoffOptions;
}

export interface ProducerIdAndEpoch { errorCode: number; producerId: bigint; producerEpoch: number }

/** The producer's view of its transaction, as AddPartitionsToTxn, AddOffsetsToTxn and EndTxn send it. */
export interface TxnCall {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  /** The request's version: a stale epoch is PRODUCER_FENCED from v2 on, INVALID_PRODUCER_EPOCH before (default 0). */
  apiVersion?: number;
}

export interface ListedTransaction { transactionalId: string; producerId: bigint; transactionState: TransactionState }

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topicPartitions: { name: string; partitionIndexes: number[] }[];
}

interface Stored { record: TransactionRecord; version: number }

const isPrepare = (s: TransactionState): boolean => s === 'PrepareCommit' || s === 'PrepareAbort';
const isSettled = (s: TransactionState): boolean => s === 'Empty' || s === 'CompleteCommit' || s === 'CompleteAbort';
const samePartition = (a: TxnTopicPartition, b: TxnTopicPartition): boolean => a.topic === b.topic && a.partition === b.partition;

export class TransactionCoordinator {
  private readonly store: MetadataStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxTimeoutMs: number;
  private readonly expirationMs: number;
  private readonly coordinatorEpoch: number;
  private readonly closing = new AbortController();
  /** Per transactional id, the tail of its queue of read-modify-write steps. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Per transactional id, the completion (markers, offsets, Complete*) under way; resolves to EndTxn's code. */
  private readonly completions = new Map<string, { prepared: TransactionRecord; run: Promise<number> }>();
  private readonly sweepTimer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(private readonly opts: TransactionCoordinatorOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.maxTimeoutMs = opts.maxTimeoutMs ?? 900_000;
    this.expirationMs = opts.transactionalIdExpirationMs ?? 7 * 24 * 3600_000;
    this.coordinatorEpoch = opts.coordinatorEpoch ?? 0;
    const every = opts.sweepIntervalMs ?? 10_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        this.sweep().catch((err: unknown) => this.logger.error('transaction timeout sweep failed', { error: (err as Error).message }));
      }, every);
      this.sweepTimer.unref();
    }
  }

  /**
   * InitProducerId with a TransactionalId: a new id gets a fresh producer id at epoch 0; a known one the
   * next epoch (fencing the previous producer), or a new producer id once the epoch is exhausted. An
   * Ongoing transaction is aborted first (with a bumped epoch) and a Prepare* one finished first; both
   * answer CONCURRENT_TRANSACTIONS meanwhile, which clients retry. NOT_COORDINATOR when another
   * coordinator owns the id (or changed it first). Like every call here, rejects when the store fails or
   * holds a malformed record (the error names the key); the handler maps that to an error code.
   */
  async initProducerId(transactionalId: string, timeoutMs: number): Promise<ProducerIdAndEpoch> {
    const fail = (errorCode: number): ProducerIdAndEpoch => ({ errorCode, producerId: -1n, producerEpoch: -1 });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > this.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    if (!this.mine(transactionalId)) return fail(ErrorCode.NOT_COORDINATOR);
    return this.serialized(transactionalId, async () => {
      const now = this.clock.now();
      const cur = await this.read(transactionalId);
      if (cur === null || cur.record.state === 'Dead') {
        const producerId = await this.opts.allocateProducerId();
        const fresh: TransactionRecord = { producerId, producerEpoch: 0, timeoutMs, state: 'Empty', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: now };
        if (!(await this.write(transactionalId, cur?.version ?? 0, fresh))) return fail(ErrorCode.NOT_COORDINATOR);
        return { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
      }
      const r = cur.record;
      if (isPrepare(r.state)) {
        void this.startCompletion(transactionalId, r);
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      if (r.state === 'Ongoing') {
        const fenced = await this.fenceAndAbort(transactionalId, cur, now);
        return fail(fenced ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.NOT_COORDINATOR);
      }
      const exhausted = r.producerEpoch >= MAX_EPOCH - 1;
      const producerId = exhausted ? await this.opts.allocateProducerId() : r.producerId;
      const producerEpoch = exhausted ? 0 : r.producerEpoch + 1;
      const next: TransactionRecord = { ...r, producerId, producerEpoch, timeoutMs, state: 'Empty', partitions: [], groups: [], startedAtMs: -1, updatedAtMs: now };
      if (!(await this.write(transactionalId, cur.version, next))) return fail(ErrorCode.NOT_COORDINATOR);
      if (exhausted) this.logger.info('transactional id got a new producer id: its epoch was exhausted', { transactionalId, oldProducerId: r.producerId, producerId });
      return { errorCode: ErrorCode.NONE, producerId, producerEpoch };
    });
  }

  /** AddPartitionsToTxn: the partitions join the transaction (starting one from Empty/Complete*). One code for every partition. */
  async addPartitions(call: TxnCall & { partitions: readonly TxnTopicPartition[] }): Promise<number> {
    return this.addToTransaction(call, (r) => {
      const added = call.partitions.filter((p, i) => !r.partitions.some((q) => samePartition(p, q)) && call.partitions.findIndex((q) => samePartition(p, q)) === i);
      return added.length === 0 ? null : { ...r, partitions: [...r.partitions, ...added] };
    });
  }

  /** AddOffsetsToTxn: the group's transactional offsets are committed or dropped with the transaction. */
  async addOffsets(call: TxnCall & { groupId: string }): Promise<number> {
    return this.addToTransaction(call, (r) => (r.groups.includes(call.groupId) ? null : { ...r, groups: [...r.groups, call.groupId] }));
  }

  /**
   * EndTxn: Ongoing -> Prepare* stored, markers written, offsets completed, Complete* stored; resolves when
   * Complete* is stored (NOT_COORDINATOR if this coordinator closes or loses the id first: the next owner
   * finishes it). A retry of a finished EndTxn with the same outcome answers 0, as Kafka does.
   */
  async endTxn(call: TxnCall & { commit: boolean }): Promise<number> {
    const { transactionalId, commit } = call;
    if (!this.mine(transactionalId)) return ErrorCode.NOT_COORDINATOR;
    const decided = await this.serialized(transactionalId, async (): Promise<number | TransactionRecord> => {
      const cur = await this.read(transactionalId);
      const refused = this.checkProducer(cur, call);
      if (refused !== null) return refused;
      const r = cur!.record;
      switch (r.state) {
        case 'Ongoing': {
          const prepared: TransactionRecord = { ...r, state: commit ? 'PrepareCommit' : 'PrepareAbort', updatedAtMs: this.clock.now() };
          return (await this.write(transactionalId, cur!.version, prepared)) ? prepared : ErrorCode.NOT_COORDINATOR;
        }
        case 'PrepareCommit': return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
        case 'PrepareAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
        case 'CompleteCommit': return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
        case 'CompleteAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
        default: return ErrorCode.INVALID_TXN_STATE;
      }
    });
    if (typeof decided === 'number') return decided;
    return this.startCompletion(transactionalId, decided);
  }

  /**
   * TxnOffsetCommit's check, made by the group's coordinator (any broker: it reads the stored record): the
   * producer's transaction is Ongoing and AddOffsetsToTxn added the group. INVALID_TXN_STATE otherwise.
   */
  async checkOffsetCommit(call: TxnCall & { groupId: string }): Promise<number> {
    const cur = await this.read(call.transactionalId);
    const refused = this.checkProducer(cur, call);
    if (refused !== null) return refused;
    const r = cur!.record;
    return r.state === 'Ongoing' && r.groups.includes(call.groupId) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
  }

  /**
   * One pass of the timeout sweep (also run every sweepIntervalMs): aborts each owned Ongoing transaction
   * older than its timeout, bumping the epoch so the abandoned producer is fenced; deletes owned
   * Empty/Complete* ids unused for transactional.id.expiration.ms; restarts any owned Prepare* completion
   * not under way. Returns the ids it aborted. Completions run on; settled() waits for them.
   */
  async sweep(): Promise<string[]> {
    if (this.sweeping || this.closing.signal.aborted) return [];
    this.sweeping = true;
    try {
      const aborted: string[] = [];
      for (const { transactionalId, record } of await this.ownedRecords()) {
        const now = this.clock.now();
        if (record.state === 'Ongoing' && now - record.startedAtMs > record.timeoutMs) {
          if (await this.abortTimedOut(transactionalId)) aborted.push(transactionalId);
        } else if (isSettled(record.state) && now - record.updatedAtMs > this.expirationMs) {
          await this.expire(transactionalId);
        } else if (isPrepare(record.state)) {
          void this.startCompletion(transactionalId, record);
        }
      }
      return aborted;
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Finishes every Prepare* record this coordinator owns (a previous owner decided but did not finish),
   * resolving when they are all Complete* (or this coordinator closed); returns their ids. The broker
   * calls it when it starts and whenever it gains ids, without waiting on it.
   */
  async resume(): Promise<string[]> {
    const resumed: string[] = [];
    const runs: Promise<number>[] = [];
    for (const { transactionalId, record } of await this.ownedRecords()) {
      if (!isPrepare(record.state)) continue;
      this.logger.info('resuming a transaction its previous coordinator did not finish', { transactionalId, state: record.state, producerId: record.producerId });
      resumed.push(transactionalId);
      runs.push(this.startCompletion(transactionalId, record));
    }
    await Promise.all(runs);
    return resumed;
  }

  /** ListTransactions: the owned ids, filtered by state (unknown state names reported back) and producer id. */
  async list(filter: { states?: readonly string[]; producerIds?: readonly bigint[] } = {}): Promise<{ unknownStateFilters: string[]; transactionStates: ListedTransaction[] }> {
    const states = filter.states ?? [];
    const unknownStateFilters = states.filter((s) => !(TRANSACTION_STATES as readonly string[]).includes(s));
    const producerIds = filter.producerIds ?? [];
    const transactionStates: ListedTransaction[] = [];
    for (const { transactionalId, record: r } of await this.ownedRecords()) {
      if (states.length > 0 && !states.includes(r.state)) continue;
      if (producerIds.length > 0 && !producerIds.includes(r.producerId)) continue;
      transactionStates.push({ transactionalId, producerId: r.producerId, transactionState: r.state });
    }
    return { unknownStateFilters, transactionStates };
  }

  /**
   * DescribeTransactions: each id's state; NOT_COORDINATOR for ids owned elsewhere, TRANSACTIONAL_ID_NOT_FOUND
   * for unknown ones. While Prepare*, TopicPartitions lists all the transaction's partitions (Kafka lists
   * only those still without a marker: mq does not store marker progress).
   */
  async describe(transactionalIds: readonly string[]): Promise<DescribedTransaction[]> {
    const out: DescribedTransaction[] = [];
    for (const transactionalId of transactionalIds) {
      const empty: DescribedTransaction = {
        errorCode: 0, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n,
        producerId: -1n, producerEpoch: -1, topicPartitions: [],
      };
      if (!this.mine(transactionalId)) { out.push({ ...empty, errorCode: ErrorCode.NOT_COORDINATOR }); continue; }
      let cur: Stored | null;
      try { cur = await this.read(transactionalId); } catch (err) {
        this.logger.error((err as Error).message, { transactionalId });
        out.push({ ...empty, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
        continue;
      }
      if (cur === null || cur.record.state === 'Dead') { out.push({ ...empty, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND }); continue; }
      const r = cur.record;
      const byTopic = new Map<string, number[]>();
      for (const p of r.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      out.push({
        errorCode: ErrorCode.NONE, transactionalId, transactionState: r.state, transactionTimeoutMs: r.timeoutMs,
        transactionStartTimeMs: BigInt(r.startedAtMs), producerId: r.producerId, producerEpoch: r.producerEpoch,
        topicPartitions: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
    }
    return out;
  }

  /** Resolves when no completion is under way (tests; close). */
  async settled(): Promise<void> {
    while (this.completions.size > 0) await Promise.allSettled([...this.completions.values()].map((c) => c.run));
  }

  /** Stops the sweep and every completion's retries (their EndTxn calls answer NOT_COORDINATOR); stored state stays for the next owner. */
  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.closing.abort(new Error('the transaction coordinator is closing'));
    await this.settled();
  }

  // ---- the state machine's shared steps ----

  /** Whether this coordinator answers for the id: it owns it and is not closing. */
  private mine(transactionalId: string): boolean {
    return !this.closing.signal.aborted && this.opts.owns(transactionalId);
  }

  /** INVALID_PRODUCER_ID_MAPPING / fenced / null (the call is the record's current producer). */
  private checkProducer(cur: Stored | null, call: TxnCall): number | null {
    if (cur === null || cur.record.state === 'Dead' || cur.record.producerId !== call.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (cur.record.producerEpoch !== call.producerEpoch) return (call.apiVersion ?? 0) >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
    return null;
  }

  /** AddPartitions/AddOffsets: Kafka's checks, then `grow` (null: already in, nothing to store) into Ongoing. */
  private async addToTransaction(call: TxnCall, grow: (r: TransactionRecord) => TransactionRecord | null): Promise<number> {
    const { transactionalId } = call;
    if (!this.mine(transactionalId)) return ErrorCode.NOT_COORDINATOR;
    return this.serialized(transactionalId, async () => {
      const cur = await this.read(transactionalId);
      const refused = this.checkProducer(cur, call);
      if (refused !== null) return refused;
      const r = cur!.record;
      if (isPrepare(r.state)) return ErrorCode.CONCURRENT_TRANSACTIONS;
      const now = this.clock.now();
      const base: TransactionRecord = r.state === 'Ongoing' ? r : { ...r, partitions: [], groups: [], startedAtMs: now };
      const grown = grow(base);
      if (grown === null && r.state === 'Ongoing') return ErrorCode.NONE;
      const next: TransactionRecord = { ...(grown ?? base), state: 'Ongoing', updatedAtMs: now };
      return (await this.write(transactionalId, cur!.version, next)) ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
    });
  }

  /** Ongoing -> PrepareAbort with the epoch bumped (the producer is fenced), then the abort runs on. False if the store write lost. */
  private async fenceAndAbort(transactionalId: string, cur: Stored, now: number): Promise<boolean> {
    const r = cur.record;
    const fenced: TransactionRecord = { ...r, producerEpoch: Math.min(r.producerEpoch + 1, MAX_EPOCH), state: 'PrepareAbort', updatedAtMs: now };
    if (!(await this.write(transactionalId, cur.version, fenced))) return false;
    void this.startCompletion(transactionalId, fenced);
    return true;
  }

  private async abortTimedOut(transactionalId: string): Promise<boolean> {
    return this.serialized(transactionalId, async () => {
      const now = this.clock.now();
      const cur = await this.read(transactionalId);
      if (cur === null || cur.record.state !== 'Ongoing' || now - cur.record.startedAtMs <= cur.record.timeoutMs) return false;
      this.logger.warn('aborting a transaction that outlived its timeout', { transactionalId, producerId: cur.record.producerId, timeoutMs: cur.record.timeoutMs });
      return this.fenceAndAbort(transactionalId, cur, now);
    });
  }

  private async expire(transactionalId: string): Promise<void> {
    await this.serialized(transactionalId, async () => {
      const cur = await this.read(transactionalId);
      if (cur === null || !isSettled(cur.record.state) || this.clock.now() - cur.record.updatedAtMs <= this.expirationMs) return;
      if (await this.store.txn([{ key: transactionKey(transactionalId), version: cur.version }], [{ delete: transactionKey(transactionalId) }])) {
        this.logger.info('transactional id expired', { transactionalId, producerId: cur.record.producerId });
      }
    });
  }

  /**
   * Starts the completion of the Prepare* record `prepared`, or joins the one under way for it (one that is
   * still finishing an earlier transaction of the id is waited for first); never rejects.
   */
  private startCompletion(transactionalId: string, prepared: TransactionRecord): Promise<number> {
    const running = this.completions.get(transactionalId);
    if (running && running.prepared.producerId === prepared.producerId && running.prepared.producerEpoch === prepared.producerEpoch && running.prepared.state === prepared.state) return running.run;
    const after = running ? running.run.then(() => undefined) : Promise.resolve();
    const run: Promise<number> = after.then(() => this.complete(transactionalId, prepared)).catch((err: unknown) => {
      this.logger.error('could not finish a transaction; the sweep or the next owner retries', { transactionalId, error: (err as Error).message });
      return ErrorCode.NOT_COORDINATOR;
    }).finally(() => { if (this.completions.get(transactionalId)?.run === run) this.completions.delete(transactionalId); });
    this.completions.set(transactionalId, { prepared, run });
    return run;
  }

  /** Markers to every partition, the groups' offsets, then Complete* (if the record is still the one prepared). */
  private async complete(transactionalId: string, prepared: TransactionRecord): Promise<number> {
    const commit = prepared.state === 'PrepareCommit';
    const signal = this.closing.signal;
    const outcome = await writeMarkersUntilDone(this.opts.markerWriter, {
      producerId: prepared.producerId, producerEpoch: prepared.producerEpoch, commit, coordinatorEpoch: this.coordinatorEpoch, partitions: prepared.partitions,
    }, { signal, logger: this.logger, backoff: this.opts.retryBackoff, transactionalId });
    if (outcome === 'closed') return ErrorCode.NOT_COORDINATOR;
    if (outcome === 'fenced') {
      this.logger.warn('a newer transaction coordinator fenced this one; leaving the transaction to it', { transactionalId });
      return ErrorCode.NOT_COORDINATOR;
    }
    if (prepared.groups.length > 0 && !(await this.completeOffsets(transactionalId, prepared, commit, signal))) return ErrorCode.NOT_COORDINATOR;
    return this.serialized(transactionalId, async () => {
      const cur = await this.read(transactionalId);
      const r = cur?.record;
      const same = r !== undefined && r.producerId === prepared.producerId && r.producerEpoch === prepared.producerEpoch;
      const doneState: TransactionState = commit ? 'CompleteCommit' : 'CompleteAbort';
      if (same && r.state === doneState) return ErrorCode.NONE;
      if (!same || r.state !== prepared.state) return ErrorCode.NOT_COORDINATOR;
      const done: TransactionRecord = { ...r, state: doneState, partitions: [], groups: [], updatedAtMs: this.clock.now() };
      return (await this.write(transactionalId, cur!.version, done)) ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
    });
  }

  /** OffsetCommitter.complete, retried with backoff until it succeeds; false if this coordinator closed first. */
  private async completeOffsets(transactionalId: string, r: TransactionRecord, commit: boolean, signal: AbortSignal): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) return false;
      try {
        await this.opts.offsetCommitter.complete(transactionalId, r.producerId, r.groups, commit);
        return true;
      } catch (err) {
        this.logger.warn('completing the transaction\'s group offsets failed; retrying', { transactionalId, groups: r.groups.join(','), error: (err as Error).message });
      }
      try { await sleep(backoffMs(attempt, this.opts.retryBackoff), signal); } catch { return false; }
    }
  }

  // ---- storage ----

  /** The stored records of the ids this coordinator owns (a malformed one is logged and left out). */
  private async ownedRecords(): Promise<{ transactionalId: string; record: TransactionRecord }[]> {
    const out: { transactionalId: string; record: TransactionRecord }[] = [];
    for (const kv of await this.store.range(TRANSACTION_KEY_PREFIX)) {
      const transactionalId = transactionalIdOf(kv.key);
      if (!this.mine(transactionalId)) continue;
      try {
        out.push({ transactionalId, record: decodeTransactionRecord(kv.key, kv.value) });
      } catch (err) {
        this.logger.error((err as Error).message, { transactionalId });
      }
    }
    return out;
  }

  private async read(transactionalId: string): Promise<Stored | null> {
    const kv = await this.store.get(transactionKey(transactionalId));
    return kv === null ? null : { record: decodeTransactionRecord(kv.key, kv.value), version: kv.version };
  }

  /** Compare-and-swap: stores `record` if the key is still at `version` (0 = absent); false when another writer got there first. */
  private async write(transactionalId: string, version: number, record: TransactionRecord): Promise<boolean> {
    const key = transactionKey(transactionalId);
    const won = await this.store.txn([{ key, version }], [{ put: { key, value: encodeTransactionRecord(record) } }]);
    if (!won) this.logger.warn('another transaction coordinator changed this transactional id first; answering NOT_COORDINATOR', { transactionalId, state: record.state });
    return won;
  }

  /** Runs `fn` after every earlier step queued for the same id (one read-modify-write at a time per id). */
  private serialized<T>(transactionalId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.queues.get(transactionalId) ?? Promise.resolve();
    const run = before.then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.queues.set(transactionalId, tail);
    void tail.then(() => { if (this.queues.get(transactionalId) === tail) this.queues.delete(transactionalId); });
    return run;
  }
}
