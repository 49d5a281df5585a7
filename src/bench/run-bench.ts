// From `mq bench` flags to a run: creates the clients through the command's factories, watches the
// broker process (--broker-pid, or the local process listening on the bootstrap port) and attaches
// its CPU seconds and peak memory to the result.
import type { ClientSecurity } from '../client/security-options.js';
import type { Acks, Admin, Compression, Consumer, ConsumerOptions, Producer, ProducerOptions } from '../client/types.js';
import type { BenchMode, BenchResult } from './bench-result.js';
import { BrokerProcess } from './broker-process.js';
import { runConsumeBench } from './consume-bench.js';
import { runE2eBench } from './e2e-bench.js';
import { freshBenchTopic, runProduceBench, type ProduceBenchOptions } from './produce-bench.js';

/** Records sent when neither --count nor --duration is given. */
export const DEFAULT_BENCH_COUNT = 1_000_000;

export interface BenchFlags {
  bootstrap: string[];
  topic?: string;
  recordSize: number;
  count?: number;
  /** Seconds. */
  duration?: number;
  rate?: number;
  partitions: number;
  producers: number;
  acks: Acks;
  lingerMs: number;
  batchSize: number;
  compression: Compression;
  /** -X enable.idempotence; undefined: the producer's default (idempotent with acks all). */
  idempotent?: boolean;
  /** -X isolation.level of the consumers; undefined: read_committed. */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
  flushPolicy?: string;
  brokerPid?: number;
  timeoutMs: number;
  /** TLS/SASL of the clients; the producers and consumers made through `clients` get it there, the e2e receiver here. */
  security?: ClientSecurity;
}

export interface BenchClients {
  admin(bootstrap: string[]): Promise<Admin>;
  producer(opts: Omit<ProducerOptions, 'clientId'>): Promise<Producer>;
  consumer(opts: Omit<ConsumerOptions, 'clientId'>): Promise<Consumer>;
}

/** The produce options the flags ask for; the count is unlimited when only --duration bounds the run. */
export function produceOptions(f: BenchFlags, topic: string): ProduceBenchOptions {
  return {
    topic, recordSize: f.recordSize, partitions: f.partitions, timeoutMs: f.timeoutMs,
    count: f.count ?? (f.duration !== undefined ? Infinity : DEFAULT_BENCH_COUNT),
    durationMs: f.duration !== undefined ? f.duration * 1000 : undefined,
    ratePerSec: f.rate,
    topicConfigs: f.flushPolicy !== undefined ? { 'flush.policy': f.flushPolicy } : undefined,
  };
}

/**
 * Runs one bench. `consume` without --topic first fills a fresh topic (reported through `note`),
 * then reads it back.
 */
export async function runBench(mode: BenchMode, f: BenchFlags, clients: BenchClients, note: (line: BenchResult) => void, signal?: AbortSignal): Promise<BenchResult> {
  const topic = f.topic ?? freshBenchTopic();
  const producers = async (): Promise<Producer[]> => {
    const list: Producer[] = [];
    for (let i = 0; i < f.producers; i++) {
      const idempotence = f.idempotent !== undefined ? { idempotent: f.idempotent } : {};
      list.push(await clients.producer({ bootstrap: f.bootstrap, acks: f.acks, lingerMs: f.lingerMs, batchSize: f.batchSize, compression: f.compression, ...idempotence }));
    }
    return list;
  };
  const admin = await clients.admin(f.bootstrap);
  if (mode === 'consume' && f.topic === undefined) note(await runProduceBench(admin, await producers(), produceOptions(f, topic), signal));
  const broker = BrokerProcess.locate(f.brokerPid, f.bootstrap);
  const consumer = mode !== 'consume' ? null : await clients.consumer({ bootstrap: f.bootstrap, ...(f.isolationLevel ? { isolationLevel: f.isolationLevel } : {}) });
  const senders = mode === 'consume' ? [] : await producers();
  broker?.start();
  let result: BenchResult;
  try {
    if (mode === 'produce') result = await runProduceBench(admin, senders, produceOptions(f, topic), signal);
    else if (mode === 'e2e') result = await runE2eBench(admin, senders, f.bootstrap, produceOptions(f, topic), signal, f.security);
    else result = await runConsumeBench(consumer!, { topic, count: f.count, timeoutMs: f.timeoutMs }, signal);
  } catch (err) {
    broker?.stop();
    throw err;
  }
  const usage = broker?.stop();
  return usage ? { ...result, broker: usage } : result;
}
