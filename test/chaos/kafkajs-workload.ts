// The chaos producer as a kafkajs 2.2.4 user writes it: send() of `batchSize` keyed records with
// acks -1, one send at a time (or `inFlight` at once), until `records` went out or `durationMs` passed.
// Records are numbered, keyed and valued as in keyed-workload.ts, so verify-log.ts reads them back.
//
// What counts as acknowledged: a record whose partition the send's result names with error 0 (kafkajs
// returns one entry per partition a broker answered for; a record's offset is that entry's baseOffset plus
// its place among the send's records for that partition). NOT whether send() resolved: kafkajs 2.2.4
// (src/producer/sendMessages.js) keeps the answers of a send per broker across its retries and, on a
// retry, sends only to brokers with no answer yet. When a broker fails mid-send and its partitions move
// to a broker that has already answered for its own, their records are never sent again and send()
// resolves without them. Those records are counted as `unansweredResolved` and sent again in a send of
// their own before the next one (what an application must do to keep them), so per-key order holds with
// one send in flight. With several in flight kafkajs may reorder on retries (no idempotence), which the
// verifier reports but the scenario does not fail on.
//
// `idempotent`: kafkajs' `idempotent: true` (InitProducerId, a sequence per partition), with
// maxInFlightRequests 1 and one send at a time. The re-send of unansweredResolved records does not
// write them twice: kafkajs gives a partition's sequence numbers back when the request carrying them
// fails (sendMessages.js: updateSequence(-n) in the catch), and those records are unanswered exactly
// because their broker's request failed; the re-send holds the same records of that partition, in the
// same order, so it goes out with the same BaseSequence and record count, and a broker that had
// written them (or a new leader that replicated them) answers it as a retry with the original offset.
// That holds only with one send at a time: with several, another send can take the given-back
// sequences for other records, and a broker that had written the first batch would answer those
// records as duplicates of it (acknowledged, never written). So idempotent runs refuse inFlight > 1.
// No import-time side effects (node --test loads this file too).
import { createRequire } from 'node:module';
import { murmur2, toPositive } from '../../src/client/murmur2.js';
import { AckLedger, KeyedWorkload, type ChaosWorkload, type KeyedWorkloadResult } from './keyed-workload.js';

const require = createRequire(import.meta.url);

export interface KafkajsWorkloadOptions {
  bootstrap: string[];
  /** kafkajs' ssl and sasl settings (the secured chaos cluster); absent: PLAINTEXT. */
  connection?: { ssl: { ca: Buffer[] }; sasl: { mechanism: 'scram-sha-512'; username: string; password: string } };
  topic: string;
  /** The most records sent. */
  records: number;
  /** Send until this long has passed (or `records` went out). */
  durationMs: number;
  /** Partitions of the topic (for the Java partitioner kafkajs uses, to place each record). */
  partitions: number;
  keys?: number; // default 64
  batchSize?: number; // default 200
  /** send() calls in flight at once; default 1. */
  inFlight?: number;
  /** Spread the `records` over durationMs (as keyed-workload.ts does; then sending stops at 3 * durationMs) instead of sending as fast as kafkajs can for durationMs. */
  paced?: boolean;
  /** kafkajs `idempotent: true` (maxInFlightRequests 1; needs inFlight 1, see the top). */
  idempotent?: boolean;
  /** Count a resolved send() as acknowledging every record in it (kafkajs' own word; shows its bug). */
  trustResolvedSend?: boolean;
  onAck?: (partition: number, atMs: number, sentAtMs: number) => void;
}

interface KafkajsMetadata { partition: number; errorCode: number; baseOffset?: string }
interface KafkajsProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(args: { topic: string; acks: number; timeout: number; messages: { key: string; value: string }[] }): Promise<KafkajsMetadata[]>;
}

export class KafkajsWorkload extends AckLedger implements ChaosWorkload {
  private unanswered = 0;
  result: KeyedWorkloadResult | null = null;

  constructor(private readonly opts: KafkajsWorkloadOptions) {
    super(opts.keys ?? 64, opts.records);
    if (opts.idempotent && (opts.inFlight ?? 1) > 1) {
      throw new Error(`an idempotent kafkajs workload sends one send() at a time, not ${opts.inFlight}: concurrent sends can reuse sequence numbers kafkajs gave back after a failed request (see kafkajs-workload.ts)`);
    }
  }

  /** The partition kafkajs' default (Java-compatible) partitioner gives record n. */
  partitionOf(n: number): number {
    return toPositive(murmur2(Buffer.from(KeyedWorkload.key(n, this.keys)))) % this.opts.partitions;
  }

  async run(signal?: AbortSignal, onSendingDone?: () => void): Promise<KeyedWorkloadResult> {
    const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');
    const kafka = new Kafka({
      brokers: this.opts.bootstrap, clientId: 'mq-chaos-kafkajs', logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 },
      ...this.opts.connection,
    });
    const idempotence = this.opts.idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {};
    const producer = kafka.producer({ allowAutoTopicCreation: false, ...idempotence }) as unknown as KafkajsProducer;
    await producer.connect();
    const batchSize = this.opts.batchSize ?? 200;
    const started = Date.now();
    let next = 0;
    const perMs = this.records / this.opts.durationMs;
    const take = async (): Promise<number[] | null> => {
      if (this.opts.paced) {
        // Not before the pace: the next batch is due once its last record is.
        const dueAt = started + Math.min(next + batchSize, this.records) / perMs;
        while (!signal?.aborted && Date.now() < dueAt) await new Promise((r) => setTimeout(r, Math.min(50, dueAt - Date.now())));
      }
      if (next >= this.records || signal?.aborted || Date.now() - started >= (this.opts.paced ? 3 : 1) * this.opts.durationMs) return null;
      const ns: number[] = [];
      while (ns.length < batchSize && next < this.records) ns.push(next++);
      return ns;
    };
    const sender = async (): Promise<void> => {
      for (let ns = await take(); ns !== null; ns = await take()) {
        // Resend what kafkajs resolved without an answer until every record has one (bounded).
        for (let attempt = 0; ns.length > 0 && attempt < 10; attempt++) ns = await this.sendOnce(producer, ns);
        for (const n of ns) this.fail(n, 'UNANSWERED_AFTER_10_SENDS');
      }
    };
    try {
      await Promise.all(Array.from({ length: this.opts.inFlight ?? 1 }, sender));
    } finally {
      const sendingMs = Date.now() - started;
      onSendingDone?.();
      await producer.disconnect().catch(() => undefined);
      const elapsedMs = Date.now() - started;
      this.result = {
        sent: next, acknowledged: this.acknowledged, failed: this.failed, unsettled: next - this.acknowledged - this.failed,
        failures: { ...this.failures }, elapsedMs, sendingMs, ackedPerSecond: Math.round(this.acknowledged / (elapsedMs / 1000)),
        unansweredResolved: this.unanswered,
      };
    }
    return this.result;
  }

  /** One send() of records `ns`; returns the records kafkajs resolved without any broker's answer. */
  private async sendOnce(producer: KafkajsProducer, ns: number[]): Promise<number[]> {
    const messages = ns.map((n) => ({ key: KeyedWorkload.key(n, this.keys), value: KeyedWorkload.value(n, this.keys) }));
    let res: KafkajsMetadata[];
    const sentAt = Date.now();
    try {
      res = await producer.send({ topic: this.opts.topic, acks: -1, timeout: 10_000, messages });
    } catch (err) {
      for (const n of ns) this.fail(n, (err as { type?: string; name?: string }).type ?? (err as Error).name);
      return [];
    }
    const now = Date.now();
    const nextOffset = new Map<number, number>();
    for (const r of res) if (r.errorCode === 0 && r.baseOffset !== undefined) nextOffset.set(r.partition, Number(r.baseOffset));
    const unanswered: number[] = [];
    for (const n of ns) {
      const p = this.partitionOf(n);
      const offset = nextOffset.get(p);
      if (offset === undefined && !this.opts.trustResolvedSend) { unanswered.push(n); continue; }
      if (offset !== undefined) nextOffset.set(p, offset + 1);
      this.ack(n, p, offset ?? -1);
      this.opts.onAck?.(p, now, sentAt);
    }
    this.unanswered += unanswered.length;
    return unanswered;
  }
}
