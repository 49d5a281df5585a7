// The transactional producer's state machine (Kafka's transactional.id): initTransactions(),
// beginTransaction(), sendOffsetsToTransaction(), commitTransaction(), abortTransaction(), and the
// AddPartitionsToTxn that must succeed for a partition before the first batch of a transaction goes
// to it.
//
//   uninitialized --initTransactions--> ready --begin--> in-transaction --commit--> committing --> ready
//                                                                     \--abort--> aborting ----> ready
//   any --(PRODUCER_FENCED / INVALID_PRODUCER_EPOCH)--> fenced (every later call fails, naming the id)
//
// The transaction coordinator is found with FindCoordinator key type 1; InitProducerId, AddPartitionsToTxn,
// AddOffsetsToTxn and EndTxn go to it, retried with backoff (CONCURRENT_TRANSACTIONS and the other
// retriable answers) and a fresh lookup after NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE. The producer
// id and epoch InitProducerId returns are handed to producer-idempotence.ts (adopt()), which stamps them
// into batches as for any idempotent producer; the batches carry the transactional attribute (the
// accumulator asks the builder for it).
//
// The sender asks partitionReady() for the head batch of every partition: true once the partition was
// added to the open transaction; false while it waits (the partitions asked for together go in one
// AddPartitionsToTxn); an error when its batches must fail (the transaction is aborting, or the
// coordinator refused the partition). A record failing during a transaction makes commit refuse: the
// transaction can only be aborted.
import { ApiKey } from '../protocol/api.js';
import type { AddOffsetsToTxnResponse } from '../protocol/messages/add-offsets-to-txn.js';
import type { AddPartitionsToTxnResponse } from '../protocol/messages/add-partitions-to-txn.js';
import type { EndTxnResponse } from '../protocol/messages/end-txn.js';
import type { FindCoordinatorResponse } from '../protocol/messages/find-coordinator.js';
import type { InitProducerIdResponse } from '../protocol/messages/init-producer-id.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../protocol/messages/txn-offset-commit.js';
import { MqError } from '../util/mq-error.js';
import type { Cluster } from './cluster.js';
import type { PartitionQueue } from './producer-batch.js';
import type { ProducerIdempotence } from './producer-idempotence.js';
import type { TopicPartitionOffset } from './types.js';

type TxnState = 'uninitialized' | 'initializing' | 'ready' | 'in-transaction' | 'committing' | 'aborting' | 'fenced';

/** Coordinator answers that mean: look the coordinator up again. */
const MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);
/** How many times a coordinator request is retried (with backoff up to 1 s) before its error is thrown. */
const COORDINATOR_RETRIES = 60;

export class ProducerTransactions {
  private state: TxnState = 'uninitialized';
  private coordinator = -1;
  private producerId = -1n;
  private producerEpoch = -1;
  /** Partitions added to the open transaction, waiting to be, and being added. */
  private readonly added = new Set<PartitionQueue>();
  private readonly pending = new Set<PartitionQueue>();
  private readonly partitionErrors = new Map<PartitionQueue, MqError>();
  private adding: Promise<void> | null = null;
  private offsetsAdded = false;
  private fenced: MqError | null = null;
  /** The first record failure of the open transaction (commit refuses then). */
  private recordFailure: MqError | null = null;

  constructor(
    readonly transactionalId: string,
    private readonly timeoutMs: number,
    private readonly cluster: Cluster,
    private readonly idempotence: ProducerIdempotence,
    private readonly retryBackoffMs: number,
    /** Called when batches may be sent (a partition was added, or must fail). */
    private readonly onReady: () => void,
  ) {}

  /** Why a record cannot be sent now (no open transaction), or null. */
  refusal(): MqError | null {
    if (this.state === 'in-transaction') return null;
    return this.fencedError() ?? this.stateError('send records');
  }

  /** A record of the open transaction failed. */
  recordFailed(err: MqError): void {
    if (this.state === 'in-transaction' || this.state === 'committing') this.recordFailure ??= err;
  }

  /** For the sender: may the head batch of `q` go now (true), later (false), or must its batches fail (the error)? */
  partitionReady(q: PartitionQueue): boolean | MqError {
    if (this.state === 'in-transaction' || this.state === 'committing') {
      if (this.added.has(q)) return true;
      const refused = this.partitionErrors.get(q);
      if (refused) return refused;
      if (!this.pending.has(q)) {
        this.pending.add(q);
        if (this.adding === null) queueMicrotask(() => this.addPending());
      }
      return false;
    }
    return this.fencedError() ?? this.abortedError();
  }

  async initTransactions(): Promise<void> {
    this.throwIfFenced();
    if (this.state !== 'uninitialized') throw this.stateError('initialize transactions (initTransactions() is called once)');
    this.state = 'initializing';
    try {
      const res = await this.coordinatorRequest<InitProducerIdResponse>('initialize transactions (InitProducerId)', ApiKey.InitProducerId,
        { transactionalId: this.transactionalId, transactionTimeoutMs: this.timeoutMs }, (r) => r.errorCode);
      this.producerId = res.producerId;
      this.producerEpoch = res.producerEpoch;
    } catch (err) {
      if (this.state === 'initializing') this.state = 'uninitialized';
      throw err;
    }
    this.state = 'ready';
    this.idempotence.adopt(this.producerId, this.producerEpoch);
  }

  beginTransaction(): void {
    this.throwIfFenced();
    if (this.state !== 'ready') throw this.stateError('begin a transaction');
    this.state = 'in-transaction';
    this.recordFailure = null;
  }

  /** AddOffsetsToTxn at the transaction coordinator, then TxnOffsetCommit at the group's coordinator. */
  async sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupId: string): Promise<void> {
    this.throwIfFenced();
    if (this.state !== 'in-transaction') throw this.stateError('send offsets to the transaction');
    await this.coordinatorRequest<AddOffsetsToTxnResponse>(`add the offsets of group '${groupId}' to the transaction (AddOffsetsToTxn)`, ApiKey.AddOffsetsToTxn,
      { transactionalId: this.transactionalId, producerId: this.producerId, producerEpoch: this.producerEpoch, groupId }, (r) => r.errorCode);
    this.offsetsAdded = true;
    const byTopic = new Map<string, TxnOffsetCommitRequest['topics'][number]>();
    for (const o of offsets) {
      let t = byTopic.get(o.topic);
      if (!t) byTopic.set(o.topic, (t = { name: o.topic, partitions: [] }));
      t.partitions.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: null });
    }
    const body: TxnOffsetCommitRequest = {
      transactionalId: this.transactionalId, groupId, producerId: this.producerId, producerEpoch: this.producerEpoch,
      generationId: -1, memberId: '', groupInstanceId: null, topics: [...byTopic.values()],
    };
    const what = `commit offsets of group '${groupId}' in the transaction (TxnOffsetCommit)`;
    await this.cluster.retry(async () => {
      const node = await this.findCoordinator(groupId, 0);
      const res = await this.cluster.request<TxnOffsetCommitResponse>(node, ApiKey.TxnOffsetCommit, body);
      for (const t of res.topics) {
        for (const p of t.partitions) if (p.errorCode !== 0) this.throwAnswer(p.errorCode, `${what} for ${t.name}-${p.partitionIndex}`);
      }
    }, { retries: COORDINATOR_RETRIES, initialBackoffMs: this.retryBackoffMs, maxBackoffMs: 1000 });
  }

  /** `flush` waits until every record sent so far has settled; then EndTxn commits. */
  async commitTransaction(flush: () => Promise<void>): Promise<void> {
    this.throwIfFenced();
    if (this.state !== 'in-transaction') throw this.stateError('commit the transaction');
    this.state = 'committing';
    await flush().catch(() => undefined); // each record's failure is counted by recordFailed()
    this.throwIfFenced();
    const failure = this.recordFailure;
    if (failure !== null) {
      this.state = 'in-transaction';
      throw new MqError('TRANSACTION_ABORTABLE', `transactional producer '${this.transactionalId}' cannot commit: records of the transaction failed (${failure.message})`, {
        cause: failure, hint: 'Abort the transaction (abortTransaction()) and send its records again in a new one.',
      });
    }
    await this.endTxn(true);
  }

  /**
   * Unsent batches fail with "aborted" (`dropUnsent` closes the open ones so the sender sees them); sent
   * ones are awaited (`flush`), then EndTxn aborts.
   */
  async abortTransaction(dropUnsent: () => void, flush: () => Promise<void>): Promise<void> {
    this.throwIfFenced();
    if (this.state !== 'in-transaction') throw this.stateError('abort the transaction');
    this.state = 'aborting';
    dropUnsent();
    await flush().catch(() => undefined);
    this.throwIfFenced();
    await this.endTxn(false);
  }

  private async endTxn(committed: boolean): Promise<void> {
    while (this.adding !== null) await this.adding;
    try {
      if (this.added.size > 0 || this.offsetsAdded) {
        await this.coordinatorRequest<EndTxnResponse>(`${committed ? 'commit' : 'abort'} the transaction (EndTxn)`, ApiKey.EndTxn,
          { transactionalId: this.transactionalId, producerId: this.producerId, producerEpoch: this.producerEpoch, committed }, (r) => r.errorCode);
      }
    } catch (err) {
      if (this.state !== 'fenced') this.state = 'in-transaction'; // it may be committed or aborted again
      throw err;
    }
    this.state = 'ready';
    this.added.clear();
    this.pending.clear();
    this.partitionErrors.clear();
    this.offsetsAdded = false;
    this.recordFailure = null;
  }

  /** One AddPartitionsToTxn for every partition waiting; then the sender is told. */
  private addPending(): void {
    if (this.adding !== null || this.pending.size === 0) return;
    const queues = [...this.pending];
    this.pending.clear();
    const byTopic = new Map<string, number[]>();
    for (const q of queues) {
      const list = byTopic.get(q.topic);
      if (list) list.push(q.partition);
      else byTopic.set(q.topic, [q.partition]);
    }
    const body = {
      transactionalId: this.transactionalId, producerId: this.producerId, producerEpoch: this.producerEpoch,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    };
    const what = 'add partitions to the transaction (AddPartitionsToTxn)';
    this.adding = (async () => {
      try {
        const res = await this.coordinatorRequest<AddPartitionsToTxnResponse>(what, ApiKey.AddPartitionsToTxn, body, (r) => {
          // A retriable answer for any partition retries the whole request; the others are per partition.
          for (const t of r.resultsByTopic) {
            for (const p of t.resultsByPartition) {
              if (p.partitionErrorCode !== 0 && (this.cluster.error(p.partitionErrorCode).retriable || FENCED.has(this.cluster.error(p.partitionErrorCode).code))) return p.partitionErrorCode;
            }
          }
          return 0;
        });
        const codes = new Map<string, number>();
        for (const t of res.resultsByTopic) for (const p of t.resultsByPartition) codes.set(`${t.name}\0${p.partitionIndex}`, p.partitionErrorCode);
        for (const q of queues) {
          const code = codes.get(`${q.topic}\0${q.partition}`) ?? 0;
          if (code === 0) this.added.add(q);
          else this.partitionErrors.set(q, this.cluster.error(code, `${what} for ${q.topic}-${q.partition}`));
        }
      } catch (err) {
        const e = err instanceof MqError ? err : new MqError('UNKNOWN_SERVER_ERROR', (err as Error).message, { cause: err });
        for (const q of queues) this.partitionErrors.set(q, e);
      } finally {
        this.adding = null;
        this.onReady();
        if (this.pending.size > 0) this.addPending();
      }
    })();
  }

  /** Sends `body` to the transaction coordinator until it answers 0 (see the header for the retries). */
  private async coordinatorRequest<R>(what: string, apiKey: number, body: unknown, errorCode: (r: R) => number): Promise<R> {
    return this.cluster.retry(async () => {
      if (this.coordinator < 0) this.coordinator = await this.findCoordinator(this.transactionalId, 1);
      const res = await this.cluster.request<R>(this.coordinator, apiKey, body);
      const code = errorCode(res);
      if (code !== 0) this.throwAnswer(code, what);
      return res;
    }, {
      retries: COORDINATOR_RETRIES, initialBackoffMs: this.retryBackoffMs, maxBackoffMs: 1000,
      onRetry: (err) => { if (MOVED.has(err.code) || err.code === 'NETWORK_EXCEPTION') this.coordinator = -1; },
    });
  }

  /** Throws the error of a coordinator's answer `code`; a fencing answer fences the producer for good. */
  private throwAnswer(code: number, what: string): never {
    const err = this.cluster.error(code, `transactional producer '${this.transactionalId}' cannot ${what}`);
    if (FENCED.has(err.code)) throw this.fence(err);
    throw err;
  }

  private fence(cause: MqError): MqError {
    if (this.fenced === null) {
      this.fenced = new MqError('PRODUCER_FENCED', `transactional producer '${this.transactionalId}' was fenced: a newer producer with the same transactional id took over (${cause.message})`, {
        cause, hint: 'Close this producer; the newer one carries on (its initTransactions() aborted what this one left open).',
      });
      this.state = 'fenced';
      this.idempotence.fail(this.fenced);
    }
    return this.fenced;
  }

  private async findCoordinator(key: string, keyType: 0 | 1): Promise<number> {
    const res = await this.cluster.requestAny<FindCoordinatorResponse>(ApiKey.FindCoordinator, { key, keyType });
    const of = keyType === 1 ? `transaction '${key}'` : `group '${key}'`;
    if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `find the coordinator of ${of}`);
    if (!this.cluster.brokers.has(res.nodeId)) await this.cluster.refreshMetadata([]);
    if (!this.cluster.brokers.has(res.nodeId)) {
      throw new MqError('COORDINATOR_NOT_AVAILABLE', `coordinator ${res.nodeId} of ${of} is not in the metadata`, { retriable: true });
    }
    return res.nodeId;
  }

  /** The fencing error, also when a produce answer (not a coordinator's) showed the fence first. */
  private fencedError(): MqError | null {
    if (this.fenced === null && this.idempotence.error !== null && this.state !== 'uninitialized') this.fence(this.idempotence.error);
    return this.fenced;
  }

  private throwIfFenced(): void {
    const err = this.fencedError();
    if (err) throw err;
  }

  private abortedError(): MqError {
    return new MqError('TRANSACTION_ABORTED', `the transaction of producer '${this.transactionalId}' was aborted before these records were sent`);
  }

  private stateError(action: string): MqError {
    const why: Record<TxnState, string> = {
      'uninitialized': 'initTransactions() has not been called',
      'initializing': 'initTransactions() is still running',
      'ready': 'no transaction is open (call beginTransaction() first)',
      'in-transaction': 'a transaction is already open',
      'committing': 'its transaction is being committed',
      'aborting': 'its transaction is being aborted',
      'fenced': 'it was fenced',
    };
    return new MqError('INVALID_TXN_STATE', `transactional producer '${this.transactionalId}' cannot ${action}: ${why[this.state]}`);
  }
}
