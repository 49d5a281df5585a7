// Transaction administration (mq transactions): list (ListTransactions at every broker, since each
// broker's coordinator lists only the transactional ids it owns), describe (DescribeTransactions at each
// id's coordinator, found with FindCoordinator key type 1) and abort.
//
// abort ends an abandoned transaction without a new API, as Kafka's own fencing does: an InitProducerId
// with the transaction's TransactionalId makes the coordinator bump the producer epoch, which fences the
// old producer (its next request gets PRODUCER_FENCED / INVALID_PRODUCER_EPOCH) and aborts the Ongoing
// transaction (ABORT markers written to its partitions). The coordinator answers CONCURRENT_TRANSACTIONS
// until the markers are written; that is retried. Only an Ongoing (or already aborting) transaction is
// aborted: for one committing (PrepareCommit) InitProducerId would finish the commit, and one with no
// open transaction has nothing to abort, so both are refused with the state named.
import { ErrorCode } from '../protocol/error-codes.js';
import { ApiKey } from '../protocol/api.js';
import type { DescribeTransactionsResponse } from '../protocol/messages/describe-transactions.js';
import type { FindCoordinatorResponse } from '../protocol/messages/find-coordinator.js';
import type { InitProducerIdResponse } from '../protocol/messages/init-producer-id.js';
import type { ListTransactionsRequest, ListTransactionsResponse } from '../protocol/messages/list-transactions.js';
import { MqError } from '../util/mq-error.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import type { ClientOptions, TopicPartition } from './types.js';


/** Kafka's transaction states, as ListTransactions and DescribeTransactions name them. */
export const TRANSACTION_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead'] as const;

export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  state: string;
  /** The broker whose coordinator owns the id. */
  coordinator: number;
}

export interface TransactionDescription {
  transactionalId: string;
  state: string;
  producerId: bigint;
  producerEpoch: number;
  timeoutMs: number;
  /** When the open transaction started (ms since the epoch), or -1 with none. */
  startTimeMs: number;
  partitions: TopicPartition[];
  coordinator: number;
}

export interface TransactionAbortResult {
  transactionalId: string;
  /** The state the transaction was in when the abort was asked for. */
  previousState: string;
  /** The producer id and the epoch the id now has (the old producer's epoch is below it: fenced). */
  producerId: bigint;
  producerEpoch: number;
}

/** Creates a transaction admin client; it connects on first use. close() it. */
export function createTransactionAdmin(opts: ClientOptions): TransactionAdmin {
  return new TransactionAdmin(new Cluster(opts as ClusterOptions), true);
}

export class TransactionAdmin {
  /** `owned`: close() closes the cluster too. */
  constructor(private readonly cluster: Cluster, private readonly owned = false) {}

  /** Every transactional id of every broker's coordinator, sorted; `states` filters (Kafka's names). */
  async listTransactions(opts: { states?: string[] } = {}): Promise<TransactionListing[]> {
    const states = opts.states ?? [];
    const unknown = states.filter((s) => !(TRANSACTION_STATES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      throw new MqError('INVALID_ARGUMENT', `unknown transaction state${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`, {
        hint: `States: ${TRANSACTION_STATES.join(', ')}.`,
      });
    }
    await this.cluster.retry(() => this.cluster.refreshMetadata([]));
    const body: ListTransactionsRequest = { stateFilters: states, producerIdFilters: [] };
    const answers = await Promise.all([...this.cluster.brokers.keys()].map(async (nodeId) => {
      const res = await this.cluster.retry(() => this.cluster.request<ListTransactionsResponse>(nodeId, ApiKey.ListTransactions, body));
      if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `list transactions at broker ${nodeId}`);
      return res.transactionStates.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState, coordinator: nodeId }));
    }));
    const seen = new Map<string, TransactionListing>();
    for (const t of answers.flat()) seen.set(t.transactionalId, t);
    return [...seen.values()].sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  }

  /** Each id's state, producer, timeout and partitions, in the order asked. */
  async describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return Promise.all(transactionalIds.map((id) => this.describeOne(id)));
  }

  /** Aborts the open transaction of `transactionalId` by bumping its epoch (see the header). */
  async abortTransaction(transactionalId: string): Promise<TransactionAbortResult> {
    const before = await this.describeOne(transactionalId);
    if (before.state !== 'Ongoing' && before.state !== 'PrepareAbort') {
      const why = before.state === 'PrepareCommit' ? 'it is being committed (its markers are being written)' : 'it has no open transaction';
      throw new MqError('INVALID_TXN_STATE', `transaction '${transactionalId}' is ${before.state}: ${why}, so there is nothing to abort`, {
        hint: `\`mq transactions describe ${transactionalId}\` shows its state; only an Ongoing transaction can be aborted.`,
      });
    }
    const res = await this.cluster.retry(async () => {
      const coordinator = await this.coordinatorOf(transactionalId);
      const r = await this.cluster.request<InitProducerIdResponse>(coordinator, ApiKey.InitProducerId, {
        transactionalId, transactionTimeoutMs: before.timeoutMs > 0 ? before.timeoutMs : 60_000,
      });
      if (r.errorCode !== 0) throw this.cluster.error(r.errorCode, `abort transaction '${transactionalId}'`);
      return r;
    }, { retries: 30, maxBackoffMs: 1000 });
    return { transactionalId, previousState: before.state, producerId: res.producerId, producerEpoch: res.producerEpoch };
  }

  async close(): Promise<void> {
    if (this.owned) await this.cluster.close();
  }

  private async describeOne(transactionalId: string): Promise<TransactionDescription> {
    return this.cluster.retry(async () => {
      const coordinator = await this.coordinatorOf(transactionalId);
      const res = await this.cluster.request<DescribeTransactionsResponse>(coordinator, ApiKey.DescribeTransactions, { transactionalIds: [transactionalId] });
      const t = res.transactionStates.find((x) => x.transactionalId === transactionalId);
      if (!t) throw new MqError('UNKNOWN_SERVER_ERROR', `the coordinator did not describe transaction '${transactionalId}'`);
      if (t.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) {
        throw new MqError('TRANSACTIONAL_ID_NOT_FOUND', `transactional id '${transactionalId}' is not known to the cluster`, {
          hint: '`mq transactions list` shows the transactional ids there are.',
        });
      }
      if (t.errorCode !== 0) throw this.cluster.error(t.errorCode, `describe transaction '${transactionalId}'`);
      return {
        transactionalId, state: t.transactionState, producerId: t.producerId, producerEpoch: t.producerEpoch,
        timeoutMs: t.transactionTimeoutMs, startTimeMs: Number(t.transactionStartTimeMs), coordinator,
        partitions: t.topicPartitions.flatMap((p) => p.partitionIndexes.map((partition) => ({ topic: p.name, partition })))
          .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)),
      };
    }, { retries: 10 });
  }

  /** The broker coordinating `transactionalId` (FindCoordinator key type 1). */
  private async coordinatorOf(transactionalId: string): Promise<number> {
    const res = await this.cluster.requestAny<FindCoordinatorResponse>(ApiKey.FindCoordinator, { key: transactionalId, keyType: 1 });
    if (res.errorCode !== 0) throw this.cluster.error(res.errorCode, `find the coordinator of transaction '${transactionalId}'`);
    if (!this.cluster.brokers.has(res.nodeId)) await this.cluster.refreshMetadata([]);
    if (!this.cluster.brokers.has(res.nodeId)) {
      throw new MqError('COORDINATOR_NOT_AVAILABLE', `coordinator ${res.nodeId} of transaction '${transactionalId}' is not in the metadata`, { retriable: true });
    }
    return res.nodeId;
  }
}
