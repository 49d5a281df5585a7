// The stored state of one transactional id: one JSON value per id in the MetadataStore at
//
//   transactions/<transactional id, URI-encoded>
//     = {"version":1,"producerId":"4001","producerEpoch":3,"timeoutMs":60000,"state":"Ongoing",
//        "partitions":[{"topic":"orders","partition":0}],"groups":["billing"],
//        "startedAtMs":1765000000000,"updatedAtMs":1765000000123}
//
//   version      the shape's version (1); a value of another version is refused, not guessed at
//   producerId   decimal string (an INT64 does not fit a JSON number)
//   producerEpoch INT16 range, 0-32767
//   timeoutMs    the producer's transaction.timeout.ms, from its InitProducerId
//   state        Empty | Ongoing | PrepareCommit | PrepareAbort | CompleteCommit | CompleteAbort | Dead
//   partitions   the transaction's partitions (AddPartitionsToTxn); kept through Prepare*, cleared at Complete*
//   groups       the groups whose offsets the transaction commits (AddOffsetsToTxn); same lifetime
//   startedAtMs  when the transaction went Ongoing (its timeout counts from here); -1 before the first one
//   updatedAtMs  the last change (transactional-id expiry counts from here)
//
// The id is URI-encoded in the key because transactional ids may contain '/'. Writers change a value only
// by compare-and-swap on the version they read (transaction-coordinator.ts).
import { MqError } from '../util/mq-error.js';

export const TRANSACTION_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead'] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];

export interface TxnTopicPartition { topic: string; partition: number }

export interface TransactionRecord {
  producerId: bigint;
  producerEpoch: number;
  timeoutMs: number;
  state: TransactionState;
  partitions: TxnTopicPartition[];
  groups: string[];
  startedAtMs: number;
  updatedAtMs: number;
}

export const TRANSACTION_KEY_PREFIX = 'transactions/';
const RECORD_VERSION = 1;

/** The store key of a transactional id. */
export function transactionKey(transactionalId: string): string {
  return TRANSACTION_KEY_PREFIX + encodeURIComponent(transactionalId);
}

/** The transactional id of a store key under `transactions/`. */
export function transactionalIdOf(key: string): string {
  return decodeURIComponent(key.slice(TRANSACTION_KEY_PREFIX.length));
}

/** The JSON value stored for `r`. */
export function encodeTransactionRecord(r: TransactionRecord): string {
  return JSON.stringify({
    version: RECORD_VERSION,
    producerId: r.producerId.toString(),
    producerEpoch: r.producerEpoch,
    timeoutMs: r.timeoutMs,
    state: r.state,
    partitions: r.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    groups: [...r.groups],
    startedAtMs: r.startedAtMs,
    updatedAtMs: r.updatedAtMs,
  });
}

/** The record stored at `key`; a value that is not a version-1 record is an error naming the key and what is wrong. */
export function decodeTransactionRecord(key: string, value: string): TransactionRecord {
  const bad = (what: string): MqError => new MqError(
    'KAFKA_STORAGE_ERROR',
    `the metadata store key ${key} does not hold a transaction record: ${what}`,
    { hint: `delete ${key} from the metadata store to forget that transactional id (its producer then starts afresh with InitProducerId)` },
  );
  let o: unknown;
  try { o = JSON.parse(value); } catch (err) { throw bad(`not JSON (${(err as Error).message})`); }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad('not a JSON object');
  const v = o as Record<string, unknown>;
  if (v.version !== RECORD_VERSION) throw bad(`version ${JSON.stringify(v.version)} (this mq reads version ${RECORD_VERSION})`);
  const int = (name: string, min: number, max: number): number => {
    const x = v[name];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) throw bad(`${name} is ${JSON.stringify(x)}, not an integer in ${min}..${max}`);
    return x;
  };
  if (typeof v.producerId !== 'string' || !/^-?\d+$/.test(v.producerId)) throw bad(`producerId is ${JSON.stringify(v.producerId)}, not a decimal string`);
  if (!TRANSACTION_STATES.includes(v.state as TransactionState)) throw bad(`state is ${JSON.stringify(v.state)} (one of ${TRANSACTION_STATES.join(', ')})`);
  if (!Array.isArray(v.partitions)) throw bad('partitions is not an array');
  const partitions = v.partitions.map((p: unknown) => {
    const tp = p as Record<string, unknown> | null;
    if (typeof tp !== 'object' || tp === null || typeof tp.topic !== 'string' || typeof tp.partition !== 'number' || !Number.isInteger(tp.partition) || tp.partition < 0) {
      throw bad(`partitions holds ${JSON.stringify(p)}, not {"topic": string, "partition": integer >= 0}`);
    }
    return { topic: tp.topic, partition: tp.partition };
  });
  if (!Array.isArray(v.groups) || !v.groups.every((g) => typeof g === 'string')) throw bad('groups is not an array of strings');
  return {
    producerId: BigInt(v.producerId),
    producerEpoch: int('producerEpoch', 0, 32767),
    timeoutMs: int('timeoutMs', 1, 2 ** 31 - 1),
    state: v.state as TransactionState,
    partitions,
    groups: v.groups as string[],
    startedAtMs: int('startedAtMs', -1, Number.MAX_SAFE_INTEGER),
    updatedAtMs: int('updatedAtMs', 0, Number.MAX_SAFE_INTEGER),
  };
}
